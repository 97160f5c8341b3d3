// Private to the codec layers: one bounded JSON parse on simdjson's DOM.
//
// Why simdjson: the Socket.IO decode path must beat Node's socket.io-parser by 8x, and nlohmann's
// DOM is 0.5x Node on the same packets (32.8 against 63.7 MB/s on a mix of 20,000 packets, measured
// 2026-11-22; simdjson 521 MB/s). The input is copied into a padded buffer that the object
// reuses, so steady-state parsing allocates nothing.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <string_view>

#include "sioconf/errc.h"

namespace sioconf::detail {

class JsonDom {
 public:
  /// Parses `text` as exactly one JSON value in which no value sits inside more than `max_depth`
  /// arrays/objects (Limits::max_depth: `1` and `[]` are depth 0, `[1]` and `[[]]` depth 1). Returns Errc::none and sets root(), or one of json_syntax, json_bad_utf8,
  /// json_number, json_lone_surrogate, limit_depth. Memory grows to the largest text seen; callers
  /// bound the text by their Limits before calling.
  Errc parse(std::string_view text, std::uint32_t max_depth) noexcept;

  /// The parsed value, valid until the next parse().
  simdjson::dom::element root() const noexcept { return root_; }

 private:
  simdjson::dom::parser parser_;
  std::unique_ptr<char[]> padded_;
  std::size_t padded_capacity_ = 0;
  std::size_t parser_capacity_ = 0;
  std::uint32_t parser_depth_ = 0;
  simdjson::dom::element root_;
};

}  // namespace sioconf::detail
