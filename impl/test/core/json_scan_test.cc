// JsonScanner: the rules one by one, then the oracle that keeps it honest: on generated and
// mutated documents it must give exactly the verdict of simdjson's DOM parser (JsonDom), which it
// replaced on the decode path for speed.
#include "json_scan.h"

#include <gtest/gtest.h>

#include <array>
#include <cctype>
#include <string>
#include <vector>

#include "json_dom.h"
#include "json_fast.h"
#include "splitmix.h"

namespace sioconf::detail {
namespace {

struct Case {
  const char* text;
  std::uint64_t max_depth;
  Errc want;
};

const Case kCases[] = {
    // grammar
    {"", 8, Errc::json_syntax},
    {"   ", 8, Errc::json_syntax},
    {"[1]x", 8, Errc::json_syntax},
    {"[1,]", 8, Errc::json_syntax},
    {"[,1]", 8, Errc::json_syntax},
    {"[1 2]", 8, Errc::json_syntax},
    {"1 2", 8, Errc::json_syntax},
    {"[1]]", 8, Errc::json_syntax},
    {"[[1]", 8, Errc::json_syntax},
    {"[01", 8, Errc::json_syntax},  // the unmatched bracket is seen before the number
    {R"({"a" 1})", 8, Errc::json_syntax},
    {R"({"a":1,})", 8, Errc::json_syntax},
    {R"({1:2})", 8, Errc::json_syntax},
    {R"({"a":1 "b":2})", 8, Errc::json_syntax},
    {R"(["a":1])", 8, Errc::json_syntax},
    {R"({"a"})", 8, Errc::json_syntax},
    {"[}", 8, Errc::json_syntax},
    {"{]", 8, Errc::json_syntax},
    {" [ 1 , { \"a\" : [ ] } ] ", 8, Errc::none},
    {"\"a\x01\"", 8, Errc::json_syntax},
    {"\"abc", 8, Errc::json_syntax},
    {"[x]", 8, Errc::json_syntax},
    {R"("k":"\ud800")", 8, Errc::json_syntax},  // a root string ends at its own quote
    {R"("a" "\x")", 8, Errc::json_syntax},
    // literals
    {"true", 8, Errc::none},
    {"[true,false,null]", 8, Errc::none},
    {"tru", 8, Errc::json_syntax},
    {"truex", 8, Errc::json_syntax},
    {"[nul]", 8, Errc::json_syntax},
    {"[true\"a\"]", 8, Errc::json_syntax},
    // numbers
    {"0", 8, Errc::none},
    {"-0", 8, Errc::none},
    {"[-0.0e-999]", 8, Errc::none},
    {"01", 8, Errc::json_number},
    {"[01]", 8, Errc::json_number},
    {"[-]", 8, Errc::json_number},
    {"[1.]", 8, Errc::json_number},
    {"[.5]", 8, Errc::json_syntax},
    {"[1e]", 8, Errc::json_number},
    {"[1e+]", 8, Errc::json_number},
    {"[1x]", 8, Errc::json_number},
    {"[1\"a\"]", 8, Errc::json_number},
    {"[1.5.5]", 8, Errc::json_number},
    {"[--1]", 8, Errc::json_number},
    {"1.8e308", 8, Errc::json_number},
    {"[1e400]", 8, Errc::json_number},
    {"[1e-400]", 8, Errc::none},
    {"[0e999999999999999999999]", 8, Errc::none},
    {"[123456789012345678]", 8, Errc::none},
    {"[9223372036854775807,9223372036854775808]", 8, Errc::none},
    {"[18446744073709551615]", 8, Errc::none},
    {"[18446744073709551616]", 8, Errc::json_number},
    {"[99999999999999999999]", 8, Errc::json_number},
    {"[-9223372036854775808]", 8, Errc::none},
    {"[-9223372036854775809]", 8, Errc::json_number},
    {"[3.14159265358979323846264338327950288]", 8, Errc::none},
    // strings and escapes
    {R"(["\"\\\/\b\f\n\r\t\u00e9"])", 8, Errc::none},
    {R"(["\x"])", 8, Errc::json_syntax},
    {R"(["\u12G4"])", 8, Errc::json_syntax},
    {R"(["\u12"])", 8, Errc::json_syntax},
    {R"(["\ud800"])", 8, Errc::json_lone_surrogate},
    {R"(["\udc00x"])", 8, Errc::json_lone_surrogate},
    {R"(["\ud800\u0041"])", 8, Errc::json_lone_surrogate},
    {R"(["\ud800\x"])", 8, Errc::json_lone_surrogate},
    {R"(["\ud83d\ude00"])", 8, Errc::none},
    {R"(["\\ud800"])", 8, Errc::none},
    {R"({"k\ud800":1})", 8, Errc::json_lone_surrogate},
    {"\"\xff\"", 8, Errc::json_bad_utf8},
    // depth: no value inside more than max_depth containers
    {"1", 0, Errc::none},
    {"[]", 0, Errc::none},
    {"[1]", 0, Errc::limit_depth},
    {"[[]]", 1, Errc::none},
    {"[[[]]]", 1, Errc::limit_depth},
    {R"({"a":{"b":[1]}})", 3, Errc::none},
    {R"({"a":{"b":[1]}})", 2, Errc::limit_depth},
    {"[[1],[1]]", 2, Errc::none},
};

TEST(JsonScan, Rules) {
  JsonScanner scanner;
  for (const Case& c : kCases) EXPECT_EQ(scanner.scan(c.text, c.max_depth), c.want) << c.text;
}

// Forces the exact walk: json_fast_accept is only tried for JsonNullVisitor.
struct WalkOnly : JsonNullVisitor {};

TEST(JsonFast, AcceptsNothingTheWalkRefuses) {
  JsonScanner scanner;
  WalkOnly walk;
  for (const Case& c : kCases) {
    const Errc exact = scanner.scan(c.text, c.max_depth, walk);
    EXPECT_EQ(exact, c.want) << c.text;
    if (exact != Errc::none) {
      EXPECT_FALSE(json_fast_accept(c.text, c.max_depth)) << c.text;
    }
  }
  // Shapes aimed at each rule of the block check, all invalid.
  for (const char* text : {R"({"a","b":"c":"d"})",
                           R"({"a":1,"b"})",
                           R"({"a":1,2})",
                           R"({"a":1,2:3})",
                           R"({1})",
                           R"({[1]:2})",
                           R"(["a":1])",
                           R"("a":1)",
                           R"(1,2)",
                           R"([1]:2)",
                           R"({"a":"b":1})",
                           R"({"a" "b"})",
                           R"(["a""b"])",
                           R"([1"a"])",
                           R"(["a"1])",
                           R"([1 2])",
                           R"([true false])",
                           R"([{}{}])",
                           R"([[]1])",
                           R"([1,])",
                           R"([,])",
                           R"({,})",
                           R"({"a":})",
                           R"({:1})",
                           "[}",
                           "{]",
                           "[[1]",
                           "[1]]",
                           "]",
                           "}",
                           "",
                           "  ",
                           "[\"\\\"]",
                           "[01]",
                           "[-01]",
                           "[00]",
                           "[1.]",
                           "[.1]",
                           "[1.2.3]",
                           "[-]",
                           "[--1]",
                           "[1-2]",
                           "[1.-2]",
                           "[-.1]",
                           "[+1]",
                           "[1e5x]",
                           "[tru]",
                           "[truee]",
                           "[nul]",
                           "[falsy]",
                           "[True]",
                           "[t]",
                           "[nulll]",
                           "[true1]",
                           "[1true]",
                           "[\"\x01\"]",
                           "[\"a\tb\"]",
                           "[\"\\x\"]",
                           "[\"\\\"]",
                           "[\"\xff\"]",
                           "[\xc3\xa9]",
                           "[\"\xc3\"]",
                           "[\"\xed\xa0\x80\"]",
                           "[1\x7f]",
                           "[\x01]",
                           "\"abc",
                           "[\"abc]"}) {
    EXPECT_NE(scanner.scan(text, 32, walk), Errc::none) << text;
    EXPECT_FALSE(json_fast_accept(text, 32)) << text;
  }
  // Valid, but shapes the block check leaves to the walk.
  for (const char* text : {"[1234567890123456]", "[0.1234567890123456]", "[12345678901234567890]", "[1e5]", "[2.5E-3]",
                           R"(["\u00e9"])", R"({"\ud83d\ude00":0})"}) {
    EXPECT_EQ(scanner.scan(text, 32, walk), Errc::none) << text;
    EXPECT_FALSE(json_fast_accept(text, 32)) << text;
  }
}

TEST(JsonFast, AcceptsTheCommonShapes) {
  if (!json_fast_available()) GTEST_SKIP() << "no AVX2 on this machine: the walk does all the work";
  for (const char* text :
       {"0", "-1.5", "true", "null", R"("")", R"("a\"b\\c\/\n")", "[]", "{}", R"( [ 1 , { "a" : [ ] } ] )",
        R"(["chat",{"room":"r1","user":{"id":7,"name":"ana","tags":["x"]},"ok":true,"n":null}])",
        R"([[1.5,-2.25,0],[3,4,5]])", R"({"":{"":{"":[[[]]]}}})",
        "[\"caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80\"]", "[123456789012345]"}) {
    EXPECT_TRUE(json_fast_accept(text, 32)) << text;
  }
  // Depth: accepted up to the limit, left to the walk beyond it.
  EXPECT_TRUE(json_fast_accept("[[1]]", 2));
  EXPECT_FALSE(json_fast_accept("[[1]]", 1));
  // Texts of 63, 64 and 65 bytes: the last block is padding, or there is a block of padding only.
  for (std::size_t n : {63u, 64u, 65u, 127u, 128u, 129u}) {
    const std::string text = "[" + std::string(n - 2, ' ') + "]";
    EXPECT_TRUE(json_fast_accept(text, 32)) << n;
    std::string open = text;
    open.back() = ' ';
    EXPECT_FALSE(json_fast_accept(open, 32)) << n;
  }
}

