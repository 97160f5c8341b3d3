#include "sioconf/ndjson/line_decoder.h"

#include <cstring>

#include "json_scan.h"

namespace sioconf::ndjson {

LineDecoder::LineDecoder(const Limits& limits, bool validate_json) noexcept
    : max_line_bytes_(limits.ndjson_max_line_bytes),
      max_depth_(limits.max_depth),
      json_(validate_json ? new detail::JsonScanner() : nullptr) {}

LineDecoder::~LineDecoder() = default;

void LineDecoder::reset() noexcept {
  spill_.clear();
  line_start_ = 0;
  offset_ = 0;
  lines_ = 0;
  error_ = {};
}

Fed LineDecoder::fail(Errc code, std::uint64_t at, std::size_t consumed) noexcept {
  error_ = {code, at};
  offset_ += consumed;
  spill_.clear();
  return {Status::error, consumed};
}

void LineDecoder::hold(const char* bytes, std::size_t n) noexcept {
  // Grow geometrically, but never past the limit: the capacity, not only the size, is bounded.
  const std::size_t want = spill_.size() + n;
  if (want > spill_.capacity()) {
    std::size_t grown = spill_.capacity() < 256 ? 256 : spill_.capacity() * 2;
    if (grown < want) grown = want;
#ifndef SIOCONF_PLANTED_NDJSON_UNBOUNDED_SPILL  // planted bug (properties/README.md): reserves past the limit
    if (grown > max_line_bytes_) grown = static_cast<std::size_t>(max_line_bytes_);
#endif
    spill_.reserve(grown);
  }
#ifdef SIOCONF_PLANTED_NDJSON_SPLIT
  if (n > 0) --n;  // planted bug (fuzz/README.md): a line cut by a chunk boundary loses a byte
#endif
  spill_.insert(spill_.end(), bytes, bytes + n);
}

Errc LineDecoder::deliver(std::string_view line, LineSink& sink) noexcept {
  // NDJSON 1.0 3.2: a line may end in "\r\n".
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.empty()) return Errc::ndjson_empty_line;  // sioconf: NDJSON 1.0 3.2 would let us skip it
  if (json_)
    if (const Errc e = json_->scan(line, max_depth_); e != Errc::none) return e;  // RFC 8259
  sink.on_line(line);
  ++lines_;
  return Errc::none;
}

Fed LineDecoder::feed(ByteView chunk, LineSink& sink) noexcept {
  if (error_) return {Status::error, 0};
  const char* const data = reinterpret_cast<const char*>(chunk.data());
  const std::size_t size = chunk.size();
  std::size_t pos = 0;
  while (pos < size) {
    const void* nl = std::memchr(data + pos, '\n', size - pos);
    const std::size_t end = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - data) : size;
    const std::size_t piece = end - pos;
    // The line so far is spill_.size() bytes; refuse it at the first byte past the limit, so
    // that no more than the limit is ever held (a naive splitter's buffer grows without bound).
    const std::uint64_t held = spill_.size();
    if (held + piece > max_line_bytes_) {
      const std::size_t room = static_cast<std::size_t>(max_line_bytes_ - held);
      return fail(Errc::limit_ndjson_line_bytes, line_start_ + max_line_bytes_, pos + room + 1);
    }
    if (!nl) {
      hold(data + pos, piece);
      pos = end;
      break;
    }
    std::string_view line(data + pos, piece);
    if (!spill_.empty()) {
      hold(data + pos, piece);
      line = std::string_view(spill_.data(), spill_.size());
    }
    if (const Errc e = deliver(line, sink); e != Errc::none) return fail(e, line_start_, end + 1);
    spill_.clear();
    pos = end + 1;
    line_start_ = offset_ + pos;
  }
  offset_ += size;
  return {spill_.empty() ? Status::ok : Status::need_more, size};
}

Status LineDecoder::finish(LineSink&) noexcept {
  if (error_) return Status::error;
  if (!spill_.empty()) {
    fail(Errc::truncated, offset_, 0);
    return Status::error;
  }
  return Status::ok;
}

Errc encode_line(std::string_view json_text, std::string& out, const Limits& limits) noexcept {
  if (json_text.size() > limits.ndjson_max_line_bytes) return Errc::limit_ndjson_line_bytes;
  if (json_text.empty()) return Errc::ndjson_empty_line;
  if (json_text.find_first_of("\r\n") != std::string_view::npos) return Errc::ndjson_raw_newline;  // NDJSON 1.0 3.1
  detail::JsonScanner json;
  if (const Errc e = json.scan(json_text, limits.max_depth); e != Errc::none) return e;  // RFC 8259
  out.reserve(out.size() + json_text.size() + 1);
  out.append(json_text);
  out.push_back('\n');
  return Errc::none;
}

}  // namespace sioconf::ndjson
