#include "json_fast.h"

#include <simdjson.h>

#include <cstddef>
#include <cstdlib>
#include <string_view>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SIOCONF_JSON_FAST 1
#else
#define SIOCONF_JSON_FAST 0
#endif

namespace sioconf::detail {

#if SIOCONF_JSON_FAST

// json_fast_blocks.h's result; the check itself is built once per instruction set, in
// json_fast_avx2.cc and json_fast_avx512.cc (each with its own -m flags).
struct FastResult {
  bool valid = false;
  std::size_t utf8_begin = 0, utf8_end = 0;
};
FastResult json_fast_accept_avx2(const char* data, std::size_t size, std::uint64_t max_depth);
FastResult json_fast_accept_avx512(const char* data, std::size_t size, std::uint64_t max_depth);

namespace {

enum class Isa { none, avx2, avx512 };

// The widest the CPU has, or less if SIOCONF_JSON_FAST says so ("avx2", "off"): tests and
// benchmarks use it to run every variant on one machine.
Isa best_isa() noexcept {
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi2") &&
                    __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("popcnt");
  const bool avx512 = avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
  const char* const want = std::getenv("SIOCONF_JSON_FAST");
  const std::string_view cap = want != nullptr ? want : "avx512";
  if (cap == "off") return Isa::none;
  if (cap == "avx2") return avx2 ? Isa::avx2 : Isa::none;
  return avx512 ? Isa::avx512 : avx2 ? Isa::avx2 : Isa::none;
}

const Isa kIsa = best_isa();

}  // namespace

bool json_fast_available() noexcept { return kIsa != Isa::none; }

const char* json_fast_isa() noexcept {
  switch (kIsa) {
    case Isa::avx512: return "avx512";
    case Isa::avx2: return "avx2";
    case Isa::none: break;
  }
  return "off";
}

bool json_fast_accept(std::string_view text, std::uint64_t max_depth) noexcept {
  FastResult r;
  switch (kIsa) {
    case Isa::avx512: r = json_fast_accept_avx512(text.data(), text.size(), max_depth); break;
    case Isa::avx2: r = json_fast_accept_avx2(text.data(), text.size(), max_depth); break;
    case Isa::none: return false;
  }
  // Before utf8_begin every byte is ASCII, so a character starts there; from utf8_end on too, so
  // a character cut at utf8_end is cut in the text as well.
  return r.valid &&
         (r.utf8_begin == r.utf8_end || simdjson::validate_utf8(text.data() + r.utf8_begin, r.utf8_end - r.utf8_begin));
}

#else

bool json_fast_available() noexcept { return false; }
const char* json_fast_isa() noexcept { return "off"; }
bool json_fast_accept(std::string_view, std::uint64_t) noexcept { return false; }

#endif

}  // namespace sioconf::detail
