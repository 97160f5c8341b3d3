// Shared by the fuzz targets: a failing oracle, choices read from the input, chunkings, and the
// transcript two decoder runs are compared by.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "sioconf/bytes.h"
#include "sioconf/errc.h"

/// The oracle's verdict: on failure, say which check and abort (libFuzzer saves the input; a
/// replay test fails).
#define FUZZ_CHECK(cond)                                                                   \
  do {                                                                                     \
    if (!(cond)) {                                                                         \
      std::fprintf(stderr, "oracle failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__);      \
      std::abort();                                                                        \
    }                                                                                      \
  } while (0)

namespace sioconf::fuzz {

/// Reads choices off the front of the input; what is left is the data.
class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  std::uint8_t byte() {
    if (size_ == 0) return 0;
    --size_;
    return *data_++;
  }
  ByteView rest() const { return ByteView(data_, size_); }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
};

/// Splits `bytes` the way `how` says (the input chooses it): 0 whole, 1 byte by byte, otherwise
/// pieces cycling through a small pattern of sizes up to `how` (scaled up for long inputs, so that
/// a long input costs tens of pieces, not thousands). Every split point is reachable.
inline std::vector<ByteView> chunks(ByteView bytes, std::uint8_t how) {
  std::vector<ByteView> out;
  if (how == 0 || bytes.empty()) {
    out.push_back(bytes);
    return out;
  }
  const std::size_t span = static_cast<std::size_t>(how) * (1 + bytes.size() / 1024);
  std::size_t at = 0, step = 0;
  while (at < bytes.size()) {
    const std::size_t n = how == 1 ? 1 : 1 + (step * 7 + how) % span;
    const std::size_t take = n < bytes.size() - at ? n : bytes.size() - at;
    out.push_back(bytes.subspan(at, take));
    at += take;
    ++step;
  }
  return out;
}

/// What a decoder run produced: events rendered as text (adjacent payload pieces merged by the
/// target) and how it ended.
struct Transcript {
  std::vector<std::string> events;
  std::string outcome;
  bool operator==(const Transcript&) const = default;
};

inline std::string outcome(const char* what, Errc code, std::uint64_t offset) {
  return std::string(what) + " " + std::string(name(code)) + " @" + std::to_string(offset);
}

/// A payload in a transcript: its size and a 64-bit FNV-1a hash (cheaper than the bytes, and two
/// different payloads of one size collide with negligible probability).
inline std::string digest(ByteView b) {
  std::uint64_t h = 1469598103934665603ULL;
  for (std::uint8_t c : b) h = (h ^ c) * 1099511628211ULL;
  return std::to_string(b.size()) + ":" + std::to_string(h);
}


}  // namespace sioconf::fuzz