// Valid documents of the shapes the block check takes, long enough that strings, numbers, blank
// runs and escapes cross 64-byte block boundaries at every offset.
class LongJson {
 public:
  explicit LongJson(std::uint64_t seed) : rng_(seed) {}

  std::string document() {
    out_.clear();
    blanks();
    value(0);
    blanks();
    return out_;
  }

 private:
  void blanks() {
    static constexpr std::array<char, 4> kBlank = {' ', '\t', '\n', '\r'};
    const std::size_t n = rng_.below(10) == 0 ? rng_.below(140) : rng_.below(3);
    for (std::size_t i = 0; i < n; ++i) out_ += rng_.pick(kBlank);
  }
  void digits(std::size_t n, bool nonzero_first) {
    for (std::size_t i = 0; i < n; ++i)
      out_ += static_cast<char>((i == 0 && nonzero_first ? '1' : '0') + rng_.below(i == 0 && nonzero_first ? 9 : 10));
  }
  void number() {
    if (rng_.below(3) == 0) out_ += '-';
    if (rng_.below(5) == 0) out_ += '0';
    else digits(1 + rng_.below(15), true);
    if (rng_.below(2) == 0) {
      out_ += '.';
      digits(1 + rng_.below(14), false);
    }
  }
  void string() {
    static constexpr std::array<const char*, 14> kPieces = {
        "a", "b", "z", " ", "0", "{", "]", ",", ":", "\\\"", "\\\\", "\\n", "\xc3\xa9", "\xf0\x9f\x98\x80"};
    out_ += '"';
    const std::size_t n = rng_.below(4) == 0 ? rng_.below(150) : rng_.below(8);
    for (std::size_t i = 0; i < n; ++i) out_ += rng_.pick(kPieces);
    out_ += '"';
  }
  void value(int depth) {
    const std::size_t roll = rng_.below(10);
    if (depth < 8 && roll < 2) {
      out_ += '[';
      const std::size_t n = rng_.below(6);
      for (std::size_t i = 0; i < n; ++i) {
        if (i) out_ += ',';
        blanks();
        value(depth + 1);
        blanks();
      }
      if (n == 0) blanks();
      out_ += ']';
    } else if (depth < 8 && roll < 4) {
      out_ += '{';
      const std::size_t n = rng_.below(5);
      for (std::size_t i = 0; i < n; ++i) {
        if (i) out_ += ',';
        blanks();
        string();
        blanks();
        out_ += ':';
        blanks();
        value(depth + 1);
        blanks();
      }
      if (n == 0) blanks();
      out_ += '}';
    } else if (roll < 7) {
      string();
    } else if (roll < 9) {
      number();
    } else {
      static constexpr std::array<const char*, 3> kLiterals = {"true", "false", "null"};
      out_ += rng_.pick(kLiterals);
    }
  }

