#include "payload_checker.h"

#include "sioconf/utf8.h"

namespace sioconf::detail {
namespace {

using sio::PacketType;
using simdjson::dom::element_type;

bool is_json_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// socket.io-parser 4.2.4 RESERVED_EVENTS: names the Socket.IO/EventEmitter machinery uses itself.
bool is_reserved(std::string_view name) noexcept {
  return name == "connect" || name == "connect_error" || name == "disconnect" ||
         name == "disconnecting" || name == "newListener" || name == "removeListener";
}

}  // namespace

Errc check_namespace(std::string_view nsp, const Limits& limits, std::size_t& at) noexcept {
  unsigned char high = 0;
  for (std::size_t i = 0; i < nsp.size(); ++i) {
    if (i == limits.max_namespace_bytes) {  // Limits: fail at the first byte past it
      at = i;
      return Errc::limit_namespace_bytes;
    }
    const auto c = static_cast<unsigned char>(nsp[i]);
    // sioconf: these bytes only reach a namespace when the ',' before the payload is missing.
    if (c < 0x20 || c == 0x7f || c == '"' || c == '[' || c == '{' || c == ',') {
      at = i;
      return Errc::sio_bad_namespace;
    }
    high |= c;
  }
  if (high & 0x80) {  // the message is text: RFC 3629
    Utf8Validator utf8;
    const std::size_t good = utf8.feed(as_bytes(nsp));
    if (good < nsp.size() || !utf8.complete()) {
      at = good;
      return Errc::bad_utf8;
    }
  }
  return Errc::none;
}

std::size_t decimal_digits(std::uint64_t v) noexcept {
  std::size_t n = 1;
  while (v >= 10) {
    v /= 10;
    ++n;
  }
  return n;
}

Errc SioPayloadChecker::check(PacketType type, std::string_view payload, std::uint32_t attachments,
                              const Limits& limits) noexcept {
  // sioconf: no encoder writes it, and socket.io-parser reads "2 [..]" as ack id 0.
  if (!payload.empty() && is_json_space(payload.front())) return Errc::sio_payload_leading_space;
  switch (type) {
    case PacketType::connect:
      if (payload.empty()) return Errc::none;  // socket.io-protocol v5: CONNECT payload optional
      break;
    case PacketType::disconnect:  // socket.io-protocol v5: DISCONNECT has no payload
      return payload.empty() ? Errc::none : Errc::sio_disconnect_payload;
    default:
      // socket.io-protocol v5: EVENT/ACK payload is an array; sioconf: CONNECT_ERROR needs its
      // reason (socket.io-client 4.8.4 crashes on "44").
      if (payload.empty()) return Errc::sio_missing_payload;
      break;
  }
  if (const Errc e = dom_.parse(payload, limits.max_depth); e != Errc::none) return e;
  const simdjson::dom::element root = dom_.root();
  const element_type kind = root.type();
  switch (type) {
    case PacketType::connect:
      if (kind != element_type::OBJECT) return Errc::sio_connect_payload;  // socket.io-protocol v5
      return Errc::none;
    case PacketType::connect_error:
      if (kind != element_type::OBJECT && kind != element_type::STRING)
        return Errc::sio_connect_error_payload;  // socket.io-parser isPayloadValid
      return Errc::none;
    case PacketType::ack:
    case PacketType::binary_ack:
      if (kind != element_type::ARRAY) return Errc::sio_ack_not_array;  // socket.io-protocol v5
      break;
    default: {
      // socket.io-protocol v5: "The payload MUST be a non-empty array".
      if (kind != element_type::ARRAY) return Errc::sio_event_not_array;  // socket.io-protocol v5
      const simdjson::dom::array args = root.get_array().value_unsafe();
      if (args.begin() == args.end()) return Errc::sio_event_empty;  // socket.io-protocol v5
      const simdjson::dom::element name = *args.begin();
      switch (name.type()) {
        case element_type::STRING:
          // socket.io-parser 4.2.4 (d9db473): reserved names are refused.
          if (is_reserved(name.get_string().value_unsafe())) return Errc::sio_reserved_event_name;
          break;
        case element_type::INT64:
        case element_type::UINT64:
        case element_type::DOUBLE:
          break;
        default:
          return Errc::sio_bad_event_name;  // CVE-2023-32695
      }
      break;
    }
  }
  if (sio::is_binary(type)) return check_placeholders(root, attachments);
  return Errc::none;
}

Errc SioPayloadChecker::check_placeholders(simdjson::dom::element root,
                                           std::uint32_t attachments) noexcept {
  used_.assign(attachments, 0);
  unused_ = attachments;
  stack_.clear();
  Errc e = visit(root);
  // Iterative walk: the depth is max_depth, which a caller may set far above what recursion allows.
  while (e == Errc::none && !stack_.empty()) {
    Frame& f = stack_.back();
    simdjson::dom::element next;
    if (f.object) {
      if (f.member == f.members_end) {
        stack_.pop_back();
        continue;
      }
      next = f.member.value();
      ++f.member;
    } else {
      if (f.at == f.end) {
        stack_.pop_back();
        continue;
      }
      next = *f.at;
      ++f.at;
    }
    e = visit(next);
  }
  if (e != Errc::none) return e;
  // sioconf: an attachment nothing names is memory a peer made us hold for nothing.
  if (unused_ != 0) return Errc::sio_attachment_unused;
  return Errc::none;
}

Errc SioPayloadChecker::visit(simdjson::dom::element e) noexcept {
  const element_type kind = e.type();
  if (kind == element_type::ARRAY) {
    const simdjson::dom::array a = e.get_array().value_unsafe();
    Frame f;
    f.at = a.begin();
    f.end = a.end();
    stack_.push_back(f);
    return Errc::none;
  }
  if (kind != element_type::OBJECT) return Errc::none;
  const simdjson::dom::object o = e.get_object().value_unsafe();
  for (auto it = o.begin(); it != o.end(); ++it)
    if (it.key_equals("_placeholder")) return check_placeholder(o);
  Frame f;
  f.object = true;
  f.member = o.begin();
  f.members_end = o.end();
  stack_.push_back(f);
  return Errc::none;
}

Errc SioPayloadChecker::check_placeholder(simdjson::dom::object o) noexcept {
  // CVE-2022-2421: a placeholder is exactly {"_placeholder":true,"num":<integer>}, nothing that
  // could make the receiver index its buffers with something else.
  if (o.size() != 2) return Errc::sio_bad_placeholder;  // sioconf: exactly two members
  // With two members, neither repeated, both are set once the loop is through.
  bool flag = false;
  std::uint64_t num = 0;
  for (auto it = o.begin(); it != o.end(); ++it) {
    const simdjson::dom::element v = it.value();
    if (it.key_equals("_placeholder")) {
      if (flag || v.type() != element_type::BOOL || !v.get_bool().value_unsafe())
        return Errc::sio_bad_placeholder;  // CVE-2022-2421: _placeholder === true
      flag = true;
    } else if (it.key_equals("num") && v.type() == element_type::INT64) {
      const std::int64_t n = v.get_int64().value_unsafe();
      if (n < 0) return Errc::sio_bad_placeholder;  // CVE-2022-2421: an index
      num = static_cast<std::uint64_t>(n);
    } else if (it.key_equals("num") && v.type() == element_type::UINT64) {
      num = v.get_uint64().value_unsafe();
    } else {
      return Errc::sio_bad_placeholder;  // sioconf: no other member, num an integer literal
    }
  }
  if (num >= used_.size()) return Errc::sio_placeholder_range;  // CVE-2022-2421
  if (used_[num]) return Errc::sio_placeholder_duplicate;  // sioconf: one buffer, one place
  used_[num] = 1;
  --unused_;
  return Errc::none;
}

}  // namespace sioconf::detail
