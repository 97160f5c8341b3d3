#include "sioconf/sio/packet_decoder.h"

#include <algorithm>
#include <string>
#include <vector>

#include "payload_checker.h"

namespace sioconf::detail {

using sio::PacketType;

namespace {

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// What the text before the payload says.
struct Header {
  PacketType type = PacketType::connect;
  std::uint32_t attachments = 0;
  std::string_view nsp = "/";
  bool has_nsp = false;
  std::optional<std::uint64_t> id;
  std::size_t payload_at = 0;
};

// Reads `<type>[<n>-][<nsp>,][<id>]`. On error `at` is the offending byte's index.
Errc parse_header(std::string_view s, const Limits& limits, Header& h, std::size_t& at) noexcept {
  const std::size_t n = s.size();
  at = 0;
  if (n == 0) return Errc::sio_empty_packet;  // socket.io-protocol v5: a packet starts with its type
  if (s[0] < '0' || s[0] > '6') return Errc::sio_bad_packet_type;  // socket.io-protocol v5: types 0-6
  h.type = static_cast<PacketType>(s[0] - '0');
  std::size_t i = 1;

  if (sio::is_binary(h.type)) {
    // socket.io-protocol v5: "<# of binary attachments>-", decimal digits only (sioconf).
    const std::size_t first = i;
    std::uint64_t count = 0;
    for (; i < n && is_digit(s[i]); ++i)
      if (i - first < 10) count = count * 10 + static_cast<std::uint64_t>(s[i] - '0');
    at = i;
    if (i == first || i == n || s[i] != '-') return Errc::sio_bad_attachments;  // sioconf: digits only
    at = first;
    // CVE-2026-33151: bound the count before anything is retained; 10+ digits never fit.
    if (i - first > 9 || count > limits.max_attachments) return Errc::limit_attachments;
    if (count == 0) return Errc::sio_bad_attachments;  // socket.io-parser 4.2.7: at least one
    h.attachments = static_cast<std::uint32_t>(count);
    ++i;
  }

  if (i < n && s[i] == '/') {  // socket.io-protocol v5: the namespace runs to ','
    const std::size_t end = std::min(s.find(',', i), n);
    const std::string_view nsp = s.substr(i, end - i);
    std::size_t bad = 0;
    if (const Errc e = check_namespace(nsp, limits, bad); e != Errc::none) {
      at = i + bad;
      return e;
    }
    h.nsp = nsp;
    h.has_nsp = true;
    i = end < n ? end + 1 : n;
  }

  const std::size_t first = i;
  std::uint64_t id = 0;
  bool overflow = false;
  for (; i < n && is_digit(s[i]); ++i) {
    if (i - first == limits.max_ack_id_digits) {  // CVE-2020-36049: a digit run is bounded
      at = i;
      return Errc::limit_ack_id_digits;
    }
    const auto d = static_cast<std::uint64_t>(s[i] - '0');
    std::uint64_t next;  // overflow is only possible when max_ack_id_digits is set above 19
    overflow = overflow || __builtin_mul_overflow(id, 10, &next) || __builtin_add_overflow(next, d, &next);
    if (!overflow) id = next;
  }
  const bool has_id = i > first;
  at = first;
  if (has_id && (overflow || id > limits.max_ack_id)) return Errc::limit_ack_id;  // 2^53-1: a JS number
  if (i < n) {
    // sioconf: "21.5[..]", "21e3[..]", "2-1[..]" are numbers where an integer id belongs.
    const char c = s[i];
    const bool sign = c == '-' || c == '+';
    if ((has_id && (sign || c == '.' || c == 'e' || c == 'E')) ||
        (!has_id && sign && i + 1 < n && is_digit(s[i + 1]))) {
      at = i;
      return Errc::sio_bad_ack_id;
    }
  }
  if (has_id) {
    // sioconf: only EVENT and ACK take part in acknowledgements (socket.io-protocol v5).
    if (h.type == PacketType::connect || h.type == PacketType::disconnect || h.type == PacketType::connect_error)
      return Errc::sio_ack_id_not_allowed;
    h.id = id;
  } else if (h.type == PacketType::ack || h.type == PacketType::binary_ack) {
    at = i;
    return Errc::sio_ack_without_id;  // socket.io-protocol v5: an ACK carries the id it answers
  }
  h.payload_at = i;
  return Errc::none;
}

}  // namespace

// A binary packet between its text and its last attachment: what its views need kept. Made when
// its text arrives and freed when it completes, so an idle decoder holds no buffer.
struct SioBinaryPacket {
  Header header;                   // nsp points into text when has_nsp
  std::string text;                // its text, at most max_payload_bytes
  std::vector<std::uint8_t> pool;  // attachments but the last, back to back
  std::vector<std::size_t> ends;   // end of each attachment in pool
  std::vector<ByteView> views;     // handed out as Packet::attachments
  std::uint64_t attachment_bytes = 0;
};

}  // namespace sioconf::detail

