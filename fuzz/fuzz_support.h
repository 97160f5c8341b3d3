// Shared by the fuzz targets: a failing oracle, choices read from the input, chunkings, and the
// transcript two decoder runs are compared by.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "sioconf/bytes.h"
#include "sioconf/errc.h"

/// The oracle's verdict: on failure, say which check and abort (libFuzzer saves the input; a
/// replay test fails).
#define FUZZ_CHECK(cond)                                                              \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      std::fprintf(stderr, "oracle failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                                   \
    }                                                                                 \
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

/// Calls f(piece) for the pieces of `bytes` that `how` chooses (the input chooses it): 0 whole, 1
/// byte by byte, otherwise pieces cycling through a small pattern of sizes up to `how` (scaled up
/// for long inputs, so that a long input costs tens of pieces, not thousands). Every split point is
/// reachable. Stops early when f returns false. No allocation: this runs on every input.
template <typename F>
void each_chunk(ByteView bytes, std::uint8_t how, F&& f) {
  if (how == 0 || bytes.empty()) {
    f(bytes);
    return;
  }
  const std::size_t span = static_cast<std::size_t>(how) * (1 + bytes.size() / 1024);
  std::size_t at = 0, step = 0;
  while (at < bytes.size()) {
    const std::size_t n = how == 1 ? 1 : 1 + (step * 7 + how) % span;
    const std::size_t take = n < bytes.size() - at ? n : bytes.size() - at;
    if (!f(bytes.subspan(at, take))) return;
    at += take;
    ++step;
  }
}

/// The same pieces as a list (for callers that need them all at once).
inline std::vector<ByteView> chunks(ByteView bytes, std::uint8_t how) {
  std::vector<ByteView> out;
  each_chunk(bytes, how, [&](ByteView piece) {
    out.push_back(piece);
    return true;
  });
  return out;
}

/// What a decoder run produced, folded into a hash as it happens (no string per event: under
/// ASan the allocations would cost more than the decoding): the events in order, their count, and
/// how the run ended.
struct Transcript {
  std::uint64_t hash = 1469598103934665603ULL;
  std::size_t events = 0;
  DecodeError error;  // none, or the decoder's sticky error
  void add(std::uint64_t v) { hash = (hash ^ v) * 1099511628211ULL; }
  void add(ByteView bytes) {
    add(bytes.size());
    // Eight bytes per step: a byte loop here costs more than the decoding it records.
    std::size_t i = 0;
    for (; i + 8 <= bytes.size(); i += 8) add(load_word(bytes.data() + i, 8));
    if (i < bytes.size()) add(load_word(bytes.data() + i, bytes.size() - i));
  }
  void event(std::uint64_t kind) {
    ++events;
    add(kind);
  }
  bool operator==(const Transcript&) const = default;

 private:
  static std::uint64_t load_word(const std::uint8_t* p, std::size_t n) {
    std::uint64_t w = 0;
    std::memcpy(&w, p, n);
    return w;
  }
};

}  // namespace sioconf::fuzz
