#include "sioconf/ndjson/line_decoder.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/grind.h"

namespace sioconf::ndjson {
namespace {

// Records each line as "line <text>" (non-printable bytes as \xNN).
class Recorder : public LineSink {
 public:
  std::vector<std::string> events;
  std::vector<const char*> starts;  // where each view pointed
  void on_line(std::string_view text) noexcept override {
    EXPECT_FALSE(text.empty());
    events.push_back("line " + test::printable(as_bytes(text)));
    starts.push_back(text.data());
  }
};

std::string outcome_of(DecodeError e, bool at_finish) {
  return std::string(at_finish ? "finish error " : "error ") + std::string(name(e.code)) + " @" +
         std::to_string(e.offset);
}

test::Transcript run(const Limits& limits, const std::vector<ByteView>& chunks) {
  LineDecoder dec(limits);
  Recorder rec;
  bool at_boundary = true;  // everything fed so far ends just after a '\n'
  for (ByteView c : chunks) {
    if (!c.empty()) at_boundary = c.back() == '\n';
    const Fed r = dec.feed(c, rec);
    if (r.status == Status::error) {
      EXPECT_LE(r.consumed, c.size());
      const Fed again = dec.feed(as_bytes("1\n"), rec);  // sticky
      EXPECT_EQ(again.status, Status::error);
      EXPECT_EQ(again.consumed, 0u);
      EXPECT_EQ(dec.finish(rec), Status::error);
      return {rec.events, outcome_of(dec.error(), false)};
    }
    EXPECT_EQ(r.consumed, c.size());
    EXPECT_EQ(r.status, at_boundary ? Status::ok : Status::need_more);
  }
  EXPECT_EQ(dec.lines(), rec.events.size());
  if (dec.finish(rec) == Status::error) return {rec.events, outcome_of(dec.error(), true)};
  return {rec.events, "ok"};
}

struct Row {
  const char* name;
  std::string input;
  std::vector<std::string> events;
  std::string outcome;
  std::uint64_t max_line_bytes = 1'000'000;
  std::uint32_t max_depth = 32;
};

std::vector<Row> rows() {
  return {
      // ---- lines ----
      {"empty stream", "", {}, "ok"},
      {"one object", "{\"a\":1}\n", {"line {\"a\":1}"}, "ok"},
      {"every kind of value",
       "1\n\"s\"\ntrue\nfalse\nnull\n[]\n{}\n-0.5e3\n",
       {"line 1", "line \"s\"", "line true", "line false", "line null", "line []", "line {}", "line -0.5e3"},
       "ok"},
      {"chat packet",
       "{\"event\":\"chat\",\"data\":{\"message\":\"Hello server!\"}}\n",
       {"line {\"event\":\"chat\",\"data\":{\"message\":\"Hello server!\"}}"},
       "ok"},
      {"utf-8 text",
       "[\"w\xc3\xb6rld\",\"\xf0\x9f\x98\x80\"]\n",
       {"line [\"w\\xc3\\xb6rld\",\"\\xf0\\x9f\\x98\\x80\"]"},
       "ok"},
      {"whitespace around the value is kept", " [1] \t\n", {"line  [1] \\x09"}, "ok"},
      {"crlf line ends", "[1]\r\n[2]\n", {"line [1]", "line [2]"}, "ok"},
      {"only one cr is dropped", "[1]\r\r\n", {"line [1]\\x0d"}, "ok"},
      {"a cr inside the line is whitespace", "[1,\r2]\n", {"line [1,\\x0d2]"}, "ok"},
      {"escaped newline in a string", "\"a\\nb\"\n", {"line \"a\\x5cnb\""}, "ok"},
      // ---- empty lines ----
      {"empty first line", "\n", {}, "error ndjson_empty_line @0"},
      {"empty line after a line", "1\n\n2\n", {"line 1"}, "error ndjson_empty_line @2"},
      {"crlf empty line", "1\n\r\n", {"line 1"}, "error ndjson_empty_line @2"},
      // ---- JSON rules ----
      {"whitespace-only line", " \n", {}, "error json_syntax @0"},
      {"two values on one line", "1 2\n", {}, "error json_syntax @0"},
      {"raw newline splits a value", "[1,\n2]\n", {}, "error json_syntax @0"},
      {"trailing garbage", "[1]x\n", {}, "error json_syntax @0"},
      {"raw control character in a string", "\"a\x01\"\n", {}, "error json_syntax @0"},
      {"bad utf-8", "\"\xff\"\n", {}, "error json_bad_utf8 @0"},
      {"number out of range", "[1]\n18446744073709551616\n", {"line [1]"}, "error json_number @4"},
      {"lone surrogate", "\"\\ud800\"\n", {}, "error json_lone_surrogate @0"},
      {"error offset is absolute", "[1]\n[2]\n[x]\n[4]\n", {"line [1]", "line [2]"}, "error json_syntax @8"},
      // ---- Limits::max_depth at limit and limit + 1 ----
      {"depth at limit", "[[1]]\n", {"line [[1]]"}, "ok", 1'000'000, 2},
      {"depth over limit", "1\n[[[1]]]\n", {"line 1"}, "error limit_depth @2", 1'000'000, 2},
      {"depth 0 admits scalars", "7\n{}\n", {"line 7", "line {}"}, "ok", 1'000'000, 0},
      // ---- truncation: a last line without '\n' ----
      {"last line without newline", "[1]", {}, "finish error truncated @3"},
      {"unterminated after a line", "[1]\n[2", {"line [1]"}, "finish error truncated @6"},
      {"lone cr at the end", "[1]\n\r", {"line [1]"}, "finish error truncated @5"},
      {"unterminated invalid text is not validated", "1\n{{", {"line 1"}, "finish error truncated @4"},
      // ---- Limits::ndjson_max_line_bytes at limit and limit + 1 ----
      {"line at limit", "12345\n", {"line 12345"}, "ok", 5},
      {"line over limit", "123456\n", {}, "error limit_ndjson_line_bytes @5", 5},
      {"over limit without any newline", "1234567890", {}, "error limit_ndjson_line_bytes @5", 5},
      {"over limit in a later line", "1\n123456\n", {"line 1"}, "error limit_ndjson_line_bytes @7", 5},
      {"the cr counts toward the limit", "12345\r\n", {}, "error limit_ndjson_line_bytes @5", 5},
      {"at limit with its cr", "1234\r\n", {"line 1234"}, "ok", 5},
      {"limit checked before JSON", "[[[[[[\n", {}, "error limit_ndjson_line_bytes @3", 3},
      {"limit 0 still sees empty lines", "\n", {}, "error ndjson_empty_line @0", 0},
      {"limit 0 refuses the first byte", "1\n", {}, "error limit_ndjson_line_bytes @0", 0},
      {"unterminated line at limit", "12345", {}, "finish error truncated @5", 5},
  };
}

TEST(LineDecoder, Table) {
  for (const Row& row : rows()) {
    SCOPED_TRACE(row.name);
    Limits limits;
    limits.ndjson_max_line_bytes = row.max_line_bytes;
    limits.max_depth = row.max_depth;
    const test::Transcript t =
        test::grind([&](const std::vector<ByteView>& chunks) { return run(limits, chunks); }, row.input);
    EXPECT_EQ(t.events, row.events);
    EXPECT_EQ(t.outcome, row.outcome);
  }
}

TEST(LineDecoder, DefaultLimitAtLimitAndLimitPlusOne) {
  // One JSON string of exactly 1 000 000 bytes, then one byte longer; grind() would map a guard
  // page pair per byte here, so the rows are cut at a sample of points instead.
  const Limits limits;
  ASSERT_EQ(limits.ndjson_max_line_bytes, 1'000'000u);
  const std::string at = "\"" + std::string(999'998, 'x') + "\"";
  const std::string over = "\"" + std::string(999'999, 'x') + "\"";
  std::vector<std::vector<std::size_t>> cuts = {{}, {1}, {999'999}, {1'000'000}, {4096, 500'000, 999'000}};
  for (std::size_t i = 0; i < 1'000'000; i += 99'991) cuts.push_back({i});
  const auto runner = [&](const std::vector<ByteView>& chunks) { return run(limits, chunks); };
  for (const auto& c : cuts) {
    const test::Transcript ok = test::run_guarded(runner, at + "\n", c);
    ASSERT_EQ(ok.events.size(), 1u);
    EXPECT_EQ(ok.events[0].size(), 5 + at.size());
    EXPECT_EQ(ok.outcome, "ok");
    const test::Transcript bad = test::run_guarded(runner, over + "\n", c);
    EXPECT_TRUE(bad.events.empty());
    EXPECT_EQ(bad.outcome, "error limit_ndjson_line_bytes @1000000");
  }
}

TEST(LineDecoder, StatusAndConsumed) {
  LineDecoder dec;
  Recorder rec;
  Fed r = dec.feed(as_bytes("[1]\n[2"), rec);
  EXPECT_EQ(r.status, Status::need_more);
  EXPECT_EQ(r.consumed, 6u);
  EXPECT_EQ(rec.events, (std::vector<std::string>{"line [1]"}));
  r = dec.feed(as_bytes("]\n"), rec);
  EXPECT_EQ(r.status, Status::ok);
  EXPECT_EQ(r.consumed, 2u);
  EXPECT_EQ(dec.offset(), 8u);
  EXPECT_EQ(dec.lines(), 2u);
  r = dec.feed({}, rec);
  EXPECT_EQ(r.status, Status::ok);
  EXPECT_EQ(r.consumed, 0u);
  EXPECT_EQ(dec.finish(rec), Status::ok);
  EXPECT_FALSE(dec.error());
}

TEST(LineDecoder, ConsumedOnErrorAndStickiness) {
  LineDecoder dec;
  Recorder rec;
  // A bad line is consumed through its '\n'; the lines before it were delivered.
  Fed r = dec.feed(as_bytes("[1]\nx\n[3]\n"), rec);
  EXPECT_EQ(r.status, Status::error);
  EXPECT_EQ(r.consumed, 6u);
  EXPECT_EQ(dec.error(), (DecodeError{Errc::json_syntax, 4}));
  EXPECT_EQ(dec.offset(), 6u);
  EXPECT_EQ(rec.events, (std::vector<std::string>{"line [1]"}));
  r = dec.feed(as_bytes("[4]\n"), rec);
  EXPECT_EQ(r.status, Status::error);
  EXPECT_EQ(r.consumed, 0u);
  EXPECT_EQ(dec.finish(rec), Status::error);
  EXPECT_EQ(dec.error(), (DecodeError{Errc::json_syntax, 4}));
  dec.reset();
  EXPECT_FALSE(dec.error());
  EXPECT_EQ(dec.offset(), 0u);
  EXPECT_EQ(dec.lines(), 0u);
  r = dec.feed(as_bytes("[4]\n"), rec);
  EXPECT_EQ(r.status, Status::ok);
  EXPECT_EQ(rec.events.back(), "line [4]");
  EXPECT_EQ(dec.lines(), 1u);
}

TEST(LineDecoder, OverlongLineIsConsumedThroughTheFirstByteOverTheLimit) {
  Limits limits;
  limits.ndjson_max_line_bytes = 3;
  LineDecoder dec(limits);
  Recorder rec;
  Fed r = dec.feed(as_bytes("ab\nab"), rec);  // "ab" is not JSON, but it is refused only at '\n'
  EXPECT_EQ(r.status, Status::error);
  EXPECT_EQ(dec.error(), (DecodeError{Errc::json_syntax, 0}));
  dec.reset();
  r = dec.feed(as_bytes("12\n12"), rec);
  EXPECT_EQ(r.status, Status::need_more);
  r = dec.feed(as_bytes("3456789"), rec);
  EXPECT_EQ(r.status, Status::error);
  EXPECT_EQ(r.consumed, 2u);  // "3" fills the line to the limit, "4" passes it
  EXPECT_EQ(dec.error(), (DecodeError{Errc::limit_ndjson_line_bytes, 6}));
  EXPECT_EQ(dec.offset(), 7u);
}

TEST(LineDecoder, WholeLinesAreViewsIntoTheInputSplitLinesAreCopied) {
  LineDecoder dec;
  Recorder rec;
  const std::string first = "[1]\n[2]\n[3";
  ASSERT_EQ(dec.feed(as_bytes(first), rec).status, Status::need_more);
  ASSERT_EQ(rec.starts.size(), 2u);
  EXPECT_EQ(rec.starts[0], first.data());
  EXPECT_EQ(rec.starts[1], first.data() + 4);
  const std::string second = "3]\n";
  ASSERT_EQ(dec.feed(as_bytes(second), rec).status, Status::ok);
  ASSERT_EQ(rec.starts.size(), 3u);
  EXPECT_EQ(rec.events[2], "line [33]");
  EXPECT_NE(rec.starts[2], first.data() + 8);
  EXPECT_NE(rec.starts[2], second.data());
}

TEST(LineDecoder, SpillNeverReservesMoreThanTheLimit) {
  for (std::uint64_t limit : {0u, 1u, 100u, 300u, 1000u, 5000u}) {
    SCOPED_TRACE(limit);
    Limits limits;
    limits.ndjson_max_line_bytes = limit;
    LineDecoder dec(limits);
    Recorder rec;
    // Byte by byte up to the limit: the worst case for geometric growth.
    for (std::uint64_t i = 0; i < limit; ++i) {
      ASSERT_EQ(dec.feed(as_bytes("1"), rec).status, Status::need_more);
      EXPECT_LE(dec.spill_capacity(), limit);
    }
    EXPECT_EQ(dec.feed(as_bytes("1"), rec).status, Status::error);
    EXPECT_EQ(dec.error(), (DecodeError{Errc::limit_ndjson_line_bytes, limit}));
    EXPECT_LE(dec.spill_capacity(), limit);
  }
}

TEST(LineDecoder, CrlfStreamOfManyLines) {
  std::string stream;
  std::vector<std::string> expected;
  for (int i = 0; i < 50; ++i) {
    const std::string v =
        "{\"n\":" + std::to_string(i) + ",\"s\":\"" + std::string(static_cast<std::size_t>(i), 'y') + "\"}";
    stream += v + (i % 2 ? "\r\n" : "\n");
    expected.push_back("line " + v);
  }
  const Limits limits;
  const test::Transcript t =
      test::grind([&](const std::vector<ByteView>& chunks) { return run(limits, chunks); }, stream, 0);
  EXPECT_EQ(t.events, expected);
  EXPECT_EQ(t.outcome, "ok");
}

// ---- encode_line ----

struct EncodeRow {
  const char* name;
  std::string text;
  Errc errc;
  std::uint64_t max_line_bytes = 1'000'000;
  std::uint32_t max_depth = 32;
};

TEST(EncodeLine, Table) {
  const std::vector<EncodeRow> table = {
      {"object", "{\"a\":[1,2]}", Errc::none},
      {"scalar", "7", Errc::none},
      {"whitespace around", " [1] ", Errc::none},
      {"escaped newline", "\"a\\nb\"", Errc::none},
      {"empty", "", Errc::ndjson_empty_line},
      {"raw newline as whitespace", "[1,\n2]", Errc::ndjson_raw_newline},
      {"only a newline", "\n", Errc::ndjson_raw_newline},
      {"trailing cr", "[1]\r", Errc::ndjson_raw_newline},
      {"cr as whitespace", "[1,\r2]", Errc::ndjson_raw_newline},
      {"newline checked before JSON", "[1,\nx", Errc::ndjson_raw_newline},
      {"not JSON", "[1", Errc::json_syntax},
      {"two values", "1 2", Errc::json_syntax},
      {"bad utf-8", "\"\xc3\"", Errc::json_bad_utf8},
      {"number out of range", "1e400", Errc::json_number},
      {"lone surrogate", "\"\\udc00\"", Errc::json_lone_surrogate},
      {"depth at limit", "[[1]]", Errc::none, 1'000'000, 2},
      {"depth over limit", "[[[1]]]", Errc::limit_depth, 1'000'000, 2},
      {"line at limit", "12345", Errc::none, 5},
      {"line over limit", "123456", Errc::limit_ndjson_line_bytes, 5},
      {"limit checked first", "[1,\n2]", Errc::limit_ndjson_line_bytes, 3},
  };
  for (const EncodeRow& row : table) {
    SCOPED_TRACE(row.name);
    Limits limits;
    limits.ndjson_max_line_bytes = row.max_line_bytes;
    limits.max_depth = row.max_depth;
    std::string out = "prev\n";
    EXPECT_EQ(encode_line(row.text, out, limits), row.errc);
    if (row.errc != Errc::none) {
      EXPECT_EQ(out, "prev\n");  // nothing appended on error
      continue;
    }
    EXPECT_EQ(out, "prev\n" + row.text + "\n");
    // What the encoder writes, the decoder (same limits) reads back, under every chunking.
    const test::Transcript t =
        test::grind([&](const std::vector<ByteView>& chunks) { return run(limits, chunks); }, out.substr(5));
    EXPECT_EQ(t.events, std::vector<std::string>{"line " + test::printable(as_bytes(row.text))});
    EXPECT_EQ(t.outcome, "ok");
  }
}

}  // namespace
}  // namespace sioconf::ndjson