  SplitMix rng_;
  std::string out_;
};

TEST(JsonFast, AcrossBlockBoundaries) {
  JsonScanner walker;
  WalkOnly walk;
  LongJson gen(7);
  SplitMix rng(11);
  std::size_t long_docs = 0, mutants_accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string doc = gen.document();
    long_docs += doc.size() > 128;
    const std::vector<char> exact(doc.begin(), doc.end());  // for the sanitizers: nothing after it
    const std::string_view text(exact.data(), exact.size());
    ASSERT_EQ(walker.scan(text, 32, walk), Errc::none) << doc;
    if (json_fast_available()) {
      ASSERT_TRUE(json_fast_accept(text, 32)) << doc;
    }
    // One byte changed, inserted or removed anywhere: accepted only if the walk accepts it too.
    std::string mutant = doc;
    const std::size_t at = rng.below(mutant.size());
    static constexpr std::string_view kBytes = "[]{},:\" \\0123456789.-eEtfnu\x01\xff\xc3";
    switch (rng.below(3)) {
      case 0: mutant[at] = kBytes[rng.below(kBytes.size())]; break;
      case 1: mutant.insert(mutant.begin() + static_cast<std::ptrdiff_t>(at), kBytes[rng.below(kBytes.size())]); break;
      default: mutant.erase(at, 1); break;
    }
    const std::vector<char> mutant_exact(mutant.begin(), mutant.end());
    const std::string_view mutant_text(mutant_exact.data(), mutant_exact.size());
    if (json_fast_accept(mutant_text, 32)) {
      ++mutants_accepted;
      EXPECT_EQ(walker.scan(mutant_text, 32, walk), Errc::none) << mutant;
    }
  }
  EXPECT_GT(long_docs, 2000u);
  if (json_fast_available()) {
    EXPECT_GT(mutants_accepted, 1000u);  // mutations inside strings and blanks keep the text valid
  }
}

