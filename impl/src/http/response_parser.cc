#include <llhttp.h>

#include "message_parser.h"
#include "sioconf/http/response.h"

namespace sioconf::http {

std::string_view ReceivedResponse::header(std::string_view name) const noexcept { return find_header(headers, name); }

bool ReceivedResponse::has_header(std::string_view name) const noexcept { return contains_header(headers, name); }

struct ResponseParser::State final : MessageParser {
  explicit State(const Limits& limits) : MessageParser(HTTP_RESPONSE, limits, Errc::http_bad_response) {
    settings.on_status = [](llhttp_t* p, const char* at, std::size_t n) {
      return self(p).head(self(p).response.reason, at, n);
    };
  }
  static State& self(llhttp_t* p) noexcept { return static_cast<State&>(of(p)); }
  void begin_message() noexcept override { response = ReceivedResponse{}; }
  // A 101 switches after its head (RFC 9110 15.2.2) even without the Upgrade and Connection
  // headers llhttp wants for its own flag: whether they are right is the caller's to judge (a
  // WebSocket client fails the handshake, RFC 6455 4.1).
  bool switches_protocol() const noexcept override { return parser.upgrade != 0 || parser.status_code == 101; }
  // 1xx, 204 and 304 end with their head whatever their headers say (RFC 9112 6.3); llhttp would
  // read a Content-Length body.
  bool without_body() const noexcept override {
    return parser.status_code / 100 == 1 || parser.status_code == 204 || parser.status_code == 304;
  }
  // The status code has no span of its own: llhttp keeps it until the next response begins.
  ReceivedResponse& take() noexcept {
    response.status = parser.status_code;
    move_into(response);
    return response;
  }

  ReceivedResponse response;
};

ResponseParser::ResponseParser(const Limits& limits) : state_(std::make_unique<State>(limits)) {}
ResponseParser::~ResponseParser() = default;

Fed ResponseParser::feed(ByteView chunk, ResponseSink& sink) noexcept {
  State& s = *state_;
  const Fed r = s.feed(chunk);
  if (s.completed()) sink.on_response(s.take());
  return r;
}

Status ResponseParser::finish(ResponseSink& sink) noexcept {
  State& s = *state_;
  const Status r = s.finish();
  if (s.completed()) sink.on_response(s.take());
  return r;
}

DecodeError ResponseParser::error() const noexcept { return state_->error(); }
bool ResponseParser::upgraded() const noexcept { return state_->upgraded(); }
bool ResponseParser::idle() const noexcept { return state_->idle(); }

}  // namespace sioconf::http
