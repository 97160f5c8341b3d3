#include "cli.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace sioconf::cli {
namespace {

TEST(Adapter, HelloListsLayersAndLimits) {
  const json answer = handle_request({{"op", "hello"}, {"protocol", 1}});
  EXPECT_EQ(answer["ok"], true);
  EXPECT_EQ(answer["layers"], json({"sio", "eio", "eio-payload", "ws", "ndjson"}));
  EXPECT_NE(std::find(answer["limits"].begin(), answer["limits"].end(), "max_attachments"), answer["limits"].end());
}

TEST(Adapter, UnsupportedLayerOpAndLimit) {
  EXPECT_EQ(handle_request({{"op", "decode"}, {"id", "a"}, {"layer", "wsframe"}, {"input", json::array()}}),
            json({{"id", "a"}, {"unsupported", "layer wsframe"}}));
  EXPECT_EQ(handle_request({{"op", "shrink"}, {"id", "b"}}), json({{"id", "b"}, {"unsupported", "op shrink"}}));
  EXPECT_EQ(handle_request({{"op", "decode"},
                            {"id", "c"},
                            {"layer", "sio"},
                            {"input", json::array()},
                            {"limits", {{"max_widgets", 1}}}}),
            json({{"id", "c"}, {"unsupported", "limit max_widgets"}}));
}

TEST(Adapter, BadRequestsAreAnsweredNotThrown) {
  for (const json& bad :
       {json(1), json({{"id", 1}}), json({{"op", "decode"}, {"id", "d"}, {"layer", "sio"}, {"input", {{{"nope", 1}}}}}),
        json({{"op", "decode"}, {"id", "e"}, {"layer", "sio"}, {"input", {{{"base64", "A"}}}}}),
        json({{"op", "decode"}, {"id", "f"}, {"layer", "sio"}}),
        json({{"op", "decode"},
              {"id", "g"},
              {"layer", "sio"},
              {"input", json::array()},
              {"limits", {{"max_depth", -1}}}})}) {
    const json answer = handle_request(bad);
    EXPECT_EQ(answer.value("error", ""), "bad_request") << bad.dump() << " -> " << answer.dump();
    EXPECT_EQ(answer.value("ok", true), false);
  }
}

TEST(Adapter, DecodeErrorCarriesNameConditionItemsAndOffset) {
  const json answer = handle_request(
      {{"op", "decode"}, {"id", "x"}, {"layer", "sio"}, {"input", {{{"text", "2[\"a\"]"}}, {{"text", "2[{}]"}}}}});
  EXPECT_EQ(answer["ok"], false);
  EXPECT_EQ(answer["error"], "sio_bad_event_name");
  EXPECT_EQ(answer["condition"], "protocol");
  ASSERT_EQ(answer["items"].size(), 1u);
  EXPECT_EQ(answer["items"][0], json({{"type", 2}, {"nsp", "/"}, {"data", {"a"}}}));
  EXPECT_GE(answer["offset"].get<std::uint64_t>(), 6u);  // in the second message
}

TEST(Adapter, InputThatEndsInsideAPacketIsPending) {
  const json answer =
      handle_request({{"op", "decode"},
                      {"id", "p"},
                      {"layer", "sio"},
                      {"input", {{{"text", "2[\"a\"]"}}, {{"text", "51-[\"b\",{\"_placeholder\":true,\"num\":0}]"}}}}});
  EXPECT_EQ(
      answer,
      json({{"id", "p"}, {"ok", true}, {"items", {{{"type", 2}, {"nsp", "/"}, {"data", {"a"}}}}}, {"pending", true}}));
}

// The follow-up goes on with the same decoder after input it took (a binary packet completed by
// the follow-up's attachment), and with a new one after a rejection.
TEST(Adapter, AFollowUpIsAnsweredApart) {
  const json b = {{"type", 2}, {"nsp", "/"}, {"data", {"b"}}};
  json answer = handle_request({{"op", "decode"},
                                {"id", "n"},
                                {"layer", "sio"},
                                {"input", {{{"text", "2[{}]"}}}},
                                {"next", {{{"text", "2[\"b\"]"}}}}});
  EXPECT_EQ(answer["error"], "sio_bad_event_name");
  EXPECT_EQ(answer["next"], json({{"ok", true}, {"items", json::array({b})}}));
  answer =
      handle_request({{"op", "decode"},
                      {"id", "n"},
                      {"layer", "sio"},
                      {"input", {{{"text", "2[\"b\"]"}}}},
                      {"next", {{{"text", "51-[\"b\",{\"_placeholder\":true,\"num\":0}]"}}, {{"base64", "AQ=="}}}}});
  EXPECT_EQ(answer["items"], json::array({b}));
  EXPECT_EQ(answer["next"]["items"][0]["data"][1], json({{"$binary", "AQ=="}})) << answer.dump();
  // On a byte stream the follow-up is more of the stream: a request with next is a bad request.
  answer = handle_request({{"op", "decode"},
                           {"id", "s"},
                           {"layer", "ndjson"},
                           {"input", {{{"text", "1\n"}}}},
                           {"next", {{{"text", "2\n"}}}}});
  EXPECT_EQ(answer["error"], "bad_request");
}

TEST(Adapter, WsErrorsCarryTheCloseCode) {
  const json answer = handle_request({{"op", "decode"},
                                      {"id", "w"},
                                      {"layer", "ws"},
                                      {"options", {{"role", "server"}}},
                                      {"input", {{{"hex", "81 05 48656c6c6f"}}}}});
  EXPECT_EQ(answer["error"], "ws_unmasked_frame");
  EXPECT_EQ(answer["close_code"], 1002);
}

TEST(Adapter, StdioLoopStopsAtByeAndSurvivesGarbage) {
  std::istringstream in("{\"op\":\"hello\",\"protocol\":1}\nnot json\n\n{\"op\":\"bye\"}\n{\"op\":\"hello\"}\n");
  std::ostringstream out;
  EXPECT_EQ(run_adapter(in, out), 0);
  std::istringstream lines(out.str());
  std::string line;
  std::vector<json> answers;
  while (std::getline(lines, line)) answers.push_back(json::parse(line));
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers[0]["name"], "sioconf");
  EXPECT_EQ(answers[1]["error"], "bad_request");
}

