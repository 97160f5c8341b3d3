// The small languages of live scenarios (conformance/live/scenario.h): ${variables}, durations,
// value and packet patterns. Each rule is shown to accept what it should and to refuse the
// near miss.
#include "scenario.h"

#include <gtest/gtest.h>

namespace sioconf::live {
namespace {

TEST(LiveVariables, SubstituteReplacesNamesAndNestsInnermostFirst) {
  const Vars vars = {{"sid", "abc"}, {"i", "7"}, {"q7", "42"}};
  std::string out, error;
  ASSERT_TRUE(substitute("GET ?sid=${sid}&x=${i}", vars, out, error)) << error;
  EXPECT_EQ(out, "GET ?sid=abc&x=7");
  ASSERT_TRUE(substitute("43${q${i}}[1]", vars, out, error)) << error;
  EXPECT_EQ(out, "4342[1]");
  ASSERT_TRUE(substitute("no variables {}", vars, out, error));
  EXPECT_EQ(out, "no variables {}");
}

TEST(LiveVariables, UnknownAndUnclosedNamesAreErrors) {
  std::string out, error;
  EXPECT_FALSE(substitute("${nope}", {}, out, error));
  EXPECT_NE(error.find("${nope}"), std::string::npos) << error;
  EXPECT_FALSE(substitute("x ${sid", {{"sid", "a"}}, out, error));
  EXPECT_NE(error.find("unclosed"), std::string::npos) << error;
}

TEST(LiveVariables, AValueIsNeverSubstitutedAgain) {
  // A server's text captured into a variable must not be read as a variable itself.
  std::string out, error;
  ASSERT_TRUE(substitute("${a}", {{"a", "${b}"}}, out, error)) << error;
  EXPECT_EQ(out, "${b}");
}

TEST(LiveDurations, MillisecondsScaleAndHeartbeatUnitsDoNot) {
  Timing t;
  t.ping_interval_ms = 300;
  t.ping_timeout_ms = 200;
  t.scale = 2;
  EXPECT_EQ(duration_ms(json(150), t), 300u);
  EXPECT_EQ(duration_ms(json("1 pi"), t), 300u);
  EXPECT_EQ(duration_ms(json("1.5 pi + 1 pt + 100 ms"), t), 450u + 200u + 200u);
  EXPECT_FALSE(duration_ms(json("1 minute"), t));
  EXPECT_FALSE(duration_ms(json("1 pi +"), t));
  EXPECT_FALSE(duration_ms(json(-1), t));
  EXPECT_FALSE(duration_ms(json(true), t));
}

TEST(LiveDurations, HeartbeatUnitsNeedAHandshakeFirst) {
  const Timing none;
  EXPECT_FALSE(duration_ms(json("1 pi"), none));
  EXPECT_EQ(duration_ms(json("20 ms"), none), 20u);
}

TEST(LivePatterns, MatchersTypesCapturesAndLiterals) {
  Vars vars;
  std::string why;
  EXPECT_TRUE(match_value(json("$string as sid"), json("x1"), vars, why, "$")) << why;
  EXPECT_EQ(vars["sid"], "x1");
  EXPECT_FALSE(match_value(json("$string"), json(1), vars, why, "$"));
  EXPECT_NE(why.find("expected string"), std::string::npos) << why;
  EXPECT_TRUE(match_value(json("$integer"), json(3), vars, why, "$"));
  EXPECT_FALSE(match_value(json("$integer"), json(3.5), vars, why, "$"));
  EXPECT_TRUE(match_value(json("$$x"), json("$x"), vars, why, "$"));
  EXPECT_FALSE(match_value(json("$$x"), json("x"), vars, why, "$"));
  EXPECT_FALSE(match_value(json("$nonsense"), json(1), vars, why, "$"));
  EXPECT_NE(why.find("unknown matcher"), std::string::npos) << why;
}

TEST(LivePatterns, ObjectsMatchExactKeysUnlessMore) {
  Vars vars;
  std::string why;
  const json value = {{"sid", "a"}, {"pid", "b"}};
  EXPECT_FALSE(match_value(json{{"sid", "$string"}}, value, vars, why, "$"));
  EXPECT_NE(why.find("unexpected key \"pid\""), std::string::npos) << why;
  EXPECT_TRUE(match_value(json{{"sid", "$string"}, {"$more", true}}, value, vars, why, "$")) << why;
  EXPECT_FALSE(match_value(json{{"sid", "$string"}, {"x", 1}, {"$more", true}}, value, vars, why, "$"));
  EXPECT_FALSE(match_value(json::array({1, 2}), json::array({1, 2, 3}), vars, why, "$"));
  EXPECT_TRUE(match_value(json::array({1, "$any"}), json::array({1, nullptr}), vars, why, "$"));
}

TEST(LivePatterns, PacketsTextPrefixJsonAndBinary) {
  Vars vars;
  std::string why;
  const Packet open{false, R"(0{"sid":"s","upgrades":[]})"};
  EXPECT_TRUE(match_packet(json(R"(0{"sid":"s","upgrades":[]})"), open, vars, why));
  EXPECT_TRUE(match_packet(json{{"prefix", "0{"}}, open, vars, why));
  EXPECT_TRUE(match_packet(json{{"text", "0"}, {"json", {{"sid", "$string as sid"}, {"upgrades", json::array()}}}},
                           open, vars, why))
      << why;
  EXPECT_EQ(vars["sid"], "s");
  EXPECT_FALSE(match_packet(json{{"text", "0"}, {"json", {{"sid", "$string"}}}}, open, vars, why));
  const Packet bytes{true, std::string("\x01\x02", 2)};
  EXPECT_TRUE(match_packet(json{{"binary", {{"hex", "01 02"}}}}, bytes, vars, why)) << why;
  EXPECT_FALSE(match_packet(json{{"binary", {{"hex", "01 03"}}}}, bytes, vars, why));
  EXPECT_FALSE(match_packet(json("\x01\x02"), bytes, vars, why));  // a string matches text only
}

TEST(LivePatterns, AFailedMatchCapturesNothing) {
  Vars vars;
  std::string why;
  EXPECT_FALSE(match_packet(json{{"text", "0"}, {"json", {{"sid", "$string as sid"}, {"x", 1}}}},
                            Packet{false, R"(0{"sid":"s","x":2})"}, vars, why));
  EXPECT_EQ(vars.count("sid"), 0u);
}

TEST(LivePatterns, SocketIoPacketsFieldByField) {
  Vars vars;
  std::string why;
  const Packet question{false, R"(4212["question","q1"])"};
  EXPECT_TRUE(match_packet(json{{"sio", {{"type", 2}, {"id", "$integer as q"}, {"data", {"question", "q1"}}}}},
                           question, vars, why))
      << why;
  EXPECT_EQ(vars["q"], "12");
  // An id the pattern does not name must be absent; the namespace defaults to "/".
  EXPECT_FALSE(match_packet(json{{"sio", {{"type", 2}}}}, question, vars, why));
  const Packet custom{false, R"(451-/custom,7["x",{"_placeholder":true,"num":0}])"};
  EXPECT_TRUE(
      match_packet(json{{"sio", {{"type", 5}, {"nsp", "/custom"}, {"id", 7}, {"attachments", 1}}}}, custom, vars, why))
      << why;
  EXPECT_FALSE(match_packet(json{{"sio", {{"type", 5}, {"id", 7}, {"attachments", 1}}}}, custom, vars, why));
  EXPECT_FALSE(match_packet(json{{"sio", {{"type", 2}}}}, Packet{false, "2"}, vars, why));  // not a message
}

}  // namespace
}  // namespace sioconf::live
