#include "sioconf/http/websocket.h"

#include <openssl/sha.h>

#include <algorithm>
#include <cctype>

#include "sioconf/base64.h"

namespace sioconf::http {
namespace {

bool equals_nocase(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trimmed(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Does the comma-separated header value hold `token` (Connection: keep-alive, Upgrade)?
bool has_token(std::string_view value, std::string_view token) noexcept {
  while (true) {
    const std::size_t comma = value.find(',');
    if (equals_nocase(trimmed(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) return false;
    value.remove_prefix(comma + 1);
  }
}

constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";  // RFC 6455 1.3

}  // namespace

Errc check_websocket_upgrade(const Request& request) noexcept {
  if (request.method != "GET" || !has_token(request.header("connection"), "upgrade") ||
      !equals_nocase(trimmed(request.header("upgrade")), "websocket"))
    return Errc::http_bad_upgrade;
  if (trimmed(request.header("sec-websocket-version")) != "13") return Errc::http_bad_websocket_version;
  const std::string_view key = trimmed(request.header("sec-websocket-key"));
  if (base64_decoded_size(key) != std::optional<std::size_t>(16)) return Errc::http_bad_websocket_key;
  return Errc::none;
}

std::string websocket_accept(std::string_view key) {
  std::string text(key);
  text += kGuid;
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  return base64_encode(ByteView(digest, sizeof digest));
}

Response websocket_accept_response(const Request& request) {
  return {101,
          {{"upgrade", "websocket"},
           {"connection", "Upgrade"},
           {"sec-websocket-accept", websocket_accept(trimmed(request.header("sec-websocket-key")))}},
          {}};
}

Response websocket_refusal(Errc why) {
  Response r{400, {{"content-type", "text/plain"}}, std::string(name(why))};
  if (why == Errc::http_bad_websocket_version) r.headers.push_back({"sec-websocket-version", "13"});
  return r;
}

}  // namespace sioconf::http
