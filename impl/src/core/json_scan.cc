#include "json_scan.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sioconf::detail {
namespace {

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

using json_scan::ends_scalar;

// The four hex digits at p (before end), or -1.
long hex4(const char* p, const char* end) noexcept {
  if (end - p < 4) return -1;
  long v = 0;
  for (int i = 0; i < 4; ++i) {
    const char c = p[i];
    int h;
    if (c >= '0' && c <= '9') h = c - '0';
    else if (c >= 'a' && c <= 'f') h = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') h = c - 'A' + 10;
    else return -1;
    v = v * 16 + h;
  }
  return v;
}

// The escape at p ('\\' at p, p < close): its decoded code point and its length in the text, or
// an error. simdjson's parse_string rules: a high surrogate must be followed by an escaped low one.
Errc read_escape(const char* p, const char* close, long& code_point, int& length) noexcept {
  length = 2;
  switch (p[1]) {
    case '"': code_point = '"'; return Errc::none;
    case '\\': code_point = '\\'; return Errc::none;
    case '/': code_point = '/'; return Errc::none;
    case 'b': code_point = '\b'; return Errc::none;
    case 'f': code_point = '\f'; return Errc::none;
    case 'n': code_point = '\n'; return Errc::none;
    case 'r': code_point = '\r'; return Errc::none;
    case 't': code_point = '\t'; return Errc::none;
    case 'u': break;
    default: return Errc::json_syntax;
  }
  const long high = hex4(p + 2, close);
  if (high < 0) return Errc::json_syntax;
  length = 6;
  code_point = high;
  if (high >= 0xDC00 && high <= 0xDFFF) return Errc::json_lone_surrogate;
  if (high < 0xD800 || high > 0xDBFF) return Errc::none;
  if (close - p < 8 || p[6] != '\\' || p[7] != 'u') return Errc::json_lone_surrogate;
  const long low = hex4(p + 8, close);
  if (low < 0xDC00 || low > 0xDFFF) return Errc::json_lone_surrogate;
  length = 12;
  code_point = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
  return Errc::none;
}

// The first backslash in [p, end), or nullptr. Inline because most strings are a few bytes long
// and a memchr call costs more than scanning them.
const char* find_backslash(const char* p, const char* end) noexcept {
#if defined(__SSE2__)
  const __m128i backslash = _mm_set1_epi8('\\');
  for (; end - p >= 16; p += 16) {
    const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    if (const int hits = _mm_movemask_epi8(_mm_cmpeq_epi8(block, backslash)); hits != 0)
      return p + __builtin_ctz(static_cast<unsigned>(hits));
  }
#endif
  for (; p < end; ++p)
    if (*p == '\\') return p;
  return nullptr;
}

// Every escape from the first backslash at p to the closing quote.
Errc check_escapes(const char* p, const char* close) noexcept {
  while (p != nullptr) {
    long code_point;
    int length;
    if (const Errc e = read_escape(p, close, code_point, length); e != Errc::none) return e;
    p += length;
    p = find_backslash(p, close);
  }
  return Errc::none;
}

// Whether a valid JSON number with a fraction or an exponent is finite as a double: simdjson
// refuses infinities (and rounds tiny values to zero). Only long or exponent numbers get here.
bool finite_double(const char* p, const char* end) noexcept {
  double d;
  const auto r = std::from_chars(p, end, d);
  if (r.ec != std::errc::result_out_of_range) return true;
  // Out of range is either above DBL_MAX or below the smallest subnormal: tell them apart by the
  // decimal magnitude of the first non-zero digit.
  if (*p == '-') ++p;
  std::int64_t magnitude = 0;  // 10^magnitude <= |x| < 10^(magnitude+1)
  const char* int_start = p;
  while (p < end && is_digit(*p)) ++p;
  const char* int_end = p;
  const char* first = int_start;
  while (first < int_end && *first == '0') ++first;
  if (first < int_end) {
    magnitude = int_end - first - 1;
  } else {
    magnitude = -1;
    if (p < end && *p == '.') {
      for (++p; p < end && *p == '0'; ++p) --magnitude;
    }
  }
  while (p < end && *p != 'e' && *p != 'E') ++p;
  if (p < end) {
    ++p;
    const bool negative = *p == '-';
    if (*p == '-' || *p == '+') ++p;
    std::int64_t exponent = 0;
    for (; p < end && exponent < 1'000'000'000; ++p) exponent = exponent * 10 + (*p - '0');
    magnitude += negative ? -exponent : exponent;
  }
  return magnitude < 0;
}

// The number at p, mirroring simdjson's parse_number: integers must fit int64 or uint64, the
// others must be finite doubles, and the byte after it must end a scalar.
Errc read_number(const char* p, const char* end, bool want_value, JsonScalar& out) noexcept {
  const char* const start = p;
  const bool negative = *p == '-';
  if (negative) ++p;
  const char* const digits = p;
  while (p < end && is_digit(*p)) ++p;  // no value yet: its multiply chain would be the bottleneck
  const std::size_t count = static_cast<std::size_t>(p - digits);
  if (count == 0 || (*digits == '0' && count > 1)) return Errc::json_number;
  bool is_float = false;
  bool long_or_exponent = count > 300;
  if (p < end && *p == '.') {
    is_float = true;
    const char* const fraction = ++p;
    while (p < end && is_digit(*p)) ++p;
    if (p == fraction) return Errc::json_number;
    long_or_exponent = long_or_exponent || p - digits > 300;
  }
  if (p < end && (*p == 'e' || *p == 'E')) {
    is_float = long_or_exponent = true;
    ++p;
    if (p < end && (*p == '-' || *p == '+')) ++p;
    const char* const exponent = p;
    while (p < end && is_digit(*p)) ++p;
    if (p == exponent) return Errc::json_number;
  }
  if (p < end && !ends_scalar(*p)) return Errc::json_number;
  if (is_float) {
    if (long_or_exponent && !finite_double(start, p)) return Errc::json_number;
    out.kind = JsonKind::real;
    return Errc::none;
  }
  constexpr std::uint64_t int64_max = 0x7FFF'FFFF'FFFF'FFFFULL;
  out.kind = JsonKind::int64;
  out.negative = negative;
  if (count < 19 && !want_value) return Errc::none;  // below 10^18: fits, and nobody asks its value
  const std::size_t longest = negative ? 19 : 20;    // digits of -2^63 and of 2^64-1
  if (count > longest) return Errc::json_number;
  std::uint64_t value = 0;
  for (const char* d = digits; d != digits + count; ++d)
    value = 10 * value + static_cast<std::uint64_t>(*d - '0');  // wraps; checked below
  if (count == longest) {
    if (negative && value > int64_max + 1) return Errc::json_number;
    // Twenty digits fit only from 10^19 to 2^64-1; a wrapped value lands below 2^63.
    if (!negative && (*digits != '1' || value <= int64_max)) return Errc::json_number;
  }
  if (!negative && value > int64_max) out.kind = JsonKind::uint64;
  out.magnitude = value;
  return Errc::none;
}

// The UTF-8 encoding of a valid code point into out (4 bytes), returning its length.
int encode_utf8(long cp, char* out) noexcept {
  if (cp < 0x80) {
    out[0] = static_cast<char>(cp);
    return 1;
  }
  if (cp < 0x800) {
    out[0] = static_cast<char>(0xC0 | (cp >> 6));
    out[1] = static_cast<char>(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = static_cast<char>(0xE0 | (cp >> 12));
    out[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out[2] = static_cast<char>(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = static_cast<char>(0xF0 | (cp >> 18));
  out[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
  out[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
  out[3] = static_cast<char>(0x80 | (cp & 0x3F));
  return 4;
}

}  // namespace

bool JsonString::equals(std::string_view plain) const noexcept {
  if (!escaped) return raw == plain;
  // Escaped (rare): decode piece by piece against plain. The scan already validated the escapes.
  const char* p = raw.data();
  const char* const close = raw.data() + raw.size();
  std::size_t at = 0;
  while (p < close) {
    char one[4];
    std::string_view piece;
    if (*p == '\\') {
      long code_point;
      int length;
      if (read_escape(p, close, code_point, length) != Errc::none) return false;
      piece = {one, static_cast<std::size_t>(encode_utf8(code_point, one))};
      p += length;
    } else {
      piece = {p, 1};
      ++p;
    }
    if (plain.substr(at, piece.size()) != piece) return false;
    at += piece.size();
  }
  return at == plain.size();
}

Errc JsonScanner::index(std::string_view text) noexcept {
  // Stage 1 never reads past the text: it copies the last partial 64-byte block into a buffer of
  // spaces. It only needs room for one structural index per byte.
  const std::size_t want = text.size() < 4096 ? 4096 : text.size();
  if (!stage1_) {
    if (simdjson::get_active_implementation()->create_dom_parser_implementation(want, 1, stage1_) != simdjson::SUCCESS)
      return Errc::limit_memory;
    capacity_ = want;
  } else if (want > capacity_) {
    if (stage1_->set_capacity(want) != simdjson::SUCCESS) {
      stage1_.reset();
      capacity_ = 0;
      return Errc::limit_memory;
    }
    capacity_ = want;
  }
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
  switch (stage1_->stage1(bytes, text.size(), simdjson::stage1_mode::regular)) {
    case simdjson::SUCCESS: return Errc::none;
    case simdjson::UTF8_ERROR: return Errc::json_bad_utf8;
    default: return Errc::json_syntax;  // EMPTY, UNESCAPED_CHARS, UNCLOSED_STRING
  }
}

std::uint32_t JsonScanner::first_backslash(std::string_view text, std::uint32_t from) noexcept {
  // memchr: the stretch up to the next backslash is long (usually the rest of the text), and
  // glibc's memchr uses the widest vectors the machine has.
  const auto* hit = static_cast<const char*>(std::memchr(text.data() + from, '\\', text.size() - from));
  return static_cast<std::uint32_t>(hit != nullptr ? hit - text.data() : static_cast<std::ptrdiff_t>(text.size()));
}

Errc JsonScanner::escaped_string_at(std::uint32_t pos, std::uint32_t limit, JsonScalar& out) noexcept {
  out.string = string_at(pos, limit);
  out.string.escaped = true;
  const char* const close = out.string.raw.data() + out.string.raw.size();
  // next_backslash_ lies inside this string: a backslash outside strings fails its own token first.
  const char* const first = find_backslash(text_.data() + std::max(next_backslash_, pos + 1), close);
  if (first != nullptr)
    if (const Errc e = check_escapes(first, close); e != Errc::none) return e;
  next_backslash_ = first_backslash(text_, static_cast<std::uint32_t>(close - text_.data()));
  return Errc::none;
}

void JsonScanner::read_facts() noexcept {
  // The text is valid JSON: only blanks before each value, every string closed.
  const auto skip_blanks = [this](std::size_t i) {
    while (i < text_.size() && json_scan::is_blank(text_[i])) ++i;
    return i;
  };
  const auto kind_at = [this](std::size_t i) {
    switch (text_[i]) {
      case '{': return JsonKind::object;
      case '[': return JsonKind::array;
      case '"': return JsonKind::string;
      case 't': return JsonKind::true_;
      case 'f': return JsonKind::false_;
      case 'n': return JsonKind::null;
      default: break;
    }
    // A number the fast check accepted: no exponent, under 16 digits in a row, so an int64 or a real.
    for (; i < text_.size() && !json_scan::ends_scalar(text_[i]); ++i)
      if (text_[i] == '.') return JsonKind::real;
    return JsonKind::int64;
  };
  std::size_t i = skip_blanks(0);
  root_ = kind_at(i);
  if (root_ != JsonKind::array) return;
  i = skip_blanks(i + 1);
  if (text_[i] == ']') return;
  first_.kind = kind_at(i);
  if (first_.kind != JsonKind::string) return;
  std::size_t close = i + 1;
  bool escaped = false;
  while (text_[close] != '"') {
    escaped = escaped || text_[close] == '\\';
    close += text_[close] == '\\' ? 2 : 1;
  }
  first_.string.raw = text_.substr(i + 1, close - i - 1);
  first_.string.escaped = escaped;
}

Errc JsonScanner::number_slow(std::uint32_t pos, bool want_value, JsonScalar& out) const noexcept {
  const char* const p = text_.data() + pos;
  if (*p != '-' && !is_digit(*p)) return Errc::json_syntax;  // simdjson: "Non-value found when value was expected"
  return read_number(p, text_.data() + text_.size(), want_value, out);
}

}  // namespace sioconf::detail
