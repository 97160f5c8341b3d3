#include "sioconf/base64.h"

#include <array>

namespace sioconf {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<std::int8_t, 256> make_table() {
  std::array<std::int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::int8_t>(i);
  return t;
}
constexpr auto kTable = make_table();

int value(char c) noexcept { return kTable[static_cast<unsigned char>(c)]; }

}  // namespace

std::string base64_encode(ByteView bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    const std::uint32_t v = bytes[i] << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (rest == 2) {
    const std::uint32_t v = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::optional<std::size_t> base64_decoded_size(std::string_view text) noexcept {
  if (text.size() % 4 != 0) return std::nullopt;
  if (text.empty()) return 0;
  std::size_t pad = 0;
  if (text.back() == '=') pad = text[text.size() - 2] == '=' ? 2 : 1;
  const std::size_t symbols = text.size() - pad;
  for (std::size_t i = 0; i < symbols; ++i)
    if (value(text[i]) < 0) return std::nullopt;
  // The bits a padded final group does not use must be zero (RFC 4648 3.5, canonical encoding).
  const int last = value(text[symbols - 1]);
  if (pad == 1 && (last & 0x3) != 0) return std::nullopt;
  if (pad == 2 && (last & 0xF) != 0) return std::nullopt;
  return text.size() / 4 * 3 - pad;
}

bool base64_decode(std::string_view text, std::vector<std::uint8_t>& out) {
  const auto size = base64_decoded_size(text);
  if (!size) return false;
  const std::size_t start = out.size();
  out.resize(start + *size);
  std::uint8_t* o = out.data() + start;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') break;
    acc = (acc << 6) | static_cast<std::uint32_t>(value(c));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      *o++ = static_cast<std::uint8_t>(acc >> bits);
    }
  }
  return true;
}

}  // namespace sioconf