TEST(JsonScan, DepthAtLimitAndLimitPlusOne) {
  JsonScanner scanner;
  for (std::uint64_t limit : {1u, 2u, 32u, 64u, 65u, 1000u}) {
    const auto nested = [](std::uint64_t d) { return std::string(d, '[') + "1" + std::string(d, ']'); };
    EXPECT_EQ(scanner.scan(nested(limit), limit), Errc::none) << limit;
    EXPECT_EQ(scanner.scan(nested(limit + 1), limit), Errc::limit_depth) << limit;
  }
}

TEST(JsonScan, RootAndFirstElement) {
  JsonScanner s;
  ASSERT_EQ(s.scan(R"(["conn\u0065ct",1])", 8), Errc::none);
  EXPECT_EQ(s.root_kind(), JsonKind::array);
  EXPECT_EQ(s.first_kind(), JsonKind::string);
  EXPECT_TRUE(s.first_string().equals("connect"));
  EXPECT_FALSE(s.first_string().equals("connec"));
  EXPECT_FALSE(s.first_string().equals("connectx"));
  ASSERT_EQ(s.scan(R"(["\ud83d\ude00"])", 8), Errc::none);
  EXPECT_TRUE(s.first_string().equals("\xF0\x9F\x98\x80"));
  ASSERT_EQ(s.scan("[]", 8), Errc::none);
  EXPECT_EQ(s.first_kind(), JsonKind::none);
  ASSERT_EQ(s.scan("[{}]", 8), Errc::none);
  EXPECT_EQ(s.first_kind(), JsonKind::object);
  ASSERT_EQ(s.scan("[[1],2]", 8), Errc::none);
  EXPECT_EQ(s.first_kind(), JsonKind::array);
  ASSERT_EQ(s.scan("[-1.5]", 8), Errc::none);
  EXPECT_EQ(s.first_kind(), JsonKind::real);
  ASSERT_EQ(s.scan("[18446744073709551615]", 8), Errc::none);
  EXPECT_EQ(s.first_kind(), JsonKind::uint64);
  ASSERT_EQ(s.scan("[null]", 8), Errc::none);
  EXPECT_EQ(s.first_kind(), JsonKind::null);
  ASSERT_EQ(s.scan(R"("x")", 8), Errc::none);
  EXPECT_EQ(s.root_kind(), JsonKind::string);
  ASSERT_EQ(s.scan(R"({"a":1})", 8), Errc::none);
  EXPECT_EQ(s.root_kind(), JsonKind::object);
}

