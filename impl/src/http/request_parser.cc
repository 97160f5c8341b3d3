#include <llhttp.h>

#include <algorithm>
#include <cctype>

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

std::string_view Request::header(std::string_view name) const noexcept {
  for (const Header& h : headers)
    if (h.name == name) return h.value;
  return {};
}

bool Request::has_header(std::string_view name) const noexcept {
  return std::any_of(headers.begin(), headers.end(), [&](const Header& h) { return h.name == name; });
}

std::string_view Request::path() const noexcept {
  const std::string_view t = target;
  return t.substr(0, std::min(t.find('?'), t.find('#')));
}

std::string Request::query(std::string_view name) const { return percent_decoded(raw_query(target, name).first); }

bool Request::has_query(std::string_view name) const noexcept { return raw_query(target, name).second; }

struct RequestParser::State {
  explicit State(const Limits& limits)
      : max_header_bytes(limits.http_max_header_bytes),
        max_headers(limits.http_max_headers),
        max_body_bytes(limits.http_max_body_bytes) {
    llhttp_settings_init(&settings);
    settings.on_message_begin = [](llhttp_t* p) { return self(p).begin(); };
    settings.on_method = [](llhttp_t* p, const char* at, std::size_t n) {
      return self(p).head(self(p).request.method, at, n);
    };
    settings.on_url = [](llhttp_t* p, const char* at, std::size_t n) {
      return self(p).head(self(p).request.target, at, n);
    };
    settings.on_version = [](llhttp_t* p, const char* at, std::size_t n) { return self(p).count(at, n); };
    settings.on_header_field = [](llhttp_t* p, const char* at, std::size_t n) {
      return self(p).head(self(p).field, at, n);
    };
    settings.on_header_field_complete = [](llhttp_t* p) { return self(p).field_done(); };
    settings.on_header_value = [](llhttp_t* p, const char* at, std::size_t n) {
      return self(p).head(self(p).value, at, n);
    };
    settings.on_header_value_complete = [](llhttp_t* p) { return self(p).value_done(); };
    settings.on_headers_complete = [](llhttp_t* p) { return self(p).headers_done(); };
    settings.on_body = [](llhttp_t* p, const char* at, std::size_t n) { return self(p).body(at, n); };
    settings.on_message_complete = [](llhttp_t* p) { return self(p).complete(); };
    llhttp_init(&parser, HTTP_REQUEST, &settings);
    parser.data = this;
  }

  static State& self(llhttp_t* p) noexcept { return *static_cast<State*>(p->data); }

  int begin() noexcept {
    request = Request{};
    field.clear();
    value.clear();
    head_bytes = 0;
    in_message = true;
    return 0;
  }
  // The error's place is the first byte past the bound, wherever the chunks were cut.
  int count(const char* at, std::size_t n) noexcept {
    if (n > max_header_bytes - head_bytes)
      return refuse(Errc::limit_http_header_bytes, at + (max_header_bytes - head_bytes));
    head_bytes += n;
    return 0;
  }
  int head(std::string& into, const char* at, std::size_t n) noexcept {
    if (const int e = count(at, n); e != 0) return e;
    into.append(at, n);
    return 0;
  }
  int field_done() noexcept {
    if (request.headers.size() >= max_headers) return refuse(Errc::limit_http_headers, nullptr);
    std::transform(field.begin(), field.end(), field.begin(),
                   [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
    return 0;
  }
  int value_done() noexcept {
    request.headers.push_back({std::move(field), std::move(value)});
    field.clear();
    value.clear();
    return 0;
  }
  int headers_done() noexcept {
    request.keep_alive = llhttp_should_keep_alive(&parser) != 0;
    request.upgrade = parser.upgrade != 0;
    // A declared length past the bound is refused before its first byte arrives.
    if ((parser.flags & F_CONTENT_LENGTH) != 0 && parser.content_length > max_body_bytes)
      return refuse(Errc::limit_http_body_bytes, nullptr);
    return 0;
  }
  int body(const char* at, std::size_t n) noexcept {
    if (n > max_body_bytes - request.body.size())
      return refuse(Errc::limit_http_body_bytes, at + (max_body_bytes - request.body.size()));
    request.body.append(at, n);
    return 0;
  }
  // Stops the parser after each request, so that the caller answers it before the next one is
  // read; an Upgrade request stops it for good (llhttp's HPE_PAUSED_UPGRADE).
  int complete() noexcept {
    in_message = false;
    delivered = true;
    return request.upgrade ? 0 : HPE_PAUSED;
  }
  // `at`: the offending byte when it is not where llhttp stopped (a span's callback runs at the
  // span's end).
  int refuse(Errc why, const char* at) noexcept {
    refused = why;
    refused_at = at;
    return -1;
  }

  llhttp_t parser{};
  llhttp_settings_t settings{};
  std::uint64_t max_header_bytes, max_headers, max_body_bytes;
  Request request;
  std::string field, value;
  std::uint64_t head_bytes = 0, offset = 0;
  Errc refused = Errc::none;
  const char* refused_at = nullptr;
  DecodeError error;
  bool in_message = false, delivered = false, upgraded = false;
};

RequestParser::RequestParser(const Limits& limits) : state_(std::make_unique<State>(limits)) {}
RequestParser::~RequestParser() = default;

Fed RequestParser::feed(ByteView chunk, RequestSink& sink) noexcept {
  State& s = *state_;
  if (s.error) return {Status::error, 0};
  if (s.upgraded) return {Status::ok, 0};
  const char* begin = reinterpret_cast<const char*>(chunk.data());
  s.delivered = false;
  const llhttp_errno_t e = llhttp_execute(&s.parser, begin, chunk.size());
  std::size_t consumed = chunk.size();
  if (e == HPE_PAUSED || e == HPE_PAUSED_UPGRADE) {
    consumed = static_cast<std::size_t>(llhttp_get_error_pos(&s.parser) - begin);
    if (e == HPE_PAUSED) llhttp_resume(&s.parser);
    else s.upgraded = true;
  } else if (e != HPE_OK) {
    const char* at = s.refused_at != nullptr ? s.refused_at : llhttp_get_error_pos(&s.parser);
    consumed = at != nullptr && at >= begin ? static_cast<std::size_t>(at - begin) : 0;
    s.error = {s.refused != Errc::none ? s.refused : Errc::http_bad_request, s.offset + consumed};
    s.offset += consumed;
    return {Status::error, consumed};
  }
  s.offset += consumed;
  if (s.delivered) sink.on_request(s.request);
  return {s.in_message ? Status::need_more : Status::ok, consumed};
}

Status RequestParser::finish() noexcept {
  State& s = *state_;
  if (s.error) return Status::error;
  if (s.in_message) {
    s.error = {Errc::http_bad_request, s.offset};
    return Status::error;
  }
  return Status::ok;
}

DecodeError RequestParser::error() const noexcept { return state_->error; }
bool RequestParser::upgraded() const noexcept { return state_->upgraded; }
bool RequestParser::idle() const noexcept { return !state_->in_message; }

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
