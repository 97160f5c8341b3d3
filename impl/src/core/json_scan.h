// Private to the codec layers: a validating JSON scan that builds nothing.
//
// Why not a DOM: the Socket.IO decoder only needs to know that a payload is valid JSON, the kinds
// of the root and of its first element, and, in binary packets, the placeholder objects. Building
// simdjson's DOM (tape, number conversion, unescaped string copies) was 68% of the decode time.
// This scan runs simdjson's SIMD stage 1 (UTF-8, strings, structural characters) and then walks the
// structural characters once, with the same grammar, the same depth rule and the same error
// classes as simdjson's DOM stage 2 (impl/test/core/json_scan_test.cc checks it against the DOM on
// generated documents). The text needs no padding and is never copied.
//
// In front of the walk, json_fast.h proves most texts valid 64 bytes at a time (for the null
// visitor: then only the root's facts are read); the walk runs when it cannot, and names errors.
#pragma once

#include <simdjson.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <type_traits>
#include <vector>

#include "json_fast.h"
#include "sioconf/errc.h"

namespace sioconf::detail {

enum class JsonKind : std::uint8_t { none, object, array, string, int64, uint64, real, true_, false_, null };

/// A string as written: the bytes between its quotes, escapes not decoded.
struct JsonString {
  std::string_view raw;
  bool escaped = false;  // raw holds a backslash
  /// Whether the decoded string equals `plain` (plain holds no escapes).
  bool equals(std::string_view plain) const noexcept;
};

/// One scalar value as the scan met it.
struct JsonScalar {
  JsonKind kind = JsonKind::none;
  JsonString string;            // kind == string
  std::uint64_t magnitude = 0;  // kind == int64 or uint64: the absolute value
  bool negative = false;        // kind == int64: a leading '-'
};

/// What a visitor sees, in document order. Every member is optional for the scan to work but
/// each is called; a visitor records its own findings (a JSON error always outranks them, since
/// the caller only looks at the visitor when scan() returned Errc::none).
struct JsonNullVisitor {
  static constexpr bool wants_values = false;  // else JsonScalar::magnitude is left 0 below 10^18
  static constexpr bool wants_keys = false;    // else the key's JsonString is left empty
  void container_start(bool /*object*/, std::uint32_t /*offset*/) noexcept {}
  void container_end() noexcept {}
  void key(const JsonString&) noexcept {}
  void scalar(const JsonScalar&) noexcept {}
};

class JsonScanner {
 public:
  /// Validates `text` as exactly one JSON value in which no value sits inside more than
  /// `max_depth` arrays/objects (`1` and `[]` are depth 0, `[1]` and `[[]]` depth 1). Returns
  /// Errc::none, or one of json_syntax, json_bad_utf8, json_number, json_lone_surrogate,
  /// limit_depth: the first one met in document order, as simdjson's DOM parser reports it.
  /// Memory grows to the largest text seen; callers bound the text by their Limits first.
  template <typename Visitor>
  Errc scan(std::string_view text, std::uint64_t max_depth, Visitor& visitor) noexcept;
  Errc scan(std::string_view text, std::uint64_t max_depth) noexcept {
    JsonNullVisitor v;
    return scan(text, max_depth, v);
  }

  /// After a scan that returned Errc::none: the root's kind, and for a root array its first
  /// element's kind (none when empty) and, for a string, the string.
  JsonKind root_kind() const noexcept { return root_; }
  JsonKind first_kind() const noexcept { return first_.kind; }
  const JsonString& first_string() const noexcept { return first_.string; }

