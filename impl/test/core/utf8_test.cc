#include "sioconf/utf8.h"

#include <gtest/gtest.h>

#include <string>

#include "support/grind.h"

namespace sioconf {
namespace {

struct Row {
  std::string input;
  bool valid;
  std::size_t bad_at;  // index of the first bad byte when !valid and the error is fail-fast
  bool incomplete;     // valid so far, but ends inside a code point
};

const Row kRows[] = {
    {"", true, 0, false},
    {"hello", true, 0, false},
    {"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5", true, 0, false},  // κόσμε
    {"\xf0\x9f\x98\x80", true, 0, false},                              // U+1F600
    {"\xef\xbf\xbf", true, 0, false},                                  // U+FFFF
    {"\xf4\x8f\xbf\xbf", true, 0, false},                              // U+10FFFF
    {"\xf4\x90\x80\x80", false, 1, false},                             // U+110000
    {"\xed\xa0\x80", false, 1, false},                                 // U+D800 surrogate
    {"\xed\x9f\xbf", true, 0, false},                                  // U+D7FF
    {"\xc0\xaf", false, 0, false},                                     // overlong '/'
    {"\xe0\x80\xaf", false, 1, false},                                 // overlong 3-byte
    {"\xf0\x80\x80\xaf", false, 1, false},                             // overlong 4-byte
    {"\x80", false, 0, false},                                         // lone continuation
    {"a\xff", false, 1, false},
    {"\xce", false, 0, true},       // truncated 2-byte
    {"\xe1\xbd", false, 0, true},   // truncated 3-byte
    {"\xce\x41", false, 1, false},  // missing continuation
    {"abcdefgh\xe2\x82\xac"
     "abcdefgh",
     true, 0, false},  // € between ASCII runs
};

TEST(Utf8, Table) {
  for (const Row& row : kRows) {
    SCOPED_TRACE(test::printable(as_bytes(row.input)));
    EXPECT_EQ(is_valid_utf8(as_bytes(row.input)), row.valid);
    Utf8Validator v;
    const std::size_t accepted = v.feed(as_bytes(row.input));
    if (row.incomplete) {
      EXPECT_EQ(accepted, row.input.size());
      EXPECT_FALSE(v.failed());
      EXPECT_FALSE(v.complete());
    } else if (!row.valid) {
      EXPECT_EQ(accepted, row.bad_at);
      EXPECT_TRUE(v.failed());
    } else {
      EXPECT_TRUE(v.complete());
    }
  }
}

TEST(Utf8, SplitInvariant) {
  for (const Row& row : kRows) {
    test::grind(
        [](const std::vector<ByteView>& chunks) {
          Utf8Validator v;
          std::uint64_t offset = 0;
          for (ByteView c : chunks) {
            const std::size_t n = v.feed(c);
            offset += n;
            if (v.failed()) return test::Transcript{{}, "bad @" + std::to_string(offset)};
          }
          return test::Transcript{{}, v.complete() ? "complete" : "incomplete"};
        },
        row.input);
  }
}

TEST(Utf8, StaysFailedUntilReset) {
  Utf8Validator v;
  EXPECT_EQ(v.feed(as_bytes("\xff")), 0u);
  EXPECT_EQ(v.feed(as_bytes("a")), 0u);
  EXPECT_TRUE(v.failed());
  v.reset();
  EXPECT_EQ(v.feed(as_bytes("a")), 1u);
  EXPECT_TRUE(v.complete());
}

}  // namespace
}  // namespace sioconf
