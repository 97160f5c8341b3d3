// Test support: the split-invariance oracle every decoder test runs its table rows through.
//
// grind() feeds one input to a fresh decoder in many chunkings (whole; every split into two; byte
// by byte) and requires the same Transcript each time, the way Beast's parsegrind does. Every chunk
// is copied into its own guard-page buffer, so a decoder that reads one byte past a chunk faults
// even without ASan (picohttpparser's trick).
#pragma once

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "sioconf/bytes.h"

namespace sioconf::test {

/// What a decoder run produced: its events (each rendered by the layer's test as a string, with
/// adjacent payload pieces already merged) and its outcome ("ok", "need_more",
/// "error <name> @<offset>", "finish error <name> @<offset>").
struct Transcript {
  std::vector<std::string> events;
  std::string outcome;
  friend bool operator==(const Transcript&, const Transcript&) = default;
  friend std::ostream& operator<<(std::ostream& os, const Transcript& t) {
    os << "{";
    for (const auto& e : t.events) os << e << "; ";
    return os << "=> " << t.outcome << "}";
  }
};

/// Bytes placed so that the page after the last byte is unreadable.
class GuardedBytes {
 public:
  explicit GuardedBytes(ByteView bytes) {
    const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    pages_ = (bytes.size() + page - 1) / page + 1;
    size_ = pages_ * page;
    base_ =
        static_cast<std::uint8_t*>(mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    std::uint8_t* guard = base_ + (pages_ - 1) * page;
    mprotect(guard, page, PROT_NONE);
    data_ = guard - bytes.size();
    if (!bytes.empty()) std::memcpy(data_, bytes.data(), bytes.size());
    view_ = ByteView(data_, bytes.size());
  }
  GuardedBytes(const GuardedBytes&) = delete;
  GuardedBytes& operator=(const GuardedBytes&) = delete;
  GuardedBytes(GuardedBytes&& o) noexcept { *this = std::move(o); }
  GuardedBytes& operator=(GuardedBytes&& o) noexcept {
    std::swap(base_, o.base_);
    std::swap(size_, o.size_);
    std::swap(pages_, o.pages_);
    std::swap(data_, o.data_);
    std::swap(view_, o.view_);
    return *this;
  }
  ~GuardedBytes() {
    if (base_) munmap(base_, size_);
  }
  ByteView view() const noexcept { return view_; }

 private:
  std::uint8_t* base_ = nullptr;
  std::size_t size_ = 0;
  std::size_t pages_ = 0;
  std::uint8_t* data_ = nullptr;
  ByteView view_;
};

/// Runs a fresh decoder over the chunks, in order, then finishes it.
using RunFn = std::function<Transcript(const std::vector<ByteView>& chunks)>;

/// Runs `run` over `chunks_of` each chunking of `input`, each chunk in guarded memory.
inline Transcript run_guarded(const RunFn& run, std::string_view input, const std::vector<std::size_t>& cuts) {
  std::vector<GuardedBytes> owned;
  std::vector<ByteView> chunks;
  std::size_t at = 0;
  for (std::size_t cut : cuts) {
    owned.emplace_back(as_bytes(input.substr(at, cut - at)));
    at = cut;
  }
  owned.emplace_back(as_bytes(input.substr(at)));
  for (const auto& g : owned) chunks.push_back(g.view());
  return run(chunks);
}

/// The oracle: every chunking gives the transcript of the one-shot run, which is returned.
/// Inputs up to `max_pair_splits` bytes also get every pair of split points (3 chunks).
inline Transcript grind(const RunFn& run, std::string_view input, std::size_t max_pair_splits = 64) {
  const Transcript whole = run_guarded(run, input, {});
  for (std::size_t i = 0; i <= input.size(); ++i) {
    const Transcript t = run_guarded(run, input, {i});
    EXPECT_EQ(t, whole) << "split at " << i;
    if (t != whole) return whole;
  }
  if (input.size() <= max_pair_splits) {
    for (std::size_t i = 1; i < input.size(); ++i)
      for (std::size_t j = i + 1; j < input.size(); ++j) {
        const Transcript t = run_guarded(run, input, {i, j});
        EXPECT_EQ(t, whole) << "splits at " << i << "," << j;
        if (t != whole) return whole;
      }
  }
  std::vector<std::size_t> bytewise;
  for (std::size_t i = 1; i < input.size(); ++i) bytewise.push_back(i);
  EXPECT_EQ(run_guarded(run, input, bytewise), whole) << "byte by byte";
  return whole;
}

/// Renders bytes for transcripts: printable ASCII as is, others as \xNN.
inline std::string printable(ByteView b) {
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (std::uint8_t c : b) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      s += static_cast<char>(c);
    } else {
      s += "\\x";
      s += hex[c >> 4];
      s += hex[c & 15];
    }
  }
  return s;
}

}  // namespace sioconf::test