 private:
  Errc index(std::string_view text) noexcept;  // simdjson stage 1
  void read_facts() noexcept;                  // root_ and first_ of a text known to be valid
  static std::uint32_t first_backslash(std::string_view text, std::uint32_t from) noexcept;  // or the size
  Errc scalar_at(std::uint32_t pos, std::uint32_t limit, bool want_value, bool want_string, JsonScalar& out) noexcept;
  Errc number_at(std::uint32_t pos, std::uint32_t limit, bool want_value, JsonScalar& out) const noexcept;
  bool literal_at(std::uint32_t pos, std::string_view word) const noexcept;
  JsonString string_at(std::uint32_t pos, std::uint32_t limit) const noexcept;
  // The slow paths, each exact about the error: a string holding a backslash, any number the
  // fast path does not take.
  Errc escaped_string_at(std::uint32_t pos, std::uint32_t limit, JsonScalar& out) noexcept;
  Errc number_slow(std::uint32_t pos, bool want_value, JsonScalar& out) const noexcept;

  std::unique_ptr<simdjson::internal::dom_parser_implementation> stage1_;
  std::size_t capacity_ = 0;
  std::vector<std::uint8_t> in_array_;  // one entry per open container: the walk's only stack
  std::string_view text_;
  std::uint32_t next_backslash_ = 0;  // offset of the next '\\' at or after the walk, or the size
  JsonKind root_ = JsonKind::none;
  JsonScalar first_;
};

namespace json_scan {

// Byte classes, one table lookup each (the walk asks per scalar; a switch would branch).
enum : std::uint8_t { blank = 1, structural = 2 };
inline constexpr auto kByteClass = [] {
  std::array<std::uint8_t, 256> t{};
  for (const unsigned char c : {' ', '\t', '\n', '\r'}) t[c] = blank;
  for (const unsigned char c : {',', ':', '[', ']', '{', '}'}) t[c] = structural;
  return t;
}();

// simdjson's structural_or_whitespace: what may follow a number or a literal.
inline bool ends_scalar(char c) noexcept { return kByteClass[static_cast<unsigned char>(c)] != 0; }
inline bool is_blank(char c) noexcept { return kByteClass[static_cast<unsigned char>(c)] == blank; }

}  // namespace json_scan

inline JsonString JsonScanner::string_at(std::uint32_t pos, std::uint32_t limit) const noexcept {
  // Stage 1 proved the string closed before the next structural; only blanks lie between.
  std::uint32_t close = limit - 1;
  while (json_scan::is_blank(text_[close])) --close;
  return {text_.substr(pos + 1, close - pos - 1), false};
}

inline bool JsonScanner::literal_at(std::uint32_t pos, std::string_view word) const noexcept {
  const std::size_t room = text_.size() - pos;
  if (room < word.size()) return false;
  // With `word` a literal, each memcpy is one load: no memcmp call.
  std::uint64_t have = 0, want = 0;
  std::memcpy(&have, text_.data() + pos, word.size());
  std::memcpy(&want, word.data(), word.size());
  return have == want && (room == word.size() || json_scan::ends_scalar(text_[pos + word.size()]));
}

[[gnu::always_inline]] inline Errc JsonScanner::number_at(std::uint32_t pos, std::uint32_t limit, bool want_value,
                                                          JsonScalar& out) const noexcept {
#if defined(__SSE2__)
  // Fast path: a token of at most 16 bytes, -?digits(.digits)?, classified with a few vector
  // compares instead of a loop per byte (numbers are most of a bulk array's bytes). The token is
  // [pos, limit) less trailing blanks: stage 1 starts a new structural after any blank.
  const char* const buf = text_.data();
  std::uint32_t end = limit;
  while (json_scan::is_blank(buf[end - 1])) --end;
  const std::uint32_t size = end - pos;
  if (size <= 16 && text_.size() - pos >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(buf + pos));
    const auto digits = static_cast<unsigned>(_mm_movemask_epi8(
        _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)), _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)))));
    const auto dots = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('.'))));
    // Branch-free from here: whether a number has a fraction is as random as the data.
    const unsigned first = buf[pos] == '-';  // index of the first digit
    const unsigned token = (1u << size) - 1;
    const unsigned body = token & ~first;
    const unsigned dot = dots & body;
    const unsigned int_end = static_cast<unsigned>(__builtin_ctz(dot | (1u << size)));  // the '.' or the end
    const unsigned int_digits = int_end - first;
    const bool leading_zero = buf[pos + first] == '0';
    const char after = limit < text_.size() ? buf[limit] : ' ';
    const bool good = (((digits & body) | dot) == body) &    // digits and '.' only
                      ((dot & (dot - 1)) == 0) &             // one '.' at most
                      (int_digits - 1 < 18) &                // 1..18 integer digits: an int64
                      (!leading_zero | (int_digits == 1)) &  // 0 or [1-9][0-9]*
                      (int_end + 1 != size) &                // a digit after '.'
                      ((end < limit) | json_scan::ends_scalar(after));
    if (good) {
      out.kind = dot != 0 ? JsonKind::real : JsonKind::int64;
      out.negative = first != 0;
      if (want_value && dot == 0) {
        std::uint64_t value = 0;
        for (std::uint32_t i = pos + first; i < end; ++i) value = value * 10 + static_cast<std::uint64_t>(buf[i] - '0');
        out.magnitude = value;
      }
      return Errc::none;
    }
  }
