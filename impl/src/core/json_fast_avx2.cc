// The block check for AVX2 machines (compiled with -mavx2 -mbmi2 -mpclmul -mpopcnt: see
// impl/CMakeLists.txt). Only json_fast.cc calls it, after checking the CPU.
#include <cstddef>
#include <cstdint>

#if defined(__AVX2__) && defined(__BMI2__) && defined(__PCLMUL__) && defined(__POPCNT__)
#include "json_fast_blocks.h"

namespace sioconf::detail {
namespace {

struct Avx2Block {
  __m256i lo, hi;

  static Avx2Block load(const char* p) {
    return {_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)),
            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32))};
  }
  static std::uint64_t mask_of(__m256i lo, __m256i hi) {
    return static_cast<std::uint32_t>(_mm256_movemask_epi8(lo)) |
           static_cast<std::uint64_t>(static_cast<std::uint32_t>(_mm256_movemask_epi8(hi))) << 32;
  }
  std::uint64_t equal(char c) const {
    const __m256i v = _mm256_set1_epi8(c);
    return mask_of(_mm256_cmpeq_epi8(lo, v), _mm256_cmpeq_epi8(hi, v));
  }
  std::uint64_t equal_either_case(char c) const {
    const __m256i v = _mm256_set1_epi8(c), bit = _mm256_set1_epi8(0x20);
    return mask_of(_mm256_cmpeq_epi8(_mm256_or_si256(lo, bit), v), _mm256_cmpeq_epi8(_mm256_or_si256(hi, bit), v));
  }
  // Signed compares: bytes >= 0x80 are negative and fall outside any ASCII range.
  std::uint64_t between(char first, char last) const {
    const __m256i below = _mm256_set1_epi8(static_cast<char>(first - 1));
    const __m256i above = _mm256_set1_epi8(static_cast<char>(last + 1));
    return mask_of(_mm256_and_si256(_mm256_cmpgt_epi8(lo, below), _mm256_cmpgt_epi8(above, lo)),
                   _mm256_and_si256(_mm256_cmpgt_epi8(hi, below), _mm256_cmpgt_epi8(above, hi)));
  }
  // A byte is blank when the table entry at its low nibble is the byte itself.
  std::uint64_t blanks() const {
    const __m256i table = _mm256_setr_epi8(' ', 0, 0, 0, 0, 0, 0, 0, 0, '\t', '\n', 0, 0, '\r', 0, 0, ' ', 0, 0, 0, 0,
                                           0, 0, 0, 0, '\t', '\n', 0, 0, '\r', 0, 0);
    return mask_of(_mm256_cmpeq_epi8(_mm256_shuffle_epi8(table, lo), lo),
                   _mm256_cmpeq_epi8(_mm256_shuffle_epi8(table, hi), hi));
  }
  std::uint64_t below_space() const {  // bytes >= 0x80 included (signed compare)
    const __m256i space = _mm256_set1_epi8(0x20);
    return mask_of(_mm256_cmpgt_epi8(space, lo), _mm256_cmpgt_epi8(space, hi));
  }
  std::uint64_t high() const { return mask_of(lo, hi); }
};

}  // namespace

FastResult json_fast_accept_avx2(const char* data, std::size_t size, std::uint64_t max_depth) {
  return accept_blocks<Avx2Block>(data, size, max_depth);
}

}  // namespace sioconf::detail

#endif
