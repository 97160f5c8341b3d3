// Test support: hex spellings of bytes, for tables written the way RFC 6455 5.7 prints frames.
#pragma once

#include <cctype>
#include <string>
#include <string_view>

#include "sioconf/bytes.h"

namespace sioconf::test {

/// "81 05 48656c6c6f" -> bytes (spaces ignored; the tables only hold well-formed hex).
inline std::string hex(std::string_view h) {
  std::string out;
  int high = -1;
  for (char c : h) {
    if (c == ' ') continue;
    const int v = std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : std::tolower(c) - 'a' + 10;
    if (high < 0) {
      high = v;
    } else {
      out += static_cast<char>(high * 16 + v);
      high = -1;
    }
  }
  return out;
}

/// bytes -> lowercase hex without spaces.
inline std::string hex_of(ByteView b) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (std::uint8_t c : b) {
    s += digits[c >> 4];
    s += digits[c & 15];
  }
  return s;
}

}  // namespace sioconf::test
