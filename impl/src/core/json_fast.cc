#include "json_fast.h"

#include <simdjson.h>

#include <cstring>

#include "json_scan.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SIOCONF_JSON_FAST 1
#include <immintrin.h>
#else
#define SIOCONF_JSON_FAST 0
#endif

namespace sioconf::detail {

#if SIOCONF_JSON_FAST
namespace {

// Compiled for AVX2 whatever the build flags; only called after json_fast_available().
#define SIOCONF_AVX2 __attribute__((target("avx2,bmi,bmi2,pclmul,popcnt")))

// A 64-byte block. In every mask below, bit i stands for byte i of the block.
struct Block {
  __m256i lo, hi;
};

SIOCONF_AVX2 inline std::uint64_t mask_of(__m256i lo, __m256i hi) {
  return static_cast<std::uint32_t>(_mm256_movemask_epi8(lo)) |
         static_cast<std::uint64_t>(static_cast<std::uint32_t>(_mm256_movemask_epi8(hi))) << 32;
}

SIOCONF_AVX2 inline std::uint64_t equal(const Block& b, char c) {
  const __m256i v = _mm256_set1_epi8(c);
  return mask_of(_mm256_cmpeq_epi8(b.lo, v), _mm256_cmpeq_epi8(b.hi, v));
}

// Bytes in [first, last], both ASCII (bytes >= 0x80 compare as negative and never match).
SIOCONF_AVX2 inline std::uint64_t between(const Block& b, char first, char last) {
  const __m256i below = _mm256_set1_epi8(static_cast<char>(first - 1));
  const __m256i above = _mm256_set1_epi8(static_cast<char>(last + 1));
  return mask_of(_mm256_and_si256(_mm256_cmpgt_epi8(b.lo, below), _mm256_cmpgt_epi8(above, b.lo)),
                 _mm256_and_si256(_mm256_cmpgt_epi8(b.hi, below), _mm256_cmpgt_epi8(above, b.hi)));
}

// ' ', '\t', '\n', '\r': a byte is blank when the table entry at its low nibble is the byte itself.
SIOCONF_AVX2 inline std::uint64_t blanks(const Block& b) {
  const __m256i table = _mm256_setr_epi8(' ', 0, 0, 0, 0, 0, 0, 0, 0, '\t', '\n', 0, 0, '\r', 0, 0,
                                         ' ', 0, 0, 0, 0, 0, 0, 0, 0, '\t', '\n', 0, 0, '\r', 0, 0);
  return mask_of(_mm256_cmpeq_epi8(_mm256_shuffle_epi8(table, b.lo), b.lo),
                 _mm256_cmpeq_epi8(_mm256_shuffle_epi8(table, b.hi), b.hi));
}

// Bytes equal to c once bit 0x20 is set in them: '{' and '[' for c = '{', '}' and ']' for '}'.
SIOCONF_AVX2 inline std::uint64_t equal_either_case(const Block& b, char c) {
  const __m256i v = _mm256_set1_epi8(c), bit = _mm256_set1_epi8(0x20);
  return mask_of(_mm256_cmpeq_epi8(_mm256_or_si256(b.lo, bit), v), _mm256_cmpeq_epi8(_mm256_or_si256(b.hi, bit), v));
}

// Bytes below 0x20 and bytes from 0x80 (both compare below 0x20 as signed bytes).
SIOCONF_AVX2 inline std::uint64_t below_space(const Block& b) {
  const __m256i space = _mm256_set1_epi8(0x20);
  return mask_of(_mm256_cmpgt_epi8(space, b.lo), _mm256_cmpgt_epi8(space, b.hi));
}

// Bit i = the XOR of bits 0..i: 1 from an opening quote up to (not including) its closing one.
SIOCONF_AVX2 inline std::uint64_t prefix_xor(std::uint64_t x) {
  const __m128i all = _mm_set1_epi8(static_cast<char>(0xFF));
  return static_cast<std::uint64_t>(_mm_cvtsi128_si64(_mm_clmulepi64_si128(_mm_cvtsi64_si128(static_cast<long long>(x)), all, 0)));
}

inline bool add(std::uint64_t a, std::uint64_t b, bool carry, std::uint64_t& sum) {
  unsigned long long s;
  const bool out = _addcarry_u64(carry ? 1 : 0, a, b, &s) != 0;
  sum = s;
  return out;
}

// x moved one byte later; the bit that leaves the block enters the next one.
struct Later {
  std::uint64_t carry = 0;
  std::uint64_t of(std::uint64_t x) {
    const std::uint64_t r = (x << 1) | carry;
    carry = x >> 63;
    return r;
  }
};

// x moved k bytes later, the previous block's top bits entering at the bottom (runs across blocks).
struct Back {
  std::uint64_t prev = 0;
  std::uint64_t of(std::uint64_t x, int k) {
    const std::uint64_t r = (x << k) | (prev >> (64 - k));
    prev = x;
    return r;
  }
};

// An addition that carries across blocks. Adding a bit at the start of a run of ones clears the
// run and sets the bit just after it: that one instruction skips a run of any length.
struct Carry {
  bool carry = false;
  std::uint64_t sum(std::uint64_t run, std::uint64_t starts) {
    std::uint64_t s;
    carry = add(run, starts, carry, s);
    return s;
  }
};

// From each start, the first byte that is not blank (the start itself if it is not blank):
// where "what comes next" is, whitespace skipped.
struct Follow {
  Carry add_;
  std::uint64_t targets(std::uint64_t starts, std::uint64_t blanks) { return add_.sum(blanks, starts) & ~blanks; }
  bool pending() const { return add_.carry; }  // a search ran past the last block
};

// The characters escaped by a backslash (simdjson's odd-backslash-run method): after "\\" the
// next quote is real, after "\\\" it is escaped.
struct Escapes {
  std::uint64_t carry = 0;  // bit 0 of the next block is escaped
  std::uint64_t escaped(std::uint64_t backslash) {
    if (backslash == 0 && carry == 0) return 0;
    backslash &= ~carry;
    const std::uint64_t follows = backslash << 1 | carry;
    constexpr std::uint64_t even = 0x5555555555555555ULL;
    const std::uint64_t odd_starts = backslash & ~even & ~follows;
    std::uint64_t runs;
    carry = add(odd_starts, backslash, false, runs) ? 1 : 0;
    return (even ^ (runs << 1)) & follows;
  }
};

struct Level {
  char open;
  std::uint32_t commas, colons;  // at this container's own level
};

// "true", "false" or "null" at text[pos], ending there.
bool literal_at(const char* data, std::size_t size, std::size_t pos) {
  const char* s = data + pos;
  const std::size_t room = size - pos;
  std::size_t n;
  if (room >= 4 && (std::memcmp(s, "true", 4) == 0 || std::memcmp(s, "null", 4) == 0)) n = 4;
  else if (room >= 5 && std::memcmp(s, "false", 5) == 0) n = 5;
  else return false;
  return n == room || json_scan::ends_scalar(s[n]);
}

SIOCONF_AVX2 bool accept(const char* data, std::size_t size, std::uint64_t max_depth) {
  if (size == 0 || size >= (std::size_t{1} << 32)) return false;
  Level levels[65];  // [0] is the root, which must end with no separator
  levels[0] = {0, 0, 0};
  unsigned depth = 0;
  const unsigned depth_cap = max_depth < 64 ? static_cast<unsigned>(max_depth) : 64;

  Escapes escapes;
  std::uint64_t string_carry = 0;  // all ones while a string runs into the next block
  Later later_scalar, later_minus, later_zero, later_digit, later_dot;
  Later later_comma, later_colon, later_opener, later_value_end, later_other_string;
  Follow after_comma, after_colon, after_opener, after_value, after_other_string;
  Carry number_run, second_dot, string_end;
  Back run1, run2, run4, run8;
  std::uint64_t bad = 0;
  std::size_t first_high = size, last_high = 0;  // the bytes >= 0x80 lie in [first_high, last_high]
  // The last, partial block: the text's last 64 bytes are stored at [0, 64) and the block is read
  // from where the text's rest begins, so that blanks follow it ([64, 128)). No memcpy call.
  alignas(32) char tail[128];
  _mm256_store_si256(reinterpret_cast<__m256i*>(tail + 64), _mm256_set1_epi8(' '));
  _mm256_store_si256(reinterpret_cast<__m256i*>(tail + 96), _mm256_set1_epi8(' '));

  // One block more than the text when its size is a multiple of 64: the last block always ends in
  // padding blanks, so every rule about "the next byte" is settled inside the loop.
  for (std::size_t at = 0; at <= size; at += 64) {
    const char* p = data + at;
    if (const std::size_t rest = size - at; rest < 64) {
      if (size >= 64) {
        _mm256_store_si256(reinterpret_cast<__m256i*>(tail), _mm256_loadu_si256(reinterpret_cast<const __m256i*>(data + size - 64)));
        _mm256_store_si256(reinterpret_cast<__m256i*>(tail + 32), _mm256_loadu_si256(reinterpret_cast<const __m256i*>(data + size - 32)));
      } else {
        std::memcpy(tail + 64 - rest, p, rest);
      }
      p = tail + 64 - rest;
    }
    const Block b{_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)),
                  _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32))};

    // ---- strings ----
    const std::uint64_t quote = equal(b, '"');
    const std::uint64_t escaped = escapes.escaped(equal(b, '\\'));
    if (escaped != 0)  // \uXXXX is left to the exact walk
      bad |= escaped & ~(quote | equal(b, '\\') | equal(b, '/') | equal(b, 'b') | equal(b, 'f') |
                         equal(b, 'n') | equal(b, 'r') | equal(b, 't'));
    const std::uint64_t real_quote = quote & ~escaped;
    const std::uint64_t high = mask_of(b.lo, b.hi);
    if (high != 0) {
      if (first_high == size) first_high = at + static_cast<std::size_t>(__builtin_ctzll(high));
      last_high = at + 63 - static_cast<std::size_t>(__builtin_clzll(high));
    }
    if (string_carry != 0 && real_quote == 0) {
      // The whole block inside one string (long texts): only its bytes matter. No rule below has
      // anything pending across such a block, except the search for the end of a value string.
      bad |= below_space(b) & ~high;
      run1.prev = run2.prev = run4.prev = run8.prev = 0;
      later_digit.carry = 0;
      continue;
    }
    const std::uint64_t in_string = prefix_xor(real_quote) ^ string_carry;  // opening quote and inside
    string_carry = 0 - (in_string >> 63);
    const std::uint64_t open_quote = real_quote & in_string;
    const std::uint64_t close_quote = real_quote & ~in_string;
    const std::uint64_t outside = ~in_string & ~close_quote;

    // ---- bytes outside strings ----
    const std::uint64_t blank = blanks(b) & outside;
    bad |= below_space(b) & ~high & ~blank;  // control bytes: only blanks, and only outside strings
    // Which bracket each one is, the bracket pass reads from the text.
    const std::uint64_t opener = equal_either_case(b, '{') & outside;
    const std::uint64_t closer = equal_either_case(b, '}') & outside;
    const std::uint64_t comma = equal(b, ',') & outside, colon = equal(b, ':') & outside;
    const std::uint64_t scalar = outside & ~blank & ~(opener | closer | comma | colon);
    const std::uint64_t scalar_before = later_scalar.of(scalar);
    const std::uint64_t scalar_start = scalar & ~scalar_before;
    const std::uint64_t after_scalar = scalar_before & ~scalar;

    // ---- numbers: -?(0|[1-9][0-9]*)(.[0-9]+)?, fewer than 16 digits in a row, no exponent ----
    const std::uint64_t digit = between(b, '0', '9'), minus = equal(b, '-'), dot = equal(b, '.');
    const std::uint64_t number_start = scalar_start & (digit | minus);
    const std::uint64_t number = (number_run.sum(scalar, number_start) ^ scalar) & scalar;
    bad |= number & ~(digit | minus | dot);  // the other scalars are literals, checked below
    const std::uint64_t lead_minus = minus & number_start;
    bad |= minus & number & ~number_start;
    const std::uint64_t after_minus = later_minus.of(lead_minus);
    bad |= after_minus & ~digit;
    const std::uint64_t first_digit = (number_start & digit) | after_minus;
    bad |= later_zero.of(first_digit & equal(b, '0')) & digit;  // no leading zero
    const std::uint64_t number_dot = dot & number;
    bad |= number_dot & ~later_digit.of(digit);  // a digit before '.'
    bad |= later_dot.of(number_dot) & ~digit;    // and after it
    bad |= number_dot & ~(second_dot.sum(number, number_dot) ^ number);  // one '.' per number
    const std::uint64_t number_digit = digit & number;
    const std::uint64_t run_2 = number_digit & run1.of(number_digit, 1);
    const std::uint64_t run_4 = run_2 & run2.of(run_2, 2);
    const std::uint64_t run_8 = run_4 & run4.of(run_4, 4);
    bad |= run_8 & run8.of(run_8, 8);  // 16 digits in a row: maybe beyond int64, left to the walk

    // ---- what may follow what (blanks skipped) ----
    // An object's first member starting with something else than a key fails later: that value
    // would be followed by ':' (refused below), or the object lacks a ':' (the bracket pass).
    const std::uint64_t value_start = open_quote | scalar_start | opener;
    const std::uint64_t document_start = at == 0 ? 1 : 0;
    bad |= after_comma.targets(later_comma.of(comma) | document_start, blank) & ~value_start;
    const std::uint64_t colon_target = after_colon.targets(later_colon.of(colon), blank);
    bad |= colon_target & ~value_start;
    const std::uint64_t opener_target = after_opener.targets(later_opener.of(opener), blank);
    bad |= opener_target & ~(value_start | closer);
    const std::uint64_t empty_close = opener_target & closer;
    // A string after ':' is a member's value: no ':' after it. Any other string may be a key.
    const std::uint64_t value_string_close =
        (string_end.sum(in_string, colon_target & open_quote) ^ in_string) & close_quote;
    const std::uint64_t value_end_starts = later_value_end.of(closer | value_string_close) | after_scalar;
    bad |= after_value.targets(value_end_starts, blank) & ~(comma | closer);
    bad |= after_other_string.targets(later_other_string.of(close_quote & ~value_string_close), blank) &
           ~(comma | closer | colon);
    if (bad != 0) return false;

    // ---- literals, one by one (they are short and few) ----
    for (std::uint64_t literals = scalar_start & ~number_start; literals != 0; literals &= literals - 1)
      if (!literal_at(data, size, at + static_cast<std::size_t>(__builtin_ctzll(literals)))) return false;

    // ---- nesting: brackets in order; separators counted for the container they sit in ----
    std::uint64_t commas = comma, colons = colon;
    for (std::uint64_t brackets = opener | closer; brackets != 0; brackets &= brackets - 1) {
      const int i = __builtin_ctzll(brackets);
      const std::uint64_t before = (std::uint64_t{1} << i) - 1;
      Level& top = levels[depth];
      top.commas += static_cast<std::uint32_t>(__builtin_popcountll(commas & before));
      top.colons += static_cast<std::uint32_t>(__builtin_popcountll(colons & before));
      commas &= ~before;
      colons &= ~before;
      const char c = p[i];
      if (c == '{' || c == '[') {
        if (depth == depth_cap) return false;  // maybe too deep: the walk applies the exact rule
        levels[++depth] = {c, 0, 0};
        continue;
      }
      if (depth == 0) return false;
      const Level& l = levels[depth];
      if (c == ']') {
        if (l.open != '[' || l.colons != 0) return false;
      } else if (l.open != '{' || (((empty_close >> i) & 1) == 0 && l.colons != l.commas + 1)) {
        return false;  // members are "key":value, so a non-empty object has one ':' more than ','
      }
      --depth;
    }
    levels[depth].commas += static_cast<std::uint32_t>(__builtin_popcountll(commas));
    levels[depth].colons += static_cast<std::uint32_t>(__builtin_popcountll(colons));
  }
  if (string_carry != 0 || after_comma.pending() || after_colon.pending() || after_opener.pending())
    return false;  // a string or a container left open, or nothing where a value had to come
  if (depth != 0 || levels[0].commas != 0 || levels[0].colons != 0) return false;
  // Before first_high every byte is ASCII, so a character starts there; after last_high too, so a
  // character cut at last_high + 1 is cut in the text as well.
  return first_high == size || simdjson::validate_utf8(data + first_high, last_high + 1 - first_high);
}

}  // namespace

bool json_fast_available() noexcept {
  static const bool available = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi2") &&
                                __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("popcnt");
  return available;
}

bool json_fast_accept(std::string_view text, std::uint64_t max_depth) noexcept {
  return json_fast_available() && accept(text.data(), text.size(), max_depth);
}

#else

bool json_fast_available() noexcept { return false; }
bool json_fast_accept(std::string_view, std::uint64_t) noexcept { return false; }

#endif

}  // namespace sioconf::detail