#else
  (void)limit;
#endif
  return number_slow(pos, want_value, out);
}

[[gnu::always_inline]] inline Errc JsonScanner::scalar_at(std::uint32_t pos, std::uint32_t limit, bool want_value,
                                                          bool want_string, JsonScalar& out) noexcept {
  switch (text_[pos]) {
    case '"':
      out.kind = JsonKind::string;
      if (next_backslash_ < limit) return escaped_string_at(pos, limit, out);
      if (want_string) out.string = string_at(pos, limit);
      return Errc::none;
    case 't': out.kind = JsonKind::true_; return literal_at(pos, "true") ? Errc::none : Errc::json_syntax;
    case 'f': out.kind = JsonKind::false_; return literal_at(pos, "false") ? Errc::none : Errc::json_syntax;
    case 'n': out.kind = JsonKind::null; return literal_at(pos, "null") ? Errc::none : Errc::json_syntax;
    default: return number_at(pos, limit, want_value, out);
  }
}

// Mirrors simdjson 3.0.1's DOM stage 2 (json_iterator::walk_document) step by step, so that the
// same inputs fail with the same error class; only the tape writing is gone. `q` points at the
// structural being looked at; everything lives in locals so that the walk stays in registers.
template <typename Visitor>
Errc JsonScanner::scan(std::string_view text, std::uint64_t max_depth, Visitor& visitor) noexcept {
  root_ = JsonKind::none;
  first_ = JsonScalar{};
  text_ = text;
  if constexpr (std::is_same_v<Visitor, JsonNullVisitor>) {
    // Most texts are proven valid 64 bytes at a time (json_fast.h); the walk below decides the rest.
    if (json_fast_accept(text, max_depth)) {
      read_facts();
      return Errc::none;
    }
  }
  if (const Errc e = index(text); e != Errc::none) return e;
  next_backslash_ = first_backslash(text, 0);
  const char* const buf = text.data();
  const auto len = static_cast<std::uint32_t>(text.size());
  const std::uint32_t* q = stage1_->structural_indexes.get();
  const std::uint32_t* const last = q + stage1_->n_structural_indexes - 1;
  // The byte of a structural, or '\0' past the last one (simdjson reads its zero padding there).
  const auto char_at = [buf, last](const std::uint32_t* at) noexcept { return at <= last ? buf[*at] : '\0'; };
  // Where the value at a structural ends at the latest: the next structural's offset.
  const auto limit_at = [last, len](const std::uint32_t* at) noexcept { return at < last ? at[1] : len; };
  in_array_.clear();
  std::uint64_t depth = 0;
  bool first_pending = false;  // the root array's first element is a scalar not yet seen
  char c = buf[*q];

  // simdjson: an unmatched outer bracket is refused before anything inside it is looked at.
  if ((c == '{' && buf[*last] != '}') || (c == '[' && buf[*last] != ']')) return Errc::json_syntax;
  if (c != '{' && c != '[') {
    JsonScalar v;
    if (const Errc e = scalar_at(*q, limit_at(q), Visitor::wants_values, true, v); e != Errc::none) return e;
    root_ = v.kind;
    visitor.scalar(v);
    ++q;
    goto document_end;
  }
  root_ = c == '{' ? JsonKind::object : JsonKind::array;
  if (char_at(q + 1) == (c == '{' ? '}' : ']')) {
    visitor.container_start(c == '{', *q);
    visitor.container_end();
    q += 2;
    goto document_end;
  }
  if (c == '[') goto array_begin;

object_begin:                                         // q at '{', not empty
  if (++depth > max_depth) return Errc::limit_depth;  // its members would sit deeper than allowed
  in_array_.push_back(0);
  visitor.container_start(true, *q);
  if (char_at(++q) != '"') return Errc::json_syntax;
object_key : {  // q at the key's '"'
  // The member value below and the array element further down are handled by the same lines,
  // written out twice on purpose: folded into one helper the walk ran 15% slower (ci/bench).
  JsonScalar key;
  if (const Errc e = scalar_at(*q, limit_at(q), false, Visitor::wants_keys, key); e != Errc::none) return e;
  visitor.key(key.string);
  if (char_at(++q) != ':') return Errc::json_syntax;
  c = char_at(++q);
  if (c == '{' || c == '[') {
    if (char_at(q + 1) != (c == '{' ? '}' : ']')) {
      if (c == '{') goto object_begin;
      goto array_begin;
    }
    visitor.container_start(c == '{', *q);
    visitor.container_end();
    ++q;
  } else {
    JsonScalar v;
    if (const Errc e = scalar_at(*q, limit_at(q), Visitor::wants_values, false, v); e != Errc::none) return e;
    visitor.scalar(v);
  }
}
object_continue:  // q at the last structural of a member's value
  c = char_at(++q);
  if (c == ',') {
    if (char_at(++q) != '"') return Errc::json_syntax;
    goto object_key;
  }
  if (c != '}') return Errc::json_syntax;
  visitor.container_end();

scope_end:  // q at a closing bracket
  in_array_.pop_back();
  if (--depth == 0) {
    ++q;
    goto document_end;
  }
  if (in_array_.back()) goto array_continue;
  goto object_continue;

array_begin:  // q at '[', not empty
  if (++depth > max_depth) return Errc::limit_depth;
  in_array_.push_back(1);
  visitor.container_start(false, *q);
  if (depth == 1) {
    const char head = char_at(q + 1);
    if (head == '{') first_.kind = JsonKind::object;
    else if (head == '[') first_.kind = JsonKind::array;
    else first_pending = true;
  }
array_value : {  // q at the structural before the element
  c = char_at(++q);
  if (c == '{' || c == '[') {
    if (char_at(q + 1) != (c == '{' ? '}' : ']')) {
      if (c == '{') goto object_begin;
      goto array_begin;
    }
    visitor.container_start(c == '{', *q);
    visitor.container_end();
    ++q;
  } else {
    JsonScalar v;
    if (const Errc e = scalar_at(*q, limit_at(q), Visitor::wants_values, first_pending, v); e != Errc::none) return e;
    if (first_pending) {
      first_ = v;
      first_pending = false;
    }
    visitor.scalar(v);
  }
}
array_continue:  // q at the last structural of an element
  c = char_at(++q);
  if (c == ',') goto array_value;
  if (c != ']') return Errc::json_syntax;
  visitor.container_end();
  goto scope_end;

document_end:                                                 // q one past the root value
  if (depth != 0 || q != last + 1) return Errc::json_syntax;  // more than one value at the root
  return Errc::none;
}

}  // namespace sioconf::detail
