#include "message_parser.h"

#include <algorithm>
#include <cctype>

namespace sioconf::http {

std::string_view find_header(const std::vector<Header>& headers, std::string_view name) noexcept {
  for (const Header& h : headers)
    if (h.name == name) return h.value;
  return {};
}

bool contains_header(const std::vector<Header>& headers, std::string_view name) noexcept {
  return std::any_of(headers.begin(), headers.end(), [&](const Header& h) { return h.name == name; });
}

MessageParser::MessageParser(llhttp_type_t type, const Limits& limits, Errc malformed)
    : max_header_bytes_(limits.http_max_header_bytes),
      max_headers_(limits.http_max_headers),
      max_body_bytes_(limits.http_max_body_bytes),
      malformed_(malformed) {
  llhttp_settings_init(&settings);
  settings.on_message_begin = [](llhttp_t* p) { return of(p).begin(); };
  settings.on_version = [](llhttp_t* p, const char* at, std::size_t n) { return of(p).count(at, n); };
  settings.on_header_field = [](llhttp_t* p, const char* at, std::size_t n) { return of(p).head(of(p).field_, at, n); };
  settings.on_header_field_complete = [](llhttp_t* p) { return of(p).field_done(); };
  settings.on_header_value = [](llhttp_t* p, const char* at, std::size_t n) { return of(p).head(of(p).value_, at, n); };
  settings.on_header_value_complete = [](llhttp_t* p) { return of(p).value_done(); };
  settings.on_headers_complete = [](llhttp_t* p) { return of(p).headers_done(); };
  settings.on_body = [](llhttp_t* p, const char* at, std::size_t n) { return of(p).body(at, n); };
  settings.on_message_complete = [](llhttp_t* p) { return of(p).complete(); };
  llhttp_init(&parser, type, &settings);
  parser.data = this;
}

int MessageParser::begin() noexcept {
  headers_.clear();
  body_.clear();
  field_.clear();
  value_.clear();
  keep_alive_ = true;
  upgrade_ = false;
  head_bytes_ = 0;
  in_message_ = true;
  begin_message();
  return 0;
}

// The error's place is the first byte past the bound, wherever the chunks were cut.
int MessageParser::count(const char* at, std::size_t n) noexcept {
  if (n > max_header_bytes_ - head_bytes_)
    return refuse(Errc::limit_http_header_bytes, at + (max_header_bytes_ - head_bytes_));
  head_bytes_ += n;
  return 0;
}

int MessageParser::head(std::string& into, const char* at, std::size_t n) noexcept {
  if (const int e = count(at, n); e != 0) return e;
  into.append(at, n);
  return 0;
}

int MessageParser::field_done() noexcept {
  if (headers_.size() >= max_headers_) return refuse(Errc::limit_http_headers, nullptr);
  std::transform(field_.begin(), field_.end(), field_.begin(),
                 [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
  return 0;
}

int MessageParser::value_done() noexcept {
  headers_.push_back({std::move(field_), std::move(value_)});
  field_.clear();
  value_.clear();
  return 0;
}

int MessageParser::headers_done() noexcept {
  keep_alive_ = llhttp_should_keep_alive(&parser) != 0;
  upgrade_ = switches_protocol();
  if (without_body()) return 1;  // llhttp's "skip the body"
  // A declared length past the bound is refused before its first byte arrives.
  if ((parser.flags & F_CONTENT_LENGTH) != 0 && parser.content_length > max_body_bytes_)
    return refuse(Errc::limit_http_body_bytes, nullptr);
  return 0;
}

int MessageParser::body(const char* at, std::size_t n) noexcept {
  if (n > max_body_bytes_ - body_.size())
    return refuse(Errc::limit_http_body_bytes, at + (max_body_bytes_ - body_.size()));
  body_.append(at, n);
  return 0;
}

// Stops the parser after each message, so that the caller handles it before the next one is
// read; feed() does not resume it after an upgrade: the rest is another protocol's.
int MessageParser::complete() noexcept {
  in_message_ = false;
  completed_ = true;
  return HPE_PAUSED;
}

// `at`: the offending byte when it is not where llhttp stopped (a span's callback runs at the
// span's end).
int MessageParser::refuse(Errc why, const char* at) noexcept {
  refused_ = why;
  refused_at_ = at;
  return -1;
}

Fed MessageParser::feed(ByteView chunk) noexcept {
  completed_ = false;
  if (error_) return {Status::error, 0};
  if (upgraded_) return {Status::ok, 0};
  const char* begin = reinterpret_cast<const char*>(chunk.data());
  const llhttp_errno_t e = llhttp_execute(&parser, begin, chunk.size());
  std::size_t consumed = chunk.size();
  if (e == HPE_PAUSED) {
    consumed = static_cast<std::size_t>(llhttp_get_error_pos(&parser) - begin);
    if (upgrade_) upgraded_ = true;
    else llhttp_resume(&parser);
  } else if (e != HPE_OK) {
    const char* at = refused_at_ != nullptr ? refused_at_ : llhttp_get_error_pos(&parser);
    consumed = at != nullptr && at >= begin ? static_cast<std::size_t>(at - begin) : 0;
    error_ = {refused_ != Errc::none ? refused_ : malformed_, offset_ + consumed};
    offset_ += consumed;
    return {Status::error, consumed};
  }
  offset_ += consumed;
  return {in_message_ ? Status::need_more : Status::ok, consumed};
}

Status MessageParser::finish() noexcept {
  completed_ = false;
  if (error_) return Status::error;
  if (!in_message_) return Status::ok;
  // llhttp completes a message read until the end of the stream (its on_message_complete runs
  // here) and refuses the end anywhere else.
  llhttp_finish(&parser);
  if (completed_) return Status::ok;
  error_ = {malformed_, offset_};
  return Status::error;
}

}  // namespace sioconf::http
