// Private to the codec layers: a validating JSON scan that builds nothing.
//
// Why not a DOM: the Socket.IO decoder only needs to know that a payload is valid JSON, the kinds
// of the root and of its first element, and, in binary packets, the placeholder objects. Building
// simdjson's DOM (tape, number conversion, unescaped string copies) was 68% of the decode time.
// This scan runs simdjson's SIMD stage 1 (UTF-8, strings, structural characters) and then walks the
// structural characters once, with the same grammar, the same depth rule and the same error
// classes as simdjson's DOM stage 2 (impl/test/core/json_scan_test.cc checks it against the DOM on
// generated documents). The text needs no padding and is never copied.
#pragma once

#include <simdjson.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

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
  JsonString string;       // kind == string
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
  static std::uint32_t first_backslash(std::string_view text, std::uint32_t from) noexcept;  // or the size
  Errc scalar_at(std::uint32_t pos, std::uint32_t limit, bool want_value, bool want_string,
                 JsonScalar& out) noexcept;
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

// simdjson's structural_or_whitespace: what may follow a number or a literal.
inline bool ends_scalar(char c) noexcept {
  switch (c) {
    case ' ': case '\t': case '\n': case '\r':
    case ',': case ':': case '[': case ']': case '{': case '}':
      return true;
    default:
      return false;
  }
}

