#include "sioconf/ws/message_assembler.h"

#include <algorithm>

namespace sioconf::ws {
namespace {

// The header index of the byte that carries a (minimally encoded) payload length.
std::uint64_t length_byte(std::uint64_t payload_length) noexcept { return payload_length < 126 ? 1 : 2; }

}  // namespace

MessageAssembler::MessageAssembler(Role role, const Limits& limits) noexcept
    : frames_(role, limits), max_message_bytes_(limits.ws_max_message_bytes), max_fragments_(limits.ws_max_fragments) {}

void MessageAssembler::reset() noexcept {
  frames_.reset();
  error_ = {};
  frame_ = {};
  frame_done_ = 0;
  in_message_ = false;
  message_bytes_ = 0;
  message_frames_ = 0;
  std::vector<std::uint8_t>().swap(buffer_);
  direct_ = {};
  use_direct_ = false;
  utf8_.reset();
  control_size_ = 0;
  reason_utf8_.reset();
}

Fed MessageAssembler::feed(ByteView in, MessageSink& sink) noexcept {
  if (error_) return {Status::error, 0};
  sink_ = &sink;
  Fed r = frames_.feed(in, *this);
  sink_ = nullptr;
  if (r.status == Status::ok && in_message_ && !frames_.closed()) r.status = Status::need_more;
  return r;
}

Status MessageAssembler::finish() noexcept {
  if (error_) return Status::error;
  if (frames_.finish() == Status::error) return Status::error;
  if (in_message_ && !frames_.closed()) {
    error_ = {Errc::truncated, frames_.offset()};
    return Status::error;
  }
  return Status::ok;
}

Verdict MessageAssembler::on_frame_header(const FrameHeader& header) noexcept {
  frame_ = header;
  frame_done_ = 0;
  if (is_control(header.opcode)) {
    control_size_ = 0;
    reason_utf8_.reset();
    // RFC 6455 5.5.1: a close body starts with a 2-byte status code, so 1 byte cannot be one.
    if (header.opcode == Opcode::close && header.payload_length == 1) return {Errc::ws_close_payload_one_byte, 1};
    return {};
  }
  if (header.opcode == Opcode::continuation) {
    if (!in_message_) return {Errc::ws_unexpected_continuation, 0};  // RFC 6455 5.4
  } else {
    if (in_message_) return {Errc::ws_expected_continuation, 0};  // RFC 6455 5.4
    in_message_ = true;
    message_opcode_ = header.opcode;
    message_bytes_ = 0;
    message_frames_ = 0;
    buffer_.clear();
    utf8_.reset();
  }
  // CVE-2026-48779: count every frame, empty ones too, before it can cost anything.
  if (message_frames_ >= max_fragments_) return {Errc::limit_ws_fragments, 0};
  ++message_frames_;
  // RFC 6455 10.4: refuse from the header, before buffering any of the payload.
  if (header.payload_length > max_message_bytes_ - std::min(message_bytes_, max_message_bytes_))
    return {Errc::limit_ws_message_bytes, length_byte(header.payload_length)};
  message_bytes_ += header.payload_length;
  use_direct_ = header.fin && message_frames_ == 1;
  direct_ = {};
  return {};
}

Verdict MessageAssembler::close_payload(ByteView piece) noexcept {
  for (std::size_t i = 0; i < piece.size(); ++i) {
    const std::uint64_t at = frame_done_ + i;
    if (at == 1) {
      const auto code = static_cast<std::uint16_t>(control_[0] << 8 | control_[1]);
      if (!is_valid_close_code(code)) return {Errc::ws_bad_close_code, 0};  // RFC 6455 7.4
    } else if (at >= 2) {
      // RFC 6455 5.5.1: the reason is UTF-8; fail at the first bad byte.
      if (reason_utf8_.feed(ByteView(&control_[at], 1)) != 1) return {Errc::ws_close_reason_utf8, at};
    }
  }
  return {};
}

void MessageAssembler::append(ByteView piece) noexcept {
  const std::size_t needed = buffer_.size() + piece.size();
  if (needed > buffer_.capacity()) {
    // Grow geometrically, but never past the message limit (needed is already within it).
    const std::uint64_t doubled = std::max<std::uint64_t>(needed, 2 * std::uint64_t{buffer_.capacity()});
    buffer_.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(doubled, max_message_bytes_)));
  }
  buffer_.insert(buffer_.end(), piece.begin(), piece.end());
}

Verdict MessageAssembler::on_frame_payload(ByteView piece) noexcept {
  Verdict v;
  if (is_control(frame_.opcode)) {
    std::copy(piece.begin(), piece.end(), control_.begin() + static_cast<std::ptrdiff_t>(frame_done_));
    control_size_ = static_cast<std::uint8_t>(control_size_ + piece.size());
    if (frame_.opcode == Opcode::close) v = close_payload(piece);
  } else {
    if (message_opcode_ == Opcode::text) {
      // RFC 6455 8.1: fail as soon as the text cannot be UTF-8, across fragments.
      const std::size_t ok = utf8_.feed(piece);
      if (ok != piece.size()) return {Errc::ws_bad_utf8, frame_done_ + ok};
    }
    if (use_direct_ && frame_done_ == 0 && piece.size() == frame_.payload_length) {
      direct_ = piece;
    } else {
      use_direct_ = false;
      append(piece);
    }
  }
  frame_done_ += piece.size();
  return v;
}

Verdict MessageAssembler::on_frame_end() noexcept {
  const ByteView control(control_.data(), control_size_);
  switch (frame_.opcode) {
    case Opcode::ping:
    case Opcode::pong: sink_->on_control(frame_.opcode, control); return {};
    case Opcode::close: {
      if (control_size_ == 0) {
        sink_->on_close(std::nullopt, {});
        return {};
      }
      if (!reason_utf8_.complete()) return {Errc::ws_close_reason_utf8, 0};  // RFC 6455 5.5.1
      const auto code = static_cast<std::uint16_t>(control_[0] << 8 | control_[1]);
      sink_->on_close(code, as_text(control.subspan(2)));
      return {};
    }
    default: break;
  }
  if (!frame_.fin) return {};
  // RFC 6455 8.1: a text message must end on a code point boundary.
  if (message_opcode_ == Opcode::text && !utf8_.complete()) return {Errc::ws_bad_utf8, 0};
  in_message_ = false;
  const ByteView message = use_direct_ ? direct_ : ByteView(buffer_.data(), buffer_.size());
  sink_->on_message(message_opcode_, message);
  buffer_.clear();
  direct_ = {};
  return {};
}

}  // namespace sioconf::ws
