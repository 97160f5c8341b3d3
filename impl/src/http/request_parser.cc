#include <llhttp.h>

#include <algorithm>
#include <cctype>

#include "message_parser.h"
#include "sioconf/http/request.h"

namespace sioconf::http {

namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string percent_decoded(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    int hi = 0, lo = 0;
    if (s[i] == '%' && i + 2 < s.size() && (hi = hex_value(s[i + 1])) >= 0 && (lo = hex_value(s[i + 2])) >= 0) {
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// The raw value of query parameter `name` in `target`, and whether it is there.
std::pair<std::string_view, bool> raw_query(std::string_view target, std::string_view name) noexcept {
  const std::size_t q = target.find('?');
  if (q == std::string_view::npos) return {{}, false};
  std::string_view rest = target.substr(q + 1);
  if (const std::size_t hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  while (!rest.empty()) {
    const std::size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    const std::size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name)
      return {eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), true};
    if (amp == std::string_view::npos) break;
    rest = rest.substr(amp + 1);
  }
  return {{}, false};
}

}  // namespace

std::string_view Request::header(std::string_view name) const noexcept { return find_header(headers, name); }

bool Request::has_header(std::string_view name) const noexcept { return contains_header(headers, name); }

std::string_view Request::path() const noexcept {
  const std::string_view t = target;
  return t.substr(0, std::min(t.find('?'), t.find('#')));
}

std::string Request::query(std::string_view name) const { return percent_decoded(raw_query(target, name).first); }

bool Request::has_query(std::string_view name) const noexcept { return raw_query(target, name).second; }

struct RequestParser::State final : MessageParser {
  explicit State(const Limits& limits) : MessageParser(HTTP_REQUEST, limits, Errc::http_bad_request) {
    settings.on_method = [](llhttp_t* p, const char* at, std::size_t n) {
      return self(p).head(self(p).request.method, at, n);
    };
    settings.on_url = [](llhttp_t* p, const char* at, std::size_t n) {
      return self(p).head(self(p).request.target, at, n);
    };
  }
  static State& self(llhttp_t* p) noexcept { return static_cast<State&>(of(p)); }
  void begin_message() noexcept override { request = Request{}; }
  Request& take() noexcept {
    move_into(request);
    return request;
  }

  Request request;
};

RequestParser::RequestParser(const Limits& limits) : state_(std::make_unique<State>(limits)) {}
RequestParser::~RequestParser() = default;

Fed RequestParser::feed(ByteView chunk, RequestSink& sink) noexcept {
  State& s = *state_;
  const Fed r = s.feed(chunk);
  if (s.completed()) sink.on_request(s.take());
  return r;
}

Status RequestParser::finish() noexcept { return state_->finish(); }

DecodeError RequestParser::error() const noexcept { return state_->error(); }
bool RequestParser::upgraded() const noexcept { return state_->upgraded(); }
bool RequestParser::idle() const noexcept { return state_->idle(); }

int status_for(Errc error) noexcept {
  switch (error) {
    case Errc::limit_http_header_bytes:
    case Errc::limit_http_headers: return 431;
    case Errc::limit_http_body_bytes: return 413;
    case Errc::http_header_timeout: return 408;
    default: return 400;
  }
}

}  // namespace sioconf::http