inline bool is_blank(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace json_scan

inline JsonString JsonScanner::string_at(std::uint32_t pos, std::uint32_t limit) const noexcept {
  // Stage 1 proved the string closed before the next structural; only blanks lie between.
  std::uint32_t close = limit - 1;
  while (json_scan::is_blank(text_[close])) --close;
  return {text_.substr(pos + 1, close - pos - 1), false};
}

inline bool JsonScanner::literal_at(std::uint32_t pos, std::string_view word) const noexcept {
  if (text_.size() - pos < word.size() || text_.compare(pos, word.size(), word) != 0) return false;
  return text_.size() - pos == word.size() || json_scan::ends_scalar(text_[pos + word.size()]);
}

inline Errc JsonScanner::number_at(std::uint32_t pos, std::uint32_t limit, bool want_value,
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
    const unsigned first = buf[pos] == '-' ? 1 : 0;  // index of the first digit
    const unsigned body = ((1u << size) - 1) & ~first;
    const unsigned dot = dots & body;
    const bool leading_zero = buf[pos + first] == '0';
    const unsigned int_digits = dot != 0 ? static_cast<unsigned>(__builtin_ctz(dot)) - first : size - first;
    const bool shape = ((digits & body) | dot) == body && (dot & (dot - 1)) == 0 &&  // digits, one '.' at most
                       int_digits != 0 && (!leading_zero || int_digits == 1) &&       // 0 or [1-9][0-9]*
                       (dot == 0 || (dot << 1) < (1u << size));                        // a digit after '.'
    const bool ended = end < limit || limit == text_.size() || json_scan::ends_scalar(buf[limit]);
    if (shape && ended && int_digits < 19) {
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

inline Errc JsonScanner::scalar_at(std::uint32_t pos, std::uint32_t limit, bool want_value,
                                   bool want_string, JsonScalar& out) noexcept {
  switch (text_[pos]) {
    case '"':
      out.kind = JsonKind::string;
      if (next_backslash_ < limit) return escaped_string_at(pos, limit, out);
      if (want_string) out.string = string_at(pos, limit);
      return Errc::none;
    case 't':
      out.kind = JsonKind::true_;
      return literal_at(pos, "true") ? Errc::none : Errc::json_syntax;
    case 'f':
      out.kind = JsonKind::false_;
      return literal_at(pos, "false") ? Errc::none : Errc::json_syntax;
    case 'n':
      out.kind = JsonKind::null;
      return literal_at(pos, "null") ? Errc::none : Errc::json_syntax;
    default:
      return number_at(pos, limit, want_value, out);
  }
}

// Mirrors simdjson 3.0.1's DOM stage 2 (json_iterator::walk_document) step by step, so that the
// same inputs fail with the same error class; only the tape writing is gone.
template <typename Visitor>
Errc JsonScanner::scan(std::string_view text, std::uint64_t max_depth, Visitor& visitor) noexcept {
  root_ = JsonKind::none;
  first_ = JsonScalar{};
  text_ = text;
  if (const Errc e = index(text); e != Errc::none) return e;
  next_backslash_ = first_backslash(text, 0);
  const char* const buf = text.data();
  const std::uint32_t* const at = stage1_->structural_indexes.get();
  const std::uint32_t n = stage1_->n_structural_indexes;
  const auto len = static_cast<std::uint32_t>(text.size());
  std::uint32_t next = 0;  // the structural after the one being looked at
  // The byte of structural k, or '\0' past the last one (simdjson reads its zero padding there).
  const auto char_of = [&](std::uint32_t k) noexcept { return k < n ? buf[at[k]] : '\0'; };
  // Where the value at structural k ends at the latest: the next structural's offset.
  const auto limit_of = [&](std::uint32_t k) noexcept { return k + 1 < n ? at[k + 1] : len; };
  in_array_.clear();
  std::uint64_t depth = 0;
  bool first_pending = false;

  // A scalar at structural k: validated, reported, and remembered when it is the root array's
  // first element.
  const auto scalar = [&](std::uint32_t k) noexcept -> Errc {
    JsonScalar s;
    if (const Errc e = scalar_at(at[k], limit_of(k), Visitor::wants_values, first_pending, s); e != Errc::none) return e;
    if (first_pending) {
      first_ = s;
      first_pending = false;
    }
    visitor.scalar(s);
    return Errc::none;
  };
  // A container value whose opening bracket is structural k: true when it was empty (and has been
  // consumed whole), false when the walk must descend.
  const auto empty_container = [&](std::uint32_t k, char open) noexcept {
    const char close = open == '{' ? '}' : ']';
    if (first_pending) {
      first_.kind = open == '{' ? JsonKind::object : JsonKind::array;
      first_pending = false;
    }
    if (char_of(k + 1) != close) return false;
    visitor.container_start(open == '{', at[k]);
    visitor.container_end();
    ++next;
    return true;
  };

  std::uint32_t k = next++;
  const char root = buf[at[k]];
  // simdjson: an unmatched outer bracket is refused before anything inside it is looked at.
  if (root == '{' && buf[at[n - 1]] != '}') return Errc::json_syntax;
  if (root == '[' && buf[at[n - 1]] != ']') return Errc::json_syntax;
  switch (root) {
    case '{':
      root_ = JsonKind::object;
      if (empty_container(k, root)) goto document_end;
      goto object_begin;
    case '[':
      root_ = JsonKind::array;
      if (empty_container(k, root)) goto document_end;
      goto array_begin;
    default: {
      JsonScalar s;
      if (const Errc e = scalar_at(at[k], len, Visitor::wants_values, true, s); e != Errc::none) return e;
      root_ = s.kind;
      visitor.scalar(s);
      goto document_end;
    }
  }

object_begin:
  if (++depth > max_depth) return Errc::limit_depth;  // its members would sit deeper than allowed
  in_array_.push_back(0);
  visitor.container_start(true, at[k]);
  k = next++;
  if (char_of(k) != '"') return Errc::json_syntax;
object_key : {
  JsonScalar key;
  if (const Errc e = scalar_at(at[k], limit_of(k), false, Visitor::wants_keys, key); e != Errc::none) return e;
  visitor.key(key.string);
  if (char_of(next++) != ':') return Errc::json_syntax;
  k = next++;
  const char c = char_of(k);
  if (c == '{' || c == '[') {
    if (!empty_container(k, c)) {
      if (c == '{') goto object_begin;
      goto array_begin;
    }
  } else if (const Errc e = scalar(k); e != Errc::none) {
    return e;
  }
}
object_continue:
  switch (char_of(next++)) {
    case ',':
      k = next++;
      if (char_of(k) != '"') return Errc::json_syntax;
      goto object_key;
    case '}':
      visitor.container_end();
      goto scope_end;
    default:
      return Errc::json_syntax;
  }

scope_end:
  in_array_.pop_back();
  if (--depth == 0) goto document_end;
  if (in_array_.back()) goto array_continue;
  goto object_continue;

array_begin:
  if (++depth > max_depth) return Errc::limit_depth;
  in_array_.push_back(1);
  visitor.container_start(false, at[k]);
  first_pending = depth == 1;
array_value : {
  k = next++;
  const char c = char_of(k);
  if (c == '{' || c == '[') {
    if (!empty_container(k, c)) {
      if (c == '{') goto object_begin;
      goto array_begin;
    }
  } else if (const Errc e = scalar(k); e != Errc::none) {
    return e;
  }
}
array_continue:
  switch (char_of(next++)) {
    case ',':
      goto array_value;
    case ']':
      visitor.container_end();
      goto scope_end;
    default:
      return Errc::json_syntax;
  }

document_end:
  if (depth != 0 || next != n) return Errc::json_syntax;  // more than one value at the root
  return Errc::none;
}

}  // namespace sioconf::detail
