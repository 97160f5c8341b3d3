#include "sioconf/ws/frame_decoder.h"

#include <algorithm>
#include <array>
#include <span>

namespace sioconf::ws {
namespace {

// Masked payloads are unmasked into a scratch buffer that the decoders of a thread share: a
// decoder hands each piece to its sink and is done with it when the sink returns, so one buffer
// serves every connection, and an idle connection holds none (4 KiB each otherwise). A sink that
// feeds another decoder on the same thread while it holds a piece would have that piece
// overwritten: the nested decoder sees the buffer taken and unmasks into a small one of its own
// stack instead (more, smaller pieces; still correct).
struct SharedScratch {
  std::array<std::uint8_t, 4096> bytes;
  bool taken = false;
};
thread_local SharedScratch t_scratch;

class ScratchLease {
 public:
  ScratchLease() noexcept : shared_(!t_scratch.taken) { t_scratch.taken = true; }
  ~ScratchLease() {
    if (shared_) t_scratch.taken = false;
  }
  ScratchLease(const ScratchLease&) = delete;
  ScratchLease& operator=(const ScratchLease&) = delete;
  std::span<std::uint8_t> bytes() noexcept { return shared_ ? std::span<std::uint8_t>(t_scratch.bytes) : local_; }

 private:
  bool shared_;
  std::array<std::uint8_t, 256> local_;
};

}  // namespace

FrameDecoder::FrameDecoder(Role role, const Limits& limits) noexcept
    : role_(role), max_frame_bytes_(limits.ws_max_frame_bytes) {}

void FrameDecoder::reset() noexcept {
  state_ = State::header;
  have_ = 0;
  need_ = 2;
  header_ = {};
  frame_start_ = 0;
  payload_done_ = 0;
  offset_ = 0;
  error_ = {};
}

Status FrameDecoder::fail(Errc code, std::uint64_t offset) noexcept {
  state_ = State::error;
  error_ = {code, offset};
  return Status::error;
}

Errc FrameDecoder::check_header_byte(std::uint64_t& at) noexcept {
  const std::size_t i = have_ - 1u;
  const std::uint8_t b = spill_[i];
  if (i == 0) {
    at = 0;
    header_.fin = (b & 0x80) != 0;
    header_.rsv = static_cast<std::uint8_t>((b >> 4) & 0x7);
    if (header_.rsv != 0) return Errc::ws_reserved_bits;  // RFC 6455 5.2: no extension negotiated
    const std::uint8_t op = b & 0x0F;
    if (!is_known_opcode(op)) return Errc::ws_reserved_opcode;  // RFC 6455 5.2
    header_.opcode = static_cast<Opcode>(op);
    if (is_control(header_.opcode) && !header_.fin) return Errc::ws_control_fragmented;  // RFC 6455 5.5
    return Errc::none;
  }
  const std::uint8_t len7 = spill_[1] & 0x7F;
  if (i == 1) {
    at = 1;
    header_.masked = (b & 0x80) != 0;
    if (role_ == Role::server && !header_.masked) return Errc::ws_unmasked_frame;  // RFC 6455 5.1
    if (role_ == Role::client && header_.masked) return Errc::ws_masked_frame;     // RFC 6455 5.1
    // RFC 6455 5.5: a 16/64-bit length code already means more than 125 (or a non-minimal length).
    if (is_control(header_.opcode) && len7 > kMaxControlPayload) return Errc::ws_control_too_long;
    const std::uint8_t ext = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
    need_ = static_cast<std::uint8_t>(2 + ext + (header_.masked ? 4 : 0));
    if (ext == 0) {
      header_.payload_length = len7;
      if (header_.payload_length > max_frame_bytes_) return Errc::limit_ws_frame_bytes;
    }
    return Errc::none;
  }
  const std::size_t ext_end = len7 == 126 ? 4 : len7 == 127 ? 10 : 2;
  if (i >= ext_end) return Errc::none;  // masking key
  at = 2;
  if (i == 2 && len7 == 127 && (b & 0x80) != 0) return Errc::ws_length_top_bit;  // RFC 6455 5.2
  if (i + 1 < ext_end) return Errc::none;
  std::uint64_t length = 0;
  for (std::size_t k = 2; k < ext_end; ++k) length = (length << 8) | spill_[k];
  // RFC 6455 5.2: "the minimal number of bytes MUST be used to encode the length".
  if (length < (len7 == 126 ? 126u : 65536u)) return Errc::ws_non_minimal_length;
  header_.payload_length = length;
  if (length > max_frame_bytes_) return Errc::limit_ws_frame_bytes;
  return Errc::none;
}

Verdict FrameDecoder::end_frame(FrameSink& sink) noexcept {
  const Verdict v = sink.on_frame_end();
  if (v.code == Errc::none) state_ = header_.opcode == Opcode::close ? State::closed : State::header;
  return v;
}

Fed FrameDecoder::feed(ByteView in, FrameSink& sink) noexcept {
  if (state_ == State::error) return {Status::error, 0};
  const std::uint64_t base = offset_;
  std::size_t pos = 0;
  const auto stop = [&](Errc code, std::uint64_t offset) {
    offset_ = base + pos;
    fail(code, offset);
    return Fed{Status::error, pos};
  };
  while (pos < in.size()) {
    if (state_ == State::closed) {
      ++pos;
      return stop(Errc::ws_frame_after_close, base + pos - 1);  // RFC 6455 5.5.1
    }
    if (state_ == State::header) {
      if (have_ == 0) frame_start_ = base + pos;
      spill_[have_++] = in[pos++];
      std::uint64_t at = 0;
      if (const Errc e = check_header_byte(at); e != Errc::none) return stop(e, frame_start_ + at);
      if (have_ < need_) continue;
      if (header_.masked) std::copy_n(spill_.begin() + (need_ - 4), 4, header_.mask.begin());
      else header_.mask = {};
      have_ = 0;
      need_ = 2;
      payload_done_ = 0;
      const Verdict v = sink.on_frame_header(header_);
      if (v.code != Errc::none) return stop(v.code, frame_start_ + v.at);
      if (header_.payload_length == 0) {
        const Verdict end = end_frame(sink);
        if (end.code != Errc::none) return stop(end.code, base + pos);
      } else {
        state_ = State::payload;
      }
      continue;
    }
    // State::payload
    const std::uint64_t payload_start = frame_start_ + header_size(header_.payload_length, header_.masked);
    const std::size_t n =
        static_cast<std::size_t>(std::min<std::uint64_t>(header_.payload_length - payload_done_, in.size() - pos));
    ByteView chunk = in.subspan(pos, n);
    ScratchLease scratch;
    while (!chunk.empty()) {
      ByteView piece = chunk;
      if (header_.masked) {
        // RFC 6455 5.3: byte i of the payload is XORed with mask[i % 4].
        const std::span<std::uint8_t> into = scratch.bytes();
        const std::size_t k = std::min(chunk.size(), into.size());
        apply_mask(chunk.first(k), into.data(), header_.mask, payload_done_);
        piece = ByteView(into.data(), k);
      }
      chunk = chunk.subspan(piece.size());
      pos += piece.size();
      payload_done_ += piece.size();
      const Verdict v = sink.on_frame_payload(piece);
      if (v.code != Errc::none) return stop(v.code, payload_start + v.at);
    }
    if (payload_done_ == header_.payload_length) {
      const Verdict end = end_frame(sink);
      if (end.code != Errc::none) return stop(end.code, base + pos);
    }
  }
  offset_ = base + pos;
  const bool boundary = (state_ == State::header && have_ == 0) || state_ == State::closed;
  return {boundary ? Status::ok : Status::need_more, pos};
}

Status FrameDecoder::finish() noexcept {
  if (state_ == State::error) return Status::error;
  if (state_ == State::payload || (state_ == State::header && have_ != 0)) return fail(Errc::truncated, offset_);
  return Status::ok;
}

}  // namespace sioconf::ws
