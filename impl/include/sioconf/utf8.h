// sioconf/utf8.h — incremental UTF-8 validation (Unicode 15, Table 3-7 "well-formed byte
// sequences"), used for WebSocket text messages, close reasons and Engine.IO text.
//
// Fail fast: feed() reports the first byte that cannot continue any well-formed sequence, even when
// the sequence is split across calls (RFC 6455 8.1 lets an endpoint fail as soon as it knows).
// Overlong forms, surrogates (U+D800-DFFF) and code points above U+10FFFF are rejected.
#pragma once

#include <cstddef>
#include <cstdint>

#include "sioconf/bytes.h"

namespace sioconf {

class Utf8Validator {
 public:
  /// Validates the next bytes of the text. Returns the number of bytes accepted: `in.size()` when
  /// every byte is fine so far, or the index of the first bad byte. After a bad byte the validator
  /// is stuck in its error state until reset().
  std::size_t feed(ByteView in) noexcept;
  /// True when no bad byte was seen and the text so far ends on a code point boundary.
  bool complete() const noexcept { return !failed_ && need_ == 0; }
  /// True after a bad byte.
  bool failed() const noexcept { return failed_; }
  void reset() noexcept { *this = Utf8Validator{}; }

 private:
  std::uint8_t need_ = 0;   // continuation bytes still expected
  std::uint8_t lo_ = 0x80;  // allowed range of the next continuation byte
  std::uint8_t hi_ = 0xBF;
  bool failed_ = false;
};

/// True when all of `text` is well-formed UTF-8.
bool is_valid_utf8(ByteView text) noexcept;

}  // namespace sioconf
