#include "sioconf/eio/handshake.h"

#include <gtest/gtest.h>

#include <string>

namespace sioconf::eio {
namespace {

// engine.io-protocol v4 "Handshake" example, and the body engine.io 6.6.12 sent
// (corpus/observed/eio-parser-5.2.3.txt Part B.3).
constexpr std::string_view kSpecExample = R"({
  "sid": "lv_VI97HAXpY6yYWAAAC",
  "upgrades": ["websocket"],
  "pingInterval": 25000,
  "pingTimeout": 20000,
  "maxPayload": 1000000
})";
constexpr std::string_view kEngineIoWire =
    R"({"sid":"oZfe05ca4Vfy5kp3AAAA","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000})";

TEST(EioHandshake, ParsesTheSpecExample) {
  OpenHandshake h;
  ASSERT_EQ(parse_open(kSpecExample, h), Errc::none);
  EXPECT_EQ(h.sid, "lv_VI97HAXpY6yYWAAAC");
  EXPECT_EQ(h.upgrades, std::vector<std::string>{"websocket"});
  EXPECT_EQ(h.ping_interval, 25000u);
  EXPECT_EQ(h.ping_timeout, 20000u);
  EXPECT_EQ(h.max_payload, 1000000u);
}

TEST(EioHandshake, EncodesEngineIoBytesExactly) {
  OpenHandshake h;
  ASSERT_EQ(parse_open(kEngineIoWire, h), Errc::none);
  EXPECT_EQ(encode_open(h), kEngineIoWire);
  const OpenHandshake ws_first{"abc", {}, 300, 200, 1000000};  // WebSocket-first: no upgrades
  EXPECT_EQ(encode_open(ws_first),
            R"({"sid":"abc","upgrades":[],"pingInterval":300,"pingTimeout":200,"maxPayload":1000000})");
  const OpenHandshake two{"s", {"websocket", "webtransport"}, 1, 2, 3};
  EXPECT_EQ(encode_open(two),
            R"({"sid":"s","upgrades":["websocket","webtransport"],"pingInterval":1,"pingTimeout":2,"maxPayload":3})");
}

TEST(EioHandshake, EscapesStringsLikeJsonStringify) {
  const OpenHandshake h{"a\"b\\c\n\r\t\b\f\x01\x1f\x7f\xc3\xa9/", {"w\x1e"}, 0, 0, 0};
  EXPECT_EQ(encode_open(h),
            "{\"sid\":\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u001f\x7f\xc3\xa9/\",\"upgrades\":[\"w\\u001e\"],"
            "\"pingInterval\":0,\"pingTimeout\":0,\"maxPayload\":0}");
  OpenHandshake back;
  ASSERT_EQ(parse_open(encode_open(h), back), Errc::none);
  EXPECT_EQ(back, h);
}

TEST(EioHandshake, AStringThatIsNotUtf8GivesNothingADecoderTakes) {
  EXPECT_EQ(encode_open(OpenHandshake{"\xff", {}, 1, 2, 3}), "");
  EXPECT_EQ(encode_open(OpenHandshake{"s", {"\xc3"}, 1, 2, 3}), "");
  OpenHandshake back;
  EXPECT_EQ(parse_open("", back), Errc::eio_bad_open);
}

