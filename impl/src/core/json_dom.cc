#include "json_dom.h"

#include <cstring>

namespace sioconf::detail {
namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads the \uXXXX escape at text[i] ('\\' at i), or -1.
long escape_at(std::string_view text, std::size_t i) noexcept {
  if (i + 6 > text.size() || text[i] != '\\' || text[i + 1] != 'u') return -1;
  long v = 0;
  for (std::size_t k = i + 2; k < i + 6; ++k) {
    const int h = hex_value(text[k]);
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

// simdjson reports a lone surrogate escape as a generic STRING_ERROR; JSON's grammar allows it, so
// it gets its own name. Only runs on the error path.
bool has_lone_surrogate(std::string_view text) noexcept {
  for (std::size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] != '\\') continue;
    const long v = escape_at(text, i);
    if (v < 0) {
      ++i;  // skip the escaped character, e.g. the second '\' of "\\"
      continue;
    }
    if (v >= 0xDC00 && v <= 0xDFFF) return true;
    if (v >= 0xD800 && v <= 0xDBFF) {
      const long low = escape_at(text, i + 6);
      if (low < 0xDC00 || low > 0xDFFF) return true;
      i += 11;
      continue;
    }
    i += 5;
  }
  return false;
}

}  // namespace

Errc JsonDom::parse(std::string_view text, std::uint32_t max_depth) noexcept {
  // simdjson's depth D admits values inside at most D-1 containers (measured: an empty container
  // at level D passes, a non-empty one does not), which is Limits::max_depth + 1.
  const std::uint32_t want_depth = max_depth + 1;
  const std::size_t want_capacity = text.size() < 4096 ? 4096 : text.size();
  if (want_depth != parser_depth_ || want_capacity > parser_capacity_) {
    const std::size_t capacity = want_capacity > parser_capacity_ ? want_capacity : parser_capacity_;
    if (parser_.allocate(capacity, want_depth) != simdjson::SUCCESS) return Errc::limit_depth;
    parser_capacity_ = capacity;
    parser_depth_ = want_depth;
  }
  if (text.size() + simdjson::SIMDJSON_PADDING > padded_capacity_) {
    padded_capacity_ = want_capacity + simdjson::SIMDJSON_PADDING;
    padded_ = std::make_unique<char[]>(padded_capacity_);
  }
  std::memcpy(padded_.get(), text.data(), text.size());
  std::memset(padded_.get() + text.size(), 0, simdjson::SIMDJSON_PADDING);
  auto result = parser_.parse(padded_.get(), text.size(), false);
  switch (result.error()) {
    case simdjson::SUCCESS: root_ = result.value_unsafe(); return Errc::none;
    case simdjson::DEPTH_ERROR: return Errc::limit_depth;
    case simdjson::UTF8_ERROR: return Errc::json_bad_utf8;
    case simdjson::NUMBER_ERROR: return Errc::json_number;
    case simdjson::STRING_ERROR: return has_lone_surrogate(text) ? Errc::json_lone_surrogate : Errc::json_syntax;
    default: return Errc::json_syntax;
  }
}

}  // namespace sioconf::detail
