#include "sioconf/json_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "support/hex.h"

namespace sioconf {
namespace {

using test::hex_of;
using Build = std::function<void(JsonWriter&)>;
std::string ph(int n) { return "{\"_placeholder\":true,\"num\":" + std::to_string(n) + "}"; }
const std::string P0 = ph(0), P1 = ph(1);

TEST(JsonWriter, StringEscapesAsJsonStringify) {
  const struct {
    std::string in, out;
  } rows[] = {
      {"a", "\"a\""},
      {"", "\"\""},
      {"\"\\", "\"\\\"\\\\\""},
      {"\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\""},
      {std::string("\x00\x01\x1e\x1f", 4), "\"\\u0000\\u0001\\u001e\\u001f\""},  // \x1e: polling separator
      {"\x0b", "\"\\u000b\""},
      {"\x7f /<>'", "\"\x7f /<>'\""},
      {"\xe2\x80\xa8\xe2\x80\xa9", "\"\xe2\x80\xa8\xe2\x80\xa9\""},  // U+2028/U+2029 raw
      {"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\""},
      {"mid\"dle\\end", "\"mid\\\"dle\\\\end\""},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.out);
    JsonWriter w;
    w.string(r.in);
    EXPECT_EQ(w.error(), Errc::none);
    EXPECT_EQ(w.json(), r.out);
    JsonWriter k;
    k.begin_object().key(r.in).null().end_object();
    EXPECT_EQ(k.json(), "{" + r.out + ":null}");
  }
}

TEST(JsonWriter, NumbersAsJsonStringify) {
  const struct {
    double in;
    const char* out;
  } doubles[] = {
      {0.1, "0.1"},
      {1.5, "1.5"},
      {-2.5e-7, "-2.5e-7"},
      {100.0, "100"},
      {-0.0, "0"},
      {0.0, "0"},
      {1e21, "1e+21"},
      {1e20, "100000000000000000000"},
      {123456789012345680000.0, "123456789012345680000"},
      {0.000001, "0.000001"},
      {1e-7, "1e-7"},
      {1.0 / 3, "0.3333333333333333"},
      {9007199254740992.0, "9007199254740992"},
      {5e-324, "5e-324"},
      {1.7976931348623157e308, "1.7976931348623157e+308"},
      {-1.2345e-20, "-1.2345e-20"},
      {12.34, "12.34"},
  };
  for (const auto& r : doubles) {
    JsonWriter w;
    w.number(r.in);
    EXPECT_EQ(w.json(), r.out) << r.out;
  }
  JsonWriter w;
  w.begin_array()
      .number(std::numeric_limits<std::int64_t>::min())
      .number(std::numeric_limits<std::int64_t>::max())
      .number(std::numeric_limits<std::uint64_t>::max())
      .number(5)
      .number(-5)
      .number(7u)
      .number(static_cast<long long>(-8))
      .number(static_cast<unsigned short>(9))
      .number(2.5f)
      .end_array();
  EXPECT_EQ(w.json(), "[-9223372036854775808,9223372036854775807,18446744073709551615,5,-5,7,-8,9,2.5]");
  EXPECT_TRUE(w.complete());
}

TEST(JsonWriter, StructureAndMisuse) {
  JsonWriter w;
  EXPECT_TRUE(w.empty());
  EXPECT_FALSE(w.complete());
  w.begin_array().string("a").begin_object().key("k").begin_array().end_array().key("n").null().end_object();
  w.boolean(true).boolean(false).raw_json("{\"r\":[1]}").begin_array().end_array().end_array();
  EXPECT_EQ(w.json(), "[\"a\",{\"k\":[],\"n\":null},true,false,{\"r\":[1]},[]]");
  EXPECT_TRUE(w.complete());
  EXPECT_EQ(w.error(), Errc::none);

  const struct {
    const char* name;
    Build build;
    Errc error;
  } misuse[] = {
      {"value where a key is due", [](JsonWriter& j) { j.begin_object().string("v"); }, Errc::json_syntax},
      {"key in an array", [](JsonWriter& j) { j.begin_array().key("k"); }, Errc::json_syntax},
      {"key at top level", [](JsonWriter& j) { j.key("k"); }, Errc::json_syntax},
      {"two keys in a row", [](JsonWriter& j) { j.begin_object().key("a").key("b"); }, Errc::json_syntax},
      {"end_object after a key", [](JsonWriter& j) { j.begin_object().key("a").end_object(); }, Errc::json_syntax},
      {"end_array in an object", [](JsonWriter& j) { j.begin_object().end_array(); }, Errc::json_syntax},
      {"end_object in an array", [](JsonWriter& j) { j.begin_array().end_object(); }, Errc::json_syntax},
      {"end_array at top level", [](JsonWriter& j) { j.end_array(); }, Errc::json_syntax},
      {"second top-level value", [](JsonWriter& j) { j.begin_array().end_array().null(); }, Errc::json_syntax},
      {"second top-level scalar", [](JsonWriter& j) { j.number(1).number(2); }, Errc::json_syntax},
      {"empty raw_json", [](JsonWriter& j) { j.begin_array().raw_json(""); }, Errc::json_syntax},
      {"NaN", [](JsonWriter& j) { j.begin_array().number(std::nan("")); }, Errc::json_number},
      {"infinity", [](JsonWriter& j) { j.number(-std::numeric_limits<double>::infinity()); }, Errc::json_number},
      {"string not UTF-8", [](JsonWriter& j) { j.begin_array().string("\xff"); }, Errc::json_bad_utf8},
      {"string with a surrogate", [](JsonWriter& j) { j.string("\xed\xa0\x80"); }, Errc::json_bad_utf8},
      {"key not UTF-8", [](JsonWriter& j) { j.begin_object().key("\xc3"); }, Errc::json_bad_utf8},
      {"first error sticks", [](JsonWriter& j) { j.number(std::nan("")).end_array().string("\xff"); },
       Errc::json_number},
  };
  for (const auto& m : misuse) {
    SCOPED_TRACE(m.name);
    JsonWriter j;
    m.build(j);
    EXPECT_EQ(j.error(), m.error);
    const std::string before(j.json());
    j.string("after").end_array();  // ignored once in error
    EXPECT_EQ(j.json(), before);
    j.clear();
    EXPECT_EQ(j.error(), Errc::none);
    EXPECT_TRUE(j.empty());
    j.begin_array().string("ok").end_array();
    EXPECT_EQ(j.json(), "[\"ok\"]");
  }
}

TEST(JsonWriter, RawElementsSpliceAnArraysMembersIn) {
  JsonWriter w;
  w.begin_array().string("ev").raw_elements(" [1, \"a\"] ").raw_elements("[]").raw_elements("[ ]").end_array();
  EXPECT_EQ(w.json(), "[\"ev\",1, \"a\"]");
  EXPECT_TRUE(w.complete());
  w.clear();
  w.begin_array().raw_elements("[{}]").string("b").end_array();  // first members, then more
  EXPECT_EQ(w.json(), "[{},\"b\"]");
  for (const char* bad : {"", "1", "[1", "1]", "{}", " [", "]"}) {
    SCOPED_TRACE(bad);
    JsonWriter j;
    j.begin_array().raw_elements(bad);
    EXPECT_EQ(j.error(), Errc::json_syntax);
  }
  JsonWriter outside;
  outside.raw_elements("[1]");  // no array open
  EXPECT_EQ(outside.error(), Errc::json_syntax);
  JsonWriter in_object;
  in_object.begin_object().key("k").raw_elements("[1]");
  EXPECT_EQ(in_object.error(), Errc::json_syntax);
}

TEST(JsonWriter, BinaryWritesPlaceholdersAndCopiesBytes) {
  JsonWriter w;
  std::vector<std::uint8_t> a = {1, 2}, b = {}, c = {3};
  w.begin_array().string("x").binary(ByteView(a)).begin_object().key("k").binary(ByteView(b)).end_object();
  w.binary(ByteView(c)).end_array();
  a[0] = 9;  // copied: later changes do not show
  EXPECT_EQ(w.json(), "[\"x\"," + P0 + ",{\"k\":" + P1 + "}," + ph(2) + "]");
  ASSERT_EQ(w.attachment_count(), 3u);
  EXPECT_EQ(hex_of(w.attachment(0)), "0102");
  EXPECT_EQ(hex_of(w.attachment(1)), "");
  EXPECT_EQ(hex_of(w.attachment(2)), "03");
  EXPECT_TRUE(w.attachment(3).empty());
  EXPECT_EQ(w.attachment_bytes(), 3u);
  w.clear();
  EXPECT_EQ(w.attachment_count(), 0u);
  EXPECT_EQ(w.attachment_bytes(), 0u);
}

}  // namespace
}  // namespace sioconf