TEST(EioHandshake, RoundTripsAtTheNumberEdges) {
  const OpenHandshake h{"x", {"websocket"}, 0, 9'007'199'254'740'991ULL, 1};
  OpenHandshake back;
  ASSERT_EQ(parse_open(encode_open(h), back), Errc::none);
  EXPECT_EQ(back, h);
}

TEST(EioHandshake, KeyOrderAndWhitespaceAreFree) {
  OpenHandshake h;
  ASSERT_EQ(parse_open(R"( {"maxPayload":5,"pingTimeout":4,"pingInterval":3,"upgrades":[],"sid":"q"} )", h),
            Errc::none);
  EXPECT_EQ(h, (OpenHandshake{"q", {}, 3, 4, 5}));
}

std::string with(std::string_view field_json) { return std::string("{") + std::string(field_json) + "}"; }

TEST(EioHandshake, RefusesEverythingElse) {
  const std::string up = R"("upgrades":["websocket"],)";
  const std::string nums = R"("pingInterval":1,"pingTimeout":2,"maxPayload":3)";
  const std::string ok_sid = R"("sid":"s",)";
  const std::pair<std::string, const char*> bad[] = {
      {"", "empty text"},
      {"null", "not an object"},
      {"[]", "array"},
      {R"("sid")", "string"},
      {"{}", "no keys"},
      {with(up + nums), "sid missing"},
      {with(ok_sid + nums), "upgrades missing"},
      {with(ok_sid + up + R"("pingTimeout":2,"maxPayload":3)"), "pingInterval missing"},
      {with(ok_sid + up + R"("pingInterval":1,"maxPayload":3)"), "pingTimeout missing"},
      {with(ok_sid + up + R"("pingInterval":1,"pingTimeout":2)"), "maxPayload missing"},
      {with(ok_sid + up + nums + R"(,"extra":1)"), "extra key"},
      {with(ok_sid + up + nums + R"(,"sid":"t")"), "duplicate sid"},
      {with(ok_sid + up + nums + R"(,"maxPayload":3)"), "duplicate number"},
      {with(R"("sid":"",)" + up + nums), "empty sid"},
      {with(R"("sid":7,)" + up + nums), "numeric sid"},
      {with(R"("sid":null,)" + up + nums), "null sid"},
      {with(ok_sid + R"("upgrades":"websocket",)" + nums), "upgrades a string"},
      {with(ok_sid + R"("upgrades":[1],)" + nums), "upgrade a number"},
      {with(ok_sid + R"("upgrades":[""],)" + nums), "empty upgrade name"},
      {with(ok_sid + R"("upgrades":[["websocket"]],)" + nums), "nested array (depth 3)"},
      {with(ok_sid + up + R"("pingInterval":-1,"pingTimeout":2,"maxPayload":3)"), "negative"},
      {with(ok_sid + up + R"("pingInterval":1.5,"pingTimeout":2,"maxPayload":3)"), "fraction"},
      {with(ok_sid + up + R"("pingInterval":01,"pingTimeout":2,"maxPayload":3)"), "leading zero (RFC 8259 6)"},
      {with(ok_sid + up + R"("pingInterval":25000.0,"pingTimeout":2,"maxPayload":3)"), "25000.0"},
      {with(ok_sid + up + R"("pingInterval":2.5e4,"pingTimeout":2,"maxPayload":3)"), "exponent"},
      {with(ok_sid + up + R"("pingInterval":"25000","pingTimeout":2,"maxPayload":3)"), "number as string"},
      {with(ok_sid + up + R"("pingInterval":true,"pingTimeout":2,"maxPayload":3)"), "boolean"},
      {with(ok_sid + up + R"("pingInterval":1,"pingTimeout":9007199254740992,"maxPayload":3)"), "2^53"},
      {with(ok_sid + up + R"("pingInterval":1,"pingTimeout":2,"maxPayload":18446744073709551615)"), "2^64-1"},
      {with(ok_sid + up + nums) + "x", "trailing garbage"},
      {with(ok_sid + up + nums) + "{}", "two values"},
      {"{\"sid\":\"\xff\"," + up + nums + "}", "not UTF-8"},
      {with(ok_sid + up + nums).substr(1), "no opening brace"},
  };
  for (const auto& [text, why] : bad) {
    OpenHandshake h;
    EXPECT_EQ(parse_open(text, h), Errc::eio_bad_open) << why << ": " << text;
  }
}

TEST(EioHandshake, AcceptsMinimalValues) {
  OpenHandshake h;
  EXPECT_EQ(parse_open(R"({"sid":"s","upgrades":[],"pingInterval":0,"pingTimeout":0,"maxPayload":0})", h), Errc::none);
  EXPECT_EQ(parse_open(R"({"sid":"s","upgrades":["x","x"],"pingInterval":0,"pingTimeout":0,"maxPayload":0})", h),
            Errc::none);  // names are not deduplicated or restricted
  EXPECT_EQ(h.upgrades.size(), 2u);
  // -0 is an integer equal to 0 (JSON.parse gives -0, which a JavaScript timer treats as 0).
  EXPECT_EQ(parse_open(R"({"sid":"s","upgrades":[],"pingInterval":-0,"pingTimeout":0,"maxPayload":0})", h), Errc::none);
  EXPECT_EQ(h.ping_interval, 0u);
}

}  // namespace
}  // namespace sioconf::eio
