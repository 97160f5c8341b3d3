#include "json_dom.h"

#include <gtest/gtest.h>

#include <string>

namespace sioconf::detail {
namespace {

// A value inside `depth` arrays.
std::string nested(std::size_t depth) { return std::string(depth, '[') + "1" + std::string(depth, ']'); }

TEST(JsonDom, DepthAtLimitAndLimitPlusOne) {
  JsonDom dom;
  for (std::uint32_t limit : {1u, 2u, 32u, 1000u}) {
    EXPECT_EQ(dom.parse(nested(limit), limit), Errc::none) << limit;
    EXPECT_EQ(dom.parse(nested(limit + 1), limit), Errc::limit_depth) << limit;
  }
  EXPECT_EQ(dom.parse("1", 0), Errc::none);
  EXPECT_EQ(dom.parse("[]", 0), Errc::none);  // holds no value
  EXPECT_EQ(dom.parse("[1]", 0), Errc::limit_depth);
  EXPECT_EQ(dom.parse("[[]]", 1), Errc::none);
  EXPECT_EQ(dom.parse("[[[]]]", 1), Errc::limit_depth);
  EXPECT_EQ(dom.parse(R"({"a":{"b":[1]}})", 3), Errc::none);
  EXPECT_EQ(dom.parse(R"({"a":{"b":[1]}})", 2), Errc::limit_depth);
}

TEST(JsonDom, ErrorNames) {
  JsonDom dom;
  EXPECT_EQ(dom.parse("", 8), Errc::json_syntax);
  EXPECT_EQ(dom.parse("[1]x", 8), Errc::json_syntax);
  EXPECT_EQ(dom.parse("[1,]", 8), Errc::json_syntax);
  EXPECT_EQ(dom.parse("\"a\x01\"", 8), Errc::json_syntax);
  EXPECT_EQ(dom.parse("\"\xff\"", 8), Errc::json_bad_utf8);
  EXPECT_EQ(dom.parse("18446744073709551616", 8), Errc::json_number);
  EXPECT_EQ(dom.parse("1.8e308", 8), Errc::json_number);
  EXPECT_EQ(dom.parse(R"("\ud800")", 8), Errc::json_lone_surrogate);
  EXPECT_EQ(dom.parse(R"("\udc00x")", 8), Errc::json_lone_surrogate);
  EXPECT_EQ(dom.parse(R"("\ud83d\ude00")", 8), Errc::none);
  EXPECT_EQ(dom.parse(R"("\\ud800")", 8), Errc::none);  // an escaped backslash, not an escape
}

TEST(JsonDom, NumberRangeAtTheEdges) {
  JsonDom dom;
  EXPECT_EQ(dom.parse("18446744073709551615", 0), Errc::none);
  EXPECT_EQ(dom.parse("-9223372036854775808", 0), Errc::none);
  EXPECT_EQ(dom.parse("-9223372036854775809", 0), Errc::json_number);
  EXPECT_EQ(dom.parse("1.7976931348623157e308", 0), Errc::none);
}

TEST(JsonDom, ReusesItsBuffersAcrossSizes) {
  JsonDom dom;
  const std::string big = "[\"" + std::string(100000, 'x') + "\"]";
  EXPECT_EQ(dom.parse(big, 4), Errc::none);
  EXPECT_EQ(dom.parse("[1]", 4), Errc::none);
  EXPECT_EQ(dom.root().at(0).get_int64().value(), 1);
}

}  // namespace
}  // namespace sioconf::detail
