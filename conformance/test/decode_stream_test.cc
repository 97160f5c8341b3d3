// `sioconf decode` as a stream (decode.cc): the same output however the input arrives, the
// same items as a decode of whole elements, and bad jsonl lines answered as before it streamed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "cli.h"

namespace sioconf::cli {
namespace {

struct Outcome {
  int status;
  std::string out, err;
  bool operator==(const Outcome&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Outcome& r) {
  return os << "exit " << r.status << ", out: " << r.out << ", err: " << r.err;
}

// `input` decoded with reads of at most `piece` bytes.
Outcome stream(const std::string& layer, InputMode mode, const std::string& input, std::size_t piece,
               const json& limits = json()) {
  std::size_t at = 0;
  const ReadFn read = [&](char* buffer, std::size_t size) {
    const std::size_t n = std::min({size, piece, input.size() - at});
    std::memcpy(buffer, input.data() + at, n);
    at += n;
    return n;
  };
  std::ostringstream out, err;
  const int status = decode_stream(*find_layer(layer), mode, limits_from_json(limits), json::object(), read, out, err);
  return {status, out.str(), err.str()};
}

// Every read size gives what one read of everything gives; returns that.
Outcome every_cut(const std::string& layer, InputMode mode, const std::string& input, const json& limits = json()) {
  const Outcome whole = stream(layer, mode, input, input.size() + 1, limits);
  for (std::size_t piece : {1, 2, 3, 5, 7, 64})
    EXPECT_EQ(stream(layer, mode, input, piece, limits), whole) << layer << " read " << piece << " at a time";
  return whole;
}

TEST(DecodeStream, JsonlElementsUnescapedAndDecodedAcrossReads) {
  const std::string input = R"({"text":"51-[\"\u00e9\ud83d\ude00\/\\n\\\"\",{\"_placeholder\":true,\"num\":0}]"})"
                            "\n"
                            "\n"  // skipped
                            R"(  { "base64" : "AQID" }  )"
                            "\n"
                            R"({"text":"2[\"a\"]"})"
                            "\n"
                            R"({"text":"51-[\"é\",{\"_placeholder\":true,\"num\":0}]"})"
                            "\n"
                            R"({"hex":"0 1 ff"})";  // whitespace anywhere, as json_io.cc has it; no last newline
  const Outcome run = every_cut("sio", InputMode::jsonl, input);
  EXPECT_EQ(run, (Outcome{0,
                          "{\"data\":[\"é😀/\\n\\\"\",{\"$binary\":\"AQID\"}],\"nsp\":\"/\",\"type\":5}\n"
                          "{\"data\":[\"a\"],\"nsp\":\"/\",\"type\":2}\n"
                          "{\"data\":[\"é\",{\"$binary\":\"Af8=\"}],\"nsp\":\"/\",\"type\":5}\n",
                          ""}));
}

