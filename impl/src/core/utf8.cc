#include "sioconf/utf8.h"

#include <cstring>

namespace sioconf {

std::size_t Utf8Validator::feed(ByteView in) noexcept {
  if (failed_) return 0;
  const std::uint8_t* p = in.data();
  const std::size_t n = in.size();
  std::size_t i = 0;
  while (i < n) {
    if (need_ == 0) {
      // Fast path: skip 8 ASCII bytes at a time.
      while (i + 8 <= n) {
        std::uint64_t word;
        std::memcpy(&word, p + i, 8);
        if (word & 0x8080808080808080ULL) break;
        i += 8;
      }
      if (i == n) break;
      const std::uint8_t b = p[i];
      if (b < 0x80) {
        ++i;
        continue;
      }
      // Unicode Table 3-7: the lead byte fixes the length and the range of the second byte.
      lo_ = 0x80;
      hi_ = 0xBF;
      if (b >= 0xC2 && b <= 0xDF) {
        need_ = 1;
      } else if (b >= 0xE0 && b <= 0xEF) {
        need_ = 2;
        if (b == 0xE0) lo_ = 0xA0;       // no overlong 3-byte forms
        else if (b == 0xED) hi_ = 0x9F;  // no surrogates
      } else if (b >= 0xF0 && b <= 0xF4) {
        need_ = 3;
        if (b == 0xF0) lo_ = 0x90;       // no overlong 4-byte forms
        else if (b == 0xF4) hi_ = 0x8F;  // nothing above U+10FFFF
      } else {
        failed_ = true;  // 0x80-0xC1 (continuation or overlong lead), 0xF5-0xFF
        return i;
      }
      ++i;
      continue;
    }
    const std::uint8_t b = p[i];
    if (b < lo_ || b > hi_) {
      failed_ = true;
      return i;
    }
    lo_ = 0x80;
    hi_ = 0xBF;
    --need_;
    ++i;
  }
  return n;
}

bool is_valid_utf8(ByteView text) noexcept {
  Utf8Validator v;
  return v.feed(text) == text.size() && v.complete();
}

}  // namespace sioconf
