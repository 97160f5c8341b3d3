// The WebSocket opening handshake's HTTP side: RFC 6455's own example key, and each rule a
// request can break with its named error.
#include "sioconf/http/websocket.h"

#include <gtest/gtest.h>

namespace sioconf::http {
namespace {

Request upgrade_request() {
  Request r;
  r.method = "GET";
  r.target = "/engine.io/?EIO=4&transport=websocket";
  r.upgrade = true;
  r.headers = {{"host", "127.0.0.1"},
               {"connection", "keep-alive, Upgrade"},
               {"upgrade", "WebSocket"},
               {"sec-websocket-version", "13"},
               {"sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="}};
  return r;
}

Request with(std::string_view name, std::string value) {
  Request r = upgrade_request();
  for (Header& h : r.headers)
    if (h.name == name) h.value = std::move(value);
  return r;
}

TEST(WebSocketHandshake, TheRfcExampleKey) {
  // RFC 6455 1.3: "dGhlIHNhbXBsZSBub25jZQ==" gives "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=".
  EXPECT_EQ(websocket_accept("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  const Response r = websocket_accept_response(upgrade_request());
  EXPECT_EQ(r.status, 101);
  ASSERT_EQ(r.headers.size(), 3u);
  EXPECT_EQ(r.headers[2].name, "sec-websocket-accept");
  EXPECT_EQ(r.headers[2].value, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WebSocketHandshake, EachRuleHasItsError) {
  EXPECT_EQ(check_websocket_upgrade(upgrade_request()), Errc::none);
  Request post = upgrade_request();
  post.method = "POST";
  EXPECT_EQ(check_websocket_upgrade(post), Errc::http_bad_upgrade);
  EXPECT_EQ(check_websocket_upgrade(with("connection", "keep-alive")), Errc::http_bad_upgrade);
  EXPECT_EQ(check_websocket_upgrade(with("upgrade", "h2c")), Errc::http_bad_upgrade);
  EXPECT_EQ(check_websocket_upgrade(with("sec-websocket-version", "8")), Errc::http_bad_websocket_version);
  EXPECT_EQ(check_websocket_upgrade(with("sec-websocket-version", "")), Errc::http_bad_websocket_version);
  // 15 and 17 bytes, not base64, unpadded.
  EXPECT_EQ(check_websocket_upgrade(with("sec-websocket-key", "dGhlIHNhbXBsZSBub25j")), Errc::http_bad_websocket_key);
  EXPECT_EQ(check_websocket_upgrade(with("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZWU=")),
            Errc::http_bad_websocket_key);
  EXPECT_EQ(check_websocket_upgrade(with("sec-websocket-key", "not base64 at all!!!!!!!")),
            Errc::http_bad_websocket_key);
  EXPECT_EQ(check_websocket_upgrade(with("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ")), Errc::http_bad_websocket_key);
  const Response refusal = websocket_refusal(Errc::http_bad_websocket_version);
  EXPECT_EQ(refusal.status, 400);
  EXPECT_EQ(refusal.body, "http_bad_websocket_version");
  ASSERT_EQ(refusal.headers.size(), 2u);
  EXPECT_EQ(refusal.headers[1].value, "13");
}

}  // namespace
}  // namespace sioconf::http
