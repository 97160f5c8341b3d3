// Private to sioconf: the seeded generator of its tests, benchmarks and the simulator.
//
// splitmix64: tiny, and the same sequence on every platform and standard library (unlike
// std::uniform_int_distribution), so a seed names one mix, one generated corpus, one schedule.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace sioconf::detail {

class SplitMix {
 public:
  explicit SplitMix(std::uint64_t seed) noexcept : state_(seed) {}

  std::uint64_t next() noexcept { return step(state_); }
  /// One step of splitmix64 on a state kept elsewhere (io::SeededChoices keeps its own).
  static std::uint64_t step(std::uint64_t& state) noexcept {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  /// Uniform enough in [0, n) for n far below 2^64 (n > 0).
  std::size_t below(std::size_t n) noexcept { return static_cast<std::size_t>(next() % n); }
  /// In [lo, hi].
  std::uint64_t range(std::uint64_t lo, std::uint64_t hi) noexcept { return lo + next() % (hi - lo + 1); }
  bool chance(unsigned percent) noexcept { return next() % 100 < percent; }
  template <typename T, std::size_t N>
  const T& pick(const std::array<T, N>& a) noexcept {
    return a[below(N)];
  }

 private:
  std::uint64_t state_;
};

}  // namespace sioconf::detail