namespace sioconf::sio {

using sioconf::detail::Header;

PacketDecoder::PacketDecoder(const Limits& limits) : limits_(shared_limits(limits)) {}
PacketDecoder::~PacketDecoder() = default;
PacketDecoder::PacketDecoder(PacketDecoder&&) noexcept = default;
PacketDecoder& PacketDecoder::operator=(PacketDecoder&&) noexcept = default;

Status PacketDecoder::fail(Errc code, std::uint64_t at) noexcept {
  error_ = {code, at};
  return Status::error;
}

Status PacketDecoder::feed(const Message& m, PacketSink& sink) noexcept {
  if (error_) return Status::error;
  const std::uint64_t base = offset_;
  offset_ += m.bytes.size();
  if (m.kind == MessageKind::binary) return binary(m.bytes, base, sink);
  return text(as_text(m.bytes), base, sink);
}

Status PacketDecoder::text(std::string_view s, std::uint64_t base, PacketSink& sink) noexcept {
  const Limits& limits = *limits_;
  // socket.io-parser: "got plaintext data when reconstructing a packet".
  if (binary_) return fail(Errc::sio_expected_binary, base);
  if (s.size() > limits.max_payload_bytes)  // Limits: before any byte is interpreted
    return fail(Errc::limit_payload_bytes, base + limits.max_payload_bytes);
  Header h;
  std::size_t at = 0;
  if (const Errc e = sioconf::detail::parse_header(s, limits, h, at); e != Errc::none) return fail(e, base + at);
  const std::string_view payload = s.substr(h.payload_at);
  if (const Errc e = sioconf::detail::thread_checker().check(h.type, payload, h.attachments, limits); e != Errc::none)
    return fail(e, base + h.payload_at);
  if (!sio::is_binary(h.type)) {
    sink.on_packet(sio::Packet{h.type, h.nsp, h.id, payload, {}});
    return Status::ok;
  }
  // The views must outlive this message: keep the text, and the namespace as an offset into it.
  binary_ = std::make_unique<sioconf::detail::SioBinaryPacket>();
  binary_->text.assign(s);
  if (h.has_nsp) {
    const auto nsp_at = static_cast<std::size_t>(h.nsp.data() - s.data());
    h.nsp = std::string_view(binary_->text).substr(nsp_at, h.nsp.size());
  }
  binary_->header = h;
  return Status::ok;
}

Status PacketDecoder::binary(ByteView b, std::uint64_t base, PacketSink& sink) noexcept {
  // socket.io-parser: "got binary data when not reconstructing a packet".
  if (!binary_) return fail(Errc::sio_unexpected_binary, base);
  sioconf::detail::SioBinaryPacket& p = *binary_;
  const std::uint64_t room = limits_->max_attachment_bytes - p.attachment_bytes;
  if (b.size() > room) return fail(Errc::limit_attachment_bytes, base + room);  // Limits: all together
  p.attachment_bytes += b.size();
  if (p.ends.size() + 1 < p.header.attachments) {
    p.pool.insert(p.pool.end(), b.begin(), b.end());
    p.ends.push_back(p.pool.size());
    return Status::ok;
  }
  std::size_t start = 0;
  for (const std::size_t end : p.ends) {
    p.views.emplace_back(p.pool.data() + start, end - start);
    start = end;
  }
  p.views.push_back(b);  // the last attachment is not copied
  // Freed after the call (the sink must not call back into this decoder, so nothing else runs).
  const std::unique_ptr<sioconf::detail::SioBinaryPacket> done = std::move(binary_);
  sink.on_packet(sio::Packet{p.header.type, p.header.nsp, p.header.id,
                             std::string_view(p.text).substr(p.header.payload_at), p.views});
  return Status::ok;
}

Status PacketDecoder::finish() noexcept {
  if (error_) return Status::error;
  if (binary_) return fail(Errc::truncated, offset_);
  return Status::ok;
}

DecodeError PacketDecoder::error() const noexcept { return error_; }

void PacketDecoder::reset() noexcept {
  error_ = {};
  offset_ = 0;
  binary_.reset();
}

bool PacketDecoder::awaiting_attachments() const noexcept { return binary_ != nullptr; }

}  // namespace sioconf::sio
