#include "payload_checker.h"

#include "sioconf/reserved_events.h"
#include "sioconf/utf8.h"

namespace sioconf::detail {
namespace {

using sio::PacketType;

bool is_json_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// An event name as the JSON holds it: escapes are compared as what they stand for.
bool is_reserved(const JsonString& name) noexcept {
  if (!name.escaped) return is_reserved_event_name(name.raw);
  for (const std::string_view reserved : reserved_event_names)
    if (name.equals(reserved)) return true;
  return false;
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
  const bool binary = sio::is_binary(type);
  if (binary) placeholders_.reset(attachments);
  const Errc json =
      binary ? scanner_.scan(payload, limits.max_depth, placeholders_) : scanner_.scan(payload, limits.max_depth);
  if (json != Errc::none) return json;
  const JsonKind kind = scanner_.root_kind();
  switch (type) {
    case PacketType::connect:
      if (kind != JsonKind::object) return Errc::sio_connect_payload;  // socket.io-protocol v5
      return Errc::none;
    case PacketType::connect_error:
      if (kind != JsonKind::object && kind != JsonKind::string)
        return Errc::sio_connect_error_payload;  // socket.io-parser isPayloadValid
      return Errc::none;
    case PacketType::ack:
    case PacketType::binary_ack:
      if (kind != JsonKind::array) return Errc::sio_ack_not_array;  // socket.io-protocol v5
      break;
    default:
      // socket.io-protocol v5: "The payload MUST be a non-empty array".
      if (kind != JsonKind::array) return Errc::sio_event_not_array;  // socket.io-protocol v5
      switch (scanner_.first_kind()) {
        case JsonKind::none: return Errc::sio_event_empty;  // socket.io-protocol v5
        case JsonKind::string:
          // socket.io-parser 4.2.4 (d9db473): reserved names are refused.
          if (is_reserved(scanner_.first_string())) return Errc::sio_reserved_event_name;
          break;
        case JsonKind::int64:
        case JsonKind::uint64:
        case JsonKind::real: break;
        default: return Errc::sio_bad_event_name;  // CVE-2023-32695
      }
      break;
  }
  return binary ? placeholders_.verdict() : Errc::none;
}

void PlaceholderVisitor::reset(std::uint32_t attachments) {
  used_.assign(attachments, 0);
  unused_ = attachments;
  open_.clear();
  error_ = Errc::none;
  error_offset_ = 0;
}

void PlaceholderVisitor::container_start(bool object, std::uint32_t offset) noexcept {
  // A container is never a placeholder member's value.
  if (!open_.empty() && open_.back().object) member_value(false, false, 0);
  Open o;
  o.object = object;
  o.offset = offset;
  open_.push_back(o);
}

void PlaceholderVisitor::key(const JsonString& key) noexcept {
  Open& o = open_.back();
  ++o.members;
  if (key.equals("_placeholder")) {
    o.placeholder = true;
    o.member = Member::flag;
  } else {
    o.member = key.equals("num") ? Member::num : Member::other;
  }
}

void PlaceholderVisitor::scalar(const JsonScalar& value) noexcept {
  if (open_.empty() || !open_.back().object) return;
  // CVE-2022-2421: "_placeholder" exactly true, "num" an integer literal that is an index.
  const bool good_num =
      value.kind == JsonKind::uint64 || (value.kind == JsonKind::int64 && (!value.negative || value.magnitude == 0));
  member_value(value.kind == JsonKind::true_, good_num, value.magnitude);
}

void PlaceholderVisitor::member_value(bool good_flag, bool good_num, std::uint64_t num) noexcept {
  Open& o = open_.back();
  switch (o.member) {
    case Member::flag:
      if (o.flag || !good_flag) o.bad = true;
      o.flag = true;
      break;
    case Member::num:
      if (!good_num) o.bad = true;
      o.has_num = true;
      o.num = num;
      break;
    case Member::other:
      o.bad = true;  // sioconf: no other member
      break;
  }
}

void PlaceholderVisitor::container_end() noexcept {
  const Open o = open_.back();
  open_.pop_back();
  if (!o.placeholder) return;
  // sioconf: exactly two members, "_placeholder" and "num".
  if (o.bad || o.members != 2 || !o.flag || !o.has_num) return fail(Errc::sio_bad_placeholder, o.offset);
  if (o.num >= used_.size()) return fail(Errc::sio_placeholder_range, o.offset);  // CVE-2022-2421
  if (used_[o.num]) return fail(Errc::sio_placeholder_duplicate, o.offset);       // sioconf: one buffer, one place
  used_[o.num] = 1;
  --unused_;
}

void PlaceholderVisitor::fail(Errc code, std::uint32_t offset) noexcept {
  // Objects close inner-first; the walk being mirrored meets them outer-first.
  if (error_ == Errc::none || offset < error_offset_) {
    error_ = code;
    error_offset_ = offset;
  }
}

Errc PlaceholderVisitor::verdict() const noexcept {
  if (error_ != Errc::none) return error_;
  // sioconf: an attachment nothing names is memory a peer made us hold for nothing.
  return unused_ != 0 ? Errc::sio_attachment_unused : Errc::none;
}

SioPayloadChecker& thread_checker() noexcept {
  thread_local SioPayloadChecker checker;
  return checker;
}

}  // namespace sioconf::detail