TEST(DecodeStream, SameItemsAsWholeElements) {
  struct Case {
    const char* layer;
    InputMode mode;
    std::string input;
    std::vector<Element> elements;
  };
  const std::string frames =
      std::string("\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 11) + std::string("\x89\x80\x37\xfa\x21\x3d", 6);
  const Case cases[] = {
      {"sio",
       InputMode::lines,
       "2[\"a\"]\n0\n\n2/x,1[\"b\"]",
       {{true, "2[\"a\"]"}, {true, "0"}, {true, ""}, {true, "2/x,1[\"b\"]"}}},
      {"sio", InputMode::raw, "2[\"a\"]\n", {{true, "2[\"a\"]\n"}}},
      {"eio", InputMode::lines, "4hello\n2probe\n6", {{true, "4hello"}, {true, "2probe"}, {true, "6"}}},
      {"eio-payload",
       InputMode::raw,
       "4hello\x1e"
       "2\x1e"
       "bAQIDBA==",
       {{false,
         "4hello\x1e"
         "2\x1e"
         "bAQIDBA=="}}},
      {"eio-payload",
       InputMode::lines,
       "4a\x1e"
       "2\n4b\n\x1e",
       {{true,
         "4a\x1e"
         "2"},
        {true, "4b"},
        {true, "\x1e"}}},
      {"ws", InputMode::raw, frames, {{false, frames}}},
      {"ws",
       InputMode::jsonl,
       R"({"hex":"81 85 37fa213d"})"
       "\n"
       R"({"hex":"7f9f4d5158"})"
       "\n",
       {{false, frames.substr(0, 6)}, {false, frames.substr(6, 5)}}},
      {"ndjson", InputMode::raw, "{\"a\":[1,2]}\n[3]\n\"x", {{false, "{\"a\":[1,2]}\n[3]\n\"x"}}},
  };
  for (const Case& c : cases) {
    json items = json::array();
    const DecodeResult want = decode_elements(*find_layer(c.layer), c.elements, Limits{}, json::object(), items);
    std::string expected;
    for (const json& item : items) expected += item.dump() + "\n";
    const Outcome run = every_cut(c.layer, c.mode, c.input);
    EXPECT_EQ(run.status, want.error ? 1 : 0) << c.layer << ": " << run;
    EXPECT_EQ(run.out.substr(0, expected.size()), expected) << c.layer;
    if (want.error) {
      const json last = json::parse(run.out.substr(expected.size()));
      EXPECT_EQ(last["error"], name(*want.error)) << c.layer;
      EXPECT_EQ(last["offset"], want.offset) << c.layer;
    } else {
      EXPECT_EQ(run.out.size(), expected.size()) << c.layer << ": " << run;
    }
  }
}

TEST(DecodeStream, AnElementOverTheLimitIsTheLimitsErrorAtTheWholeOnesOffset) {
  const json limits = {{"max_payload_bytes", 8u}, {"eio_max_packet_bytes", 8u}};
  const std::string big = "2[" + std::string(100, '1') + "]";
  json items = json::array();
  const DecodeResult want =
      decode_elements(kSioLayer, {{true, "2[1]"}, {true, big}}, limits_from_json(limits), json::object(), items);
  ASSERT_TRUE(want.error);
  const std::string error =
      json{{"error", name(*want.error)}, {"condition", name(condition(*want.error))}, {"offset", want.offset}}.dump() +
      "\n";
  EXPECT_EQ(error, R"({"condition":"limit","error":"limit_payload_bytes","offset":12})"
                   "\n");
  const std::string item = R"({"data":[1],"nsp":"/","type":2})"
                           "\n";
  EXPECT_EQ(every_cut("sio", InputMode::lines, "2[1]\n" + big + "\n2[2]\n", limits), (Outcome{1, item + error, ""}));
  EXPECT_EQ(every_cut("sio", InputMode::jsonl,
                      R"({"text":"2[1]"})"
                      "\n"
                      R"({"text":")" +
                          std::string(big).replace(1, 1, "\\u005b") + "\"}\n",
                      limits),
            (Outcome{1, item + error, ""}));
  EXPECT_EQ(every_cut("eio", InputMode::raw, "4" + std::string(100, 'y'), limits),
            (Outcome{1,
                     R"({"condition":"limit","error":"limit_eio_packet_bytes","offset":8})"
                     "\n",
                     ""}));
}

TEST(DecodeStream, BadJsonlLinesAnsweredAsBefore) {
  const std::string not_json = "sioconf: --input jsonl: a line is not JSON\n";
  const auto bad_request = [](const std::string& message) {
    return json{{"error", "bad_request"}, {"condition", "protocol"}, {"message", message}}.dump() + "\n";
  };
  // Not JSON at all: exit 2, as the command's usage error.
  for (const char* line : {"x", "  ", R"({"text":"2[\"\ud800\"]"})", R"({"text":"a)", R"({"text":"a"} x)",
                           "{\"text\":\"\x01\"}", "{\"text\":\"\xff\"}", R"({"text":"\q"})"})
    EXPECT_EQ(every_cut("sio", InputMode::jsonl, std::string(line) + "\n"), (Outcome{2, "", not_json})) << line;
  // JSON, but not an element: element_from_json's answer, exit 1.
  EXPECT_EQ(every_cut("sio", InputMode::jsonl,
                      R"({"text":1})"
                      "\n"),
            (Outcome{1, bad_request(R"(element must be {"text"|"base64"|"hex": <string>})"), ""}));
  EXPECT_EQ(every_cut("sio", InputMode::jsonl,
                      R"({"text":"2[1]","hex":"00"})"
                      "\n"),
            (Outcome{1, bad_request(R"(element must be {"text"|"base64"|"hex": ...})"), ""}));
  EXPECT_EQ(every_cut("ws", InputMode::jsonl,
                      R"({"base64":"AQ==AQID"})"
                      "\n"),
            (Outcome{1, bad_request("base64 element is not strict base64"), ""}));
  EXPECT_EQ(every_cut("ws", InputMode::jsonl,
                      R"({"base64":"AQI"})"
                      "\n"),
            (Outcome{1, bad_request("base64 element is not strict base64"), ""}));
  EXPECT_EQ(every_cut("ws", InputMode::jsonl,
                      R"({"hex":"0g"})"
                      "\n"),
            (Outcome{1, bad_request("hex: bad digit"), ""}));
  EXPECT_EQ(every_cut("ws", InputMode::jsonl,
                      R"({"hex":"012"})"
                      "\n"),
            (Outcome{1, bad_request("hex: odd number of digits"), ""}));
}

}  // namespace
}  // namespace sioconf::cli
