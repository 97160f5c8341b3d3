#include "sioconf/ws/frame.h"

#include <cstring>

namespace sioconf::ws {

std::string_view name(Opcode op) noexcept {
  switch (op) {
    case Opcode::continuation: return "continuation";
    case Opcode::text: return "text";
    case Opcode::binary: return "binary";
    case Opcode::close: return "close";
    case Opcode::ping: return "ping";
    case Opcode::pong: return "pong";
  }
  return "reserved";
}

void apply_mask(ByteView in, std::uint8_t* out, const MaskKey& mask, std::uint64_t offset) noexcept {
  // The key rotated to this offset, repeated over a word: byte order in memory is what matters,
  // so the word is built with memcpy and never read as a number.
  std::uint8_t rotated[8];
  for (std::size_t j = 0; j < 8; ++j) rotated[j] = mask[(offset + j) & 3];
  std::uint64_t key;
  std::memcpy(&key, rotated, 8);
  const std::uint8_t* p = in.data();
  const std::size_t n = in.size();
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, p + i, 8);
    word ^= key;
    std::memcpy(out + i, &word, 8);
  }
  for (; i < n; ++i) out[i] = static_cast<std::uint8_t>(p[i] ^ rotated[i & 7]);
}

}  // namespace sioconf::ws
