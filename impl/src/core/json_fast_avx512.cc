// The block check for AVX-512 (BW) machines (compiled with -mavx512f -mavx512bw -mbmi2 -mpclmul
// -mpopcnt: see impl/CMakeLists.txt): each mask is one compare into a mask register. Only
// json_fast.cc calls it, after checking the CPU.
#include <cstddef>
#include <cstdint>

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__BMI2__) && defined(__PCLMUL__) && defined(__POPCNT__)
#include "json_fast_blocks.h"

namespace sioconf::detail {
namespace {

struct Avx512Block {
  __m512i v;

  static Avx512Block load(const char* p) { return {_mm512_loadu_si512(p)}; }
  std::uint64_t equal(char c) const { return _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(c)); }
  std::uint64_t equal_either_case(char c) const {
    return _mm512_cmpeq_epi8_mask(_mm512_or_si512(v, _mm512_set1_epi8(0x20)), _mm512_set1_epi8(c));
  }
  // Unsigned: bytes >= 0x80 land far above any ASCII range once `first` is subtracted.
  std::uint64_t between(char first, char last) const {
    return _mm512_cmple_epu8_mask(_mm512_sub_epi8(v, _mm512_set1_epi8(first)),
                                  _mm512_set1_epi8(static_cast<char>(last - first)));
  }
  std::uint64_t blanks() const {  // the table entry at a blank's low nibble is the blank itself
    alignas(64) static constexpr char kTable[64] = {' ', 0, 0, 0, 0, 0, 0, 0, 0, '\t', '\n', 0, 0, '\r', 0, 0,
                                                    ' ', 0, 0, 0, 0, 0, 0, 0, 0, '\t', '\n', 0, 0, '\r', 0, 0,
                                                    ' ', 0, 0, 0, 0, 0, 0, 0, 0, '\t', '\n', 0, 0, '\r', 0, 0,
                                                    ' ', 0, 0, 0, 0, 0, 0, 0, 0, '\t', '\n', 0, 0, '\r', 0, 0};
    return _mm512_cmpeq_epi8_mask(_mm512_shuffle_epi8(_mm512_load_si512(kTable), v), v);
  }
  std::uint64_t below_space() const { return _mm512_cmplt_epu8_mask(v, _mm512_set1_epi8(0x20)); }
  std::uint64_t high() const { return _mm512_movepi8_mask(v); }
};

}  // namespace

FastResult json_fast_accept_avx512(const char* data, std::size_t size, std::uint64_t max_depth) {
  return accept_blocks<Avx512Block>(data, size, max_depth);
}

}  // namespace sioconf::detail

#endif