// ---- the oracle: same verdict as simdjson's DOM on generated documents ----------------------------

using Rng = SplitMix;

// Scalars chosen to sit on the rules' edges, valid and not.
constexpr std::array<const char*, 44> kScalars = {"0",
                                                  "-0",
                                                  "1",
                                                  "-1",
                                                  "12.5",
                                                  "-0.25",
                                                  "1e5",
                                                  "1E-5",
                                                  "2.5e+3",
                                                  "1e400",
                                                  "-1e400",
                                                  "1e-400",
                                                  "01",
                                                  "1.",
                                                  ".5",
                                                  "-",
                                                  "1e",
                                                  "1x",
                                                  "9223372036854775807",
                                                  "9223372036854775808",
                                                  "18446744073709551615",
                                                  "18446744073709551616",
                                                  "-9223372036854775809",
                                                  "123456789012345678901",
                                                  "true",
                                                  "false",
                                                  "null",
                                                  "tru",
                                                  "nul",
                                                  "truex",
                                                  R"("")",
                                                  R"("a")",
                                                  R"("caf\u00e9")",
                                                  R"("\"\\\/\b\f\n\r\t")",
                                                  R"("\x")",
                                                  R"("\ud800")",
                                                  R"("\udc00")",
                                                  R"("\ud83d\ude00")",
                                                  R"("\ud800\u0041")",
                                                  R"("\\ud800")",
                                                  R"("\u12")",
                                                  "\"\xc3\xa9\"",
                                                  "\"\xff\"",
                                                  "\"a\x01\""};

void value(Rng& rng, std::string& out, int depth) {
  const std::size_t roll = rng.below(10);
  if (depth < 6 && roll < 2) {
    out += '[';
    const std::size_t n = rng.below(4);
    for (std::size_t i = 0; i < n; ++i) {
      if (i) out += rng.below(40) ? "," : "";
      if (rng.below(8) == 0) out += ' ';
      value(rng, out, depth + 1);
    }
    out += ']';
  } else if (depth < 6 && roll < 4) {
    out += '{';
    const std::size_t n = rng.below(4);
    for (std::size_t i = 0; i < n; ++i) {
      if (i) out += rng.below(40) ? "," : "";
      out += rng.below(30) ? "\"k\"" : kScalars[rng.below(kScalars.size())];
      out += rng.below(40) ? ":" : "";
      value(rng, out, depth + 1);
    }
    out += '}';
  } else {
    out += kScalars[rng.below(kScalars.size())];
  }
}