// The runner must be able to fail: a vector whose expectation is wrong, a duplicate id and a
// malformed file each turn the exit code to 1.
class VectorsRunner : public ::testing::Test {
 protected:
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("sioconf-vectors-" + std::to_string(::getpid()));
  bool strict = false;
  void SetUp() override { std::filesystem::create_directories(dir); }
  void TearDown() override { std::filesystem::remove_all(dir); }
  int run(const json& file, std::string* printed = nullptr) {
    std::ofstream(dir / "v.json") << file.dump();
    std::ostringstream out;
    VectorOptions options;
    options.paths = {dir.string()};
    options.strict = strict;
    const int code = run_vectors(options, out);
    if (printed) *printed = out.str();
    return code;
  }
  static json file_with(json tests) {
    return {{"schema", "sioconf-vector-v1"}, {"layer", "sio"}, {"tests", std::move(tests)}};
  }
};

TEST_F(VectorsRunner, PassesACorrectVector) {
  EXPECT_EQ(run(file_with({{{"id", "t.ok"},
                            {"level", "must"},
                            {"input", {{{"text", "2[\"a\"]"}}}},
                            {"expect", {{"items", {{{"type", 2}, {"nsp", "/"}, {"data", {"a"}}}}}}}}})),
            0);
}

TEST_F(VectorsRunner, FailsAWrongExpectation) {
  std::string printed;
  EXPECT_EQ(run(file_with({{{"id", "t.wrong"},
                            {"level", "must"},
                            {"input", {{{"text", "2[\"a\"]"}}}},
                            {"expect", {{"reject", "protocol"}}}}}),
                &printed),
            1);
  EXPECT_NE(printed.find("FAIL  sioconf  t.wrong"), std::string::npos) << printed;
}

TEST_F(VectorsRunner, ComparesErrorNamesOnlyWhenStrict) {
  const json file = file_with({{{"id", "t.name"},
                                {"level", "must"},
                                {"input", {{{"text", "2[{}]"}}}},
                                {"expect", {{"reject", "protocol"}, {"errc", "sio_event_empty"}}}}});
  EXPECT_EQ(run(file), 0);
  strict = true;
  std::string printed;
  EXPECT_EQ(run(file, &printed), 1);
  EXPECT_NE(printed.find("NON-STRICT  sioconf  t.name"), std::string::npos) << printed;
}

TEST_F(VectorsRunner, FailsDuplicateIdsAndMalformedFiles) {
  const json one = {{"id", "t.dup"},
                    {"level", "must"},
                    {"input", {{{"text", "2[\"a\"]"}}}},
                    {"expect", {{"items", {{{"type", 2}, {"nsp", "/"}, {"data", {"a"}}}}}}}};
  EXPECT_EQ(run(file_with({one, one})), 1);
  EXPECT_EQ(run(json{{"schema", "something-else"}}), 1);
}

}  // namespace
}  // namespace sioconf::cli
