// message_parser.h — what RequestParser and ResponseParser share (private to the http layer): one
// llhttp parser, the head and the body counted against Limits as they arrive, header names
// lower-cased, a stop after each complete message, errors sticky with their byte offset.
//
// A parser derives from MessageParser, adds the callbacks of its start line to `settings` (the
// method and target of a request, the reason phrase of a response), clears that line in
// begin_message(), and after feed() or finish() hands the message on when completed() is true.
// What both kinds of message carry (headers, body, keep-alive, upgrade) is collected here and
// moved out with move_into().
#pragma once

#include <llhttp.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sioconf/bytes.h"
#include "sioconf/errc.h"
#include "sioconf/http/request.h"
#include "sioconf/limits.h"

namespace sioconf::http {

/// The value of the first header named `name` (lower case), or empty.
std::string_view find_header(const std::vector<Header>& headers, std::string_view name) noexcept;
bool contains_header(const std::vector<Header>& headers, std::string_view name) noexcept;

class MessageParser {
 public:
  MessageParser(const MessageParser&) = delete;
  MessageParser& operator=(const MessageParser&) = delete;

  /// Parses up to the end of the next message (RequestParser::feed says what the results mean);
  /// completed() is true if one ended in this call.
  [[nodiscard]] Fed feed(ByteView chunk) noexcept;
  /// The peer's end of stream: ok between messages, or when it ends a message read until the
  /// connection's end (then completed() is true); error `malformed` inside any other.
  [[nodiscard]] Status finish() noexcept;

  bool completed() const noexcept { return completed_; }
  DecodeError error() const noexcept { return error_; }
  bool upgraded() const noexcept { return upgraded_; }
  bool idle() const noexcept { return !in_message_; }

 protected:
  /// `malformed`: the error for bytes llhttp refuses (http_bad_request, http_bad_response).
  MessageParser(llhttp_type_t type, const Limits& limits, Errc malformed);
  virtual ~MessageParser() = default;

  /// A message begins: the derived parser clears its start line.
  virtual void begin_message() noexcept = 0;
  /// Asked when the head is read: whether the protocol changes after this message (the rest of
  /// the stream is not HTTP), and whether it has no body whatever its headers say.
  virtual bool switches_protocol() const noexcept { return parser.upgrade != 0; }
  virtual bool without_body() const noexcept { return false; }

  static MessageParser& of(llhttp_t* p) noexcept { return *static_cast<MessageParser*>(p->data); }
  /// A span of the head, counted against http_max_header_bytes and appended to `into`.
  int head(std::string& into, const char* at, std::size_t n) noexcept;

  /// Moves what every message carries into `message` (a Request, a ReceivedResponse).
  template <class Message>
  void move_into(Message& message) noexcept {
    message.headers = std::move(headers_);
    message.body = std::move(body_);
    message.keep_alive = keep_alive_;
    message.upgrade = upgrade_;
  }

  llhttp_settings_t settings{};  // the derived parser adds the callbacks of its start line
  llhttp_t parser{};

 private:
  int begin() noexcept;
  int count(const char* at, std::size_t n) noexcept;
  int field_done() noexcept;
  int value_done() noexcept;
  int headers_done() noexcept;
  int body(const char* at, std::size_t n) noexcept;
  int complete() noexcept;
  int refuse(Errc why, const char* at) noexcept;

  std::uint64_t max_header_bytes_, max_headers_, max_body_bytes_;
  Errc malformed_;
  std::vector<Header> headers_;
  std::string body_, field_, value_;
  bool keep_alive_ = true, upgrade_ = false;
  std::uint64_t head_bytes_ = 0, offset_ = 0;
  Errc refused_ = Errc::none;
  const char* refused_at_ = nullptr;
  DecodeError error_;
  bool in_message_ = false, completed_ = false, upgraded_ = false;
};

}  // namespace sioconf::http