// One byte inserted, deleted or replaced: the shapes a hand-written walk gets wrong.
void mutate(Rng& rng, std::string& doc) {
  static constexpr std::string_view kBytes = "[]{},:\" \\0123456789.-+eEtfnu\x01\xff";
  const std::size_t at = doc.empty() ? 0 : rng.below(doc.size() + 1);
  const char b = kBytes[rng.below(kBytes.size())];
  switch (rng.below(3)) {
    case 0: doc.insert(doc.begin() + static_cast<std::ptrdiff_t>(at), b); break;
    case 1:
      if (at < doc.size()) doc.erase(at, 1);
      break;
    default:
      if (at < doc.size()) doc[at] = b;
      break;
  }
}

// A backslash that starts no valid escape, and somewhere a \uD800-\uDFFF escape.
bool has_bad_escape_and_surrogate(std::string_view doc) {
  const auto hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
  bool bad = false, surrogate = false;
  for (std::size_t i = 0; i + 1 < doc.size(); ++i) {
    if (doc[i] != '\\') continue;
    const char e = doc[i + 1];
    if (e == 'u') {
      const bool four = i + 5 < doc.size() && hex(doc[i + 2]) && hex(doc[i + 3]) && hex(doc[i + 4]) && hex(doc[i + 5]);
      if (!four) bad = true;
      if (four && (doc[i + 2] == 'd' || doc[i + 2] == 'D') &&
          std::string_view("89abcdefABCDEF").find(doc[i + 3]) != std::string_view::npos)
        surrogate = true;
    } else if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
      bad = true;
    }
    ++i;  // the escaped character
  }
  return bad && surrogate;
}

TEST(JsonScan, SameVerdictAsSimdjsonDom) {
  JsonScanner scanner, walker;
  WalkOnly walk;
  JsonDom dom;
  Rng rng(20261130);
  std::size_t valid = 0, invalid = 0, mismatches = 0, fast = 0;
  for (int i = 0; i < 200000; ++i) {
    std::string doc;
    value(rng, doc, 0);
    const std::size_t mutations = rng.below(3);
    for (std::size_t m = 0; m < mutations; ++m) mutate(rng, doc);
    const std::uint32_t depth = static_cast<std::uint32_t>(rng.below(5));
    const Errc want = dom.parse(doc, depth);
    // A test-only copy, so that a scan that reads past the text trips the sanitizers.
    const std::vector<char> exact(doc.begin(), doc.end());
    const std::string_view text(exact.data(), exact.size());
    const Errc got = scanner.scan(text, depth);
    const Errc walked = walker.scan(text, depth, walk);
    if (walked != got && ++mismatches <= 10)
      ADD_FAILURE() << "depth " << depth << " text " << doc << ": walk " << name(walked) << ", with the block check "
                    << name(got);
    if (json_fast_accept(text, depth)) {
      ++fast;
      // The facts read after a block-check accept are those the walk found.
      if (walker.root_kind() != scanner.root_kind() || walker.first_kind() != scanner.first_kind() ||
          walker.first_string().raw != scanner.first_string().raw)
        ADD_FAILURE() << "facts differ for " << doc;
    }
    (want == Errc::none ? valid : invalid)++;
    // JsonDom names a string error by looking for a lone surrogate anywhere in the text; the scan
    // names the escape that failed. They may differ only when one text holds both kinds.
    const bool either_name = (want == Errc::json_lone_surrogate || want == Errc::json_syntax) &&
                             (got == Errc::json_lone_surrogate || got == Errc::json_syntax) &&
                             has_bad_escape_and_surrogate(doc);
    if (want != got && !either_name) {
      if (++mismatches <= 10)
        ADD_FAILURE() << "depth " << depth << " text " << doc << ": dom " << name(want) << ", scan " << name(got);
    }
  }
  // The generator must exercise both sides.
  EXPECT_GT(valid, 40000u);
  EXPECT_GT(invalid, 40000u);
  if (json_fast_available()) {
    EXPECT_GT(fast, valid / 4);  // the block check takes a good share
  }
  EXPECT_EQ(mismatches, 0u);
}

}  // namespace
}  // namespace sioconf::detail
