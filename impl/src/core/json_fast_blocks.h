// Private to core (json_fast*.cc only): the block check of json_fast.h, written once against a
// `Block` type and compiled once per instruction set (json_fast_avx2.cc, json_fast_avx512.cc).
//
// Everything here has internal linkage on purpose: each including file is compiled with its own
// -m flags, and an inline function shared between them could be merged by the linker into the
// build for the wider instruction set and then run on a machine without it.
//
// A Block is 64 bytes; its masks give bit i for byte i:
//   static Block load(const char* p)     the 64 bytes at p
//   equal(c), equal_either_case(c)      bytes == c; bytes == c once bit 0x20 is set in them
//   between(a, b)                       ASCII bytes in [a, b]
//   blanks()                            ' ', '\t', '\n', '\r'
//   below_space(), high()               bytes < 0x20 (bytes >= 0x80 may be included); bytes >= 0x80
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace sioconf::detail {

/// What the block check found: `valid` only if every rule held; then the bytes >= 0x80 all lie in
/// [utf8_begin, utf8_end), which the caller still has to check as UTF-8 (an empty range if none).
/// (json_fast.cc declares the same struct: it must not include this header.)
struct FastResult {
  bool valid = false;
  std::size_t utf8_begin = 0, utf8_end = 0;
};

namespace {

// Bit i = the XOR of bits 0..i: 1 from an opening quote up to (not including) its closing one.
inline std::uint64_t prefix_xor(std::uint64_t x) {
  const __m128i all = _mm_set1_epi8(static_cast<char>(0xFF));
  return static_cast<std::uint64_t>(
      _mm_cvtsi128_si64(_mm_clmulepi64_si128(_mm_cvtsi64_si128(static_cast<long long>(x)), all, 0)));
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
  if (n == room) return true;
  switch (s[n]) {  // what may end a literal (simdjson's structural_or_whitespace)
    case ' ':
    case '\t':
    case '\n':
    case '\r':
    case ',':
    case ':':
    case '[':
    case ']':
    case '{':
    case '}': return true;
    default: return false;
  }
}

template <typename Block>
FastResult accept_blocks(const char* data, std::size_t size, std::uint64_t max_depth) {
  FastResult no;
  if (size == 0 || size >= (std::size_t{1} << 32)) return no;
  Level levels[65];  // the containers around the open one; [0] is the root (no separator allowed)
  unsigned depth = 0;
  char open_ = 0;  // the open container: its bracket (0 at the root) and separators so far
  std::uint32_t commas_ = 0, colons_ = 0;
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
  alignas(64) char tail[128];
  std::memset(tail + 64, ' ', 64);

  // One block more than the text when its size is a multiple of 64: the last block always ends in
  // padding blanks, so every rule about "the next byte" is settled inside the loop.
  for (std::size_t at = 0; at <= size; at += 64) {
    const char* p = data + at;
    if (const std::size_t rest = size - at; rest < 64) {
      if (size >= 64) {
        std::memcpy(tail, data + size - 64, 64);  // a fixed size: vector moves, no call
      } else {
        std::memcpy(tail + 64 - rest, p, rest);
      }
      p = tail + 64 - rest;
    }
    const Block b = Block::load(p);

    // ---- strings ----
    const std::uint64_t quote = b.equal('"');
    const std::uint64_t escaped = escapes.escaped(b.equal('\\'));
    if (escaped != 0)  // \uXXXX is left to the exact walk
      bad |= escaped & ~(quote | b.equal('\\') | b.equal('/') | b.equal('b') | b.equal('f') | b.equal('n') |
                         b.equal('r') | b.equal('t'));
    const std::uint64_t real_quote = quote & ~escaped;
    const std::uint64_t high = b.high();
    if (high != 0) {
      if (first_high == size) first_high = at + static_cast<std::size_t>(__builtin_ctzll(high));
      last_high = at + 63 - static_cast<std::size_t>(__builtin_clzll(high));
    }
    if (string_carry != 0 && real_quote == 0) {
      // The whole block inside one string (long texts): only its bytes matter. No rule below has
      // anything pending across such a block, except the search for the end of a value string.
      bad |= b.below_space() & ~high;
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
    const std::uint64_t blank = b.blanks() & outside;
    bad |= b.below_space() & ~high & ~blank;  // control bytes: only blanks, and only outside strings
    // Which bracket each one is, the bracket pass reads from the text.
    const std::uint64_t opener = b.equal_either_case('{') & outside;
    const std::uint64_t closer = b.equal_either_case('}') & outside;
    const std::uint64_t comma = b.equal(',') & outside, colon = b.equal(':') & outside;
    const std::uint64_t scalar = outside & ~blank & ~(opener | closer | comma | colon);
    const std::uint64_t scalar_before = later_scalar.of(scalar);
    const std::uint64_t scalar_start = scalar & ~scalar_before;
    const std::uint64_t after_scalar = scalar_before & ~scalar;

    // ---- numbers: -?(0|[1-9][0-9]*)(.[0-9]+)?, fewer than 16 digits in a row, no exponent ----
    const std::uint64_t digit = b.between('0', '9'), minus = b.equal('-'), dot = b.equal('.');
    const std::uint64_t number_start = scalar_start & (digit | minus);
    // Blocks without a number byte (strings, keys, literals) skip the number rules, unless a number
    // or a rule about its next byte runs in from the block before.
    if ((scalar & (digit | minus | dot)) != 0 || number_run.carry || later_minus.carry != 0 || later_dot.carry != 0) {
      const std::uint64_t number = (number_run.sum(scalar, number_start) ^ scalar) & scalar;
      bad |= number & ~(digit | minus | dot);  // the other scalars are literals, checked below
      const std::uint64_t lead_minus = minus & number_start;
      bad |= minus & number & ~number_start;
      const std::uint64_t after_minus = later_minus.of(lead_minus);
      bad |= after_minus & ~digit;
      const std::uint64_t first_digit = (number_start & digit) | after_minus;
      bad |= later_zero.of(first_digit & b.equal('0')) & digit;  // no leading zero
      const std::uint64_t number_dot = dot & number;
      bad |= number_dot & ~later_digit.of(digit);                          // a digit before '.'
      bad |= later_dot.of(number_dot) & ~digit;                            // and after it
      bad |= number_dot & ~(second_dot.sum(number, number_dot) ^ number);  // one '.' per number
      const std::uint64_t number_digit = digit & number;
      const std::uint64_t run_2 = number_digit & run1.of(number_digit, 1);
      const std::uint64_t run_4 = run_2 & run2.of(run_2, 2);
      const std::uint64_t run_8 = run_4 & run4.of(run_4, 4);
      bad |= run_8 & run8.of(run_8, 8);  // 16 digits in a row: maybe beyond int64, left to the walk
    } else {
      later_minus.carry = later_zero.carry = later_digit.carry = later_dot.carry = 0;
      run1.prev = run2.prev = run4.prev = run8.prev = 0;
    }

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
    if (bad != 0) return no;

    // ---- literals, one by one (they are short and few) ----
    for (std::uint64_t literals = scalar_start & ~number_start; literals != 0; literals &= literals - 1)
      if (!literal_at(data, size, at + static_cast<std::size_t>(__builtin_ctzll(literals)))) return no;

    // ---- nesting: brackets in order; separators counted for the container they sit in ----
    // The open container lives in registers (open_, commas_, colons_); its ancestors in `levels`.
    std::uint64_t commas = comma, colons = colon;
    for (std::uint64_t brackets = opener | closer; brackets != 0; brackets &= brackets - 1) {
      const int i = __builtin_ctzll(brackets);
      const std::uint64_t before = (std::uint64_t{1} << i) - 1;
      commas_ += static_cast<std::uint32_t>(__builtin_popcountll(commas & before));
      colons_ += static_cast<std::uint32_t>(__builtin_popcountll(colons & before));
      commas &= ~before;
      colons &= ~before;
      // Opening and closing alternate at random: no branch on which one this is.
      const char c = p[i];
      const bool open = (c & 2) != 0;  // '[' and '{' have bit 1 set, ']' and '}' do not
      // A closing bracket must match, and its container hold the separators of its kind: no ':'
      // in an array; in an object (members "key":value) one ':' more than ',' unless it is empty.
      const bool fits = open_ == static_cast<char>(c - 2) &&
                        (c == ']' ? colons_ == 0 : (((empty_close >> i) & 1) != 0 || colons_ == commas_ + 1));
      // Too deep is left to the walk, which applies the exact rule.
      if (open ? depth == depth_cap : !fits) return no;
      levels[depth] = {open_, commas_, colons_};  // kept when opening, dropped when closing
      const Level back = levels[open ? 0 : depth - 1];
      open_ = open ? c : back.open;
      commas_ = open ? 0 : back.commas;
      colons_ = open ? 0 : back.colons;
      depth = open ? depth + 1 : depth - 1;
    }
    commas_ += static_cast<std::uint32_t>(__builtin_popcountll(commas));
    colons_ += static_cast<std::uint32_t>(__builtin_popcountll(colons));
  }
  if (string_carry != 0 || after_comma.pending() || after_colon.pending() || after_opener.pending())
    return no;  // a string or a container left open, or nothing where a value had to come
  if (depth != 0 || commas_ != 0 || colons_ != 0) return no;  // one value at the root, nothing beside it
  return {true, first_high, first_high == size ? size : last_high + 1};
}

}  // namespace
}  // namespace sioconf::detail
