#include "sioconf/eio/payload_decoder.h"

#include <algorithm>
#include <cstring>

#include "sioconf/eio/packet_decoder.h"

namespace sioconf::eio {

namespace {
constexpr std::uint8_t kSeparator = 0x1e;  // engine.io-protocol v4: record separator
}  // namespace

PayloadDecoder::PayloadDecoder(const Limits& limits) noexcept
    : max_payload_bytes_(limits.eio_max_payload_bytes),
      max_packet_bytes_(limits.eio_max_packet_bytes),
      max_packets_(limits.eio_max_payload_packets) {}

void PayloadDecoder::fail(Errc code, std::uint64_t offset) noexcept { error_ = {code, offset}; }

// Capacity never passes Limits::eio_max_packet_bytes: callers check the record length first, and
// the doubling a plain insert would do could overshoot it.
void PayloadDecoder::spill(const std::uint8_t* from, const std::uint8_t* to) noexcept {
  const std::size_t need = spill_.size() + static_cast<std::size_t>(to - from);
  if (need > spill_.capacity())
    spill_.reserve(static_cast<std::size_t>(
        std::min<std::uint64_t>(std::max<std::size_t>(need, 2 * spill_.capacity()), max_packet_bytes_)));
  spill_.insert(spill_.end(), from, to);
}

bool PayloadDecoder::begin_record(std::uint64_t at) noexcept {
  if (records_ >= max_packets_) {  // engine.io has no such bound; 1e6 bytes hold 500k records
    fail(Errc::limit_eio_payload_packets, at);
    return false;
  }
  ++records_;
  record_start_ = at;
  return true;
}

bool PayloadDecoder::end_record(ByteView record, PacketSink& sink) noexcept {
  if (record.empty()) {  // v4: every record holds at least its type character
    fail(Errc::eio_empty_record, record_start_);
    return false;
  }
  Packet packet;
  const detail::TextVerdict v = detail::check_text_packet(record, &binary_, packet);
  if (v.code != Errc::none) {
    fail(v.code, record_start_ + v.at);
    return false;
  }
  sink.on_packet(packet);
  return true;
}

Fed PayloadDecoder::feed_impl(ByteView chunk, PacketSink& sink, ByteView* tail) noexcept {
  if (error_) return {Status::error, 0};
  const std::uint64_t base = offset_;
  // Only the bytes up to the body limit are read; the one after it is the error
  // (maxHttpBufferSize: engine.io accepts exactly the limit and answers 413 above it).
  const std::size_t take =
      static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), max_payload_bytes_ - offset_));
  const std::uint8_t* p = chunk.data();
  const auto stop = [&](std::size_t consumed) -> Fed {
    offset_ = base + consumed;
    return {Status::error, consumed};
  };

  std::size_t i = 0;
  if (take > 0 && records_ == 0 && !begin_record(0)) return stop(1);
  while (i < take) {
    const void* hit = std::memchr(p + i, kSeparator, take - i);
    const std::size_t j = hit ? static_cast<std::size_t>(static_cast<const std::uint8_t*>(hit) - p) : take;
    if (base + j - record_start_ > max_packet_bytes_) {  // engine.io maxPayload per packet
      const std::uint64_t at = record_start_ + max_packet_bytes_;
      fail(Errc::limit_eio_packet_bytes, at);
      return stop(static_cast<std::size_t>(at - base) + 1);
    }
    const bool started_here = record_start_ >= base;
    if (!hit) {
      if (tail != nullptr && started_here) {
        *tail = chunk.subspan(i, j - i);  // decode_whole: the last record, left in place
      } else {
        spill(p + i, p + j);
      }
      i = j;
      break;
    }
    ByteView record = chunk.subspan(i, j - i);
    if (!started_here) {
      spill(p + i, p + j);
      record = ByteView(spill_);
    }
    if (!end_record(record, sink)) return stop(j + 1);
    spill_.clear();
    if (!begin_record(base + j + 1)) return stop(j + 1);
    i = j + 1;
  }
  offset_ = base + take;
  if (take < chunk.size()) {
    fail(Errc::limit_eio_payload_bytes, offset_);
    return stop(take + 1);
  }
  return {Status::need_more, take};
}

Status PayloadDecoder::finish_impl(ByteView tail, PacketSink& sink) noexcept {
  if (error_) return Status::error;
  if (records_ == 0) {  // v4: a payload holds at least one packet
    fail(Errc::eio_empty_payload, 0);
    return Status::error;
  }
  const ByteView record = spill_.empty() ? tail : ByteView(spill_);
  if (!end_record(record, sink)) return Status::error;
  spill_.clear();
  offset_ = 0;
  record_start_ = 0;
  records_ = 0;
  return Status::ok;
}

Fed PayloadDecoder::feed(ByteView chunk, PacketSink& sink) noexcept { return feed_impl(chunk, sink, nullptr); }

Status PayloadDecoder::finish(PacketSink& sink) noexcept { return finish_impl({}, sink); }

Status PayloadDecoder::decode_whole(ByteView body, PacketSink& sink) noexcept {
  ByteView tail;
  if (feed_impl(body, sink, &tail).status == Status::error) return Status::error;
  return finish_impl(tail, sink);
}

void PayloadDecoder::reset() noexcept {
  offset_ = 0;
  record_start_ = 0;
  records_ = 0;
  std::vector<std::uint8_t>().swap(spill_);
  std::vector<std::uint8_t>().swap(binary_);
  error_ = {};
}

}  // namespace sioconf::eio
