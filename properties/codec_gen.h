// properties/codec_gen.h — what the codec properties (codec_split_prop.cc, codec_roundtrip_prop.cc,
// codec_bounds_prop.cc) generate, how they write it with the project's encoders, and how they
// record what the decoders give back.
//
// Everything generated here is something a conforming peer may send (this is not fuzzing): UTF-8
// text, JSON values whose binary leaves the Socket.IO encoder turns into placeholders, Socket.IO
// packets of every type with namespaces and ack ids, Engine.IO packets, WebSocket messages cut
// into fragments with control frames between them, close frames with allowed codes, NDJSON lines.
// Inputs a decoder must refuse are built on purpose in codec_bounds_prop.cc, one limit at a time.
//
// Sizes stay small (a few items of a few bytes; now and then a WebSocket payload long enough for
// the 16- and 64-bit length forms), so that shrinking ends on a readable counterexample.
#pragma once

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "prop.h"
#include "sioconf/bytes.h"
#include "sioconf/eio/handshake.h"
#include "sioconf/eio/packet.h"
#include "sioconf/errc.h"
#include "sioconf/limits.h"
#include "sioconf/ndjson/line_decoder.h"
#include "sioconf/sio/packet.h"
#include "sioconf/sio/packet_encoder.h"
#include "sioconf/ws/frame.h"
#include "sioconf/ws/frame_encoder.h"
#include "sioconf/ws/message_assembler.h"

namespace sioconf::prop::codec {

using Bytes = std::vector<std::uint8_t>;

inline Bytes to_bytes(std::string_view s) { return Bytes(s.begin(), s.end()); }
inline ByteView view(const Bytes& b) { return ByteView(b.data(), b.size()); }

/// Bytes as a C string literal: printable ASCII as is, the rest as \xNN; long ones cut short.
inline void show_bytes(ByteView b, std::ostream& os) {
  static constexpr char kHex[] = "0123456789abcdef";
  os << '"';
  std::size_t i = 0;
  for (; i < b.size() && i < 64; ++i) {
    const std::uint8_t c = b[i];
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') os << static_cast<char>(c);
    else os << "\\x" << kHex[c >> 4] << kHex[c & 15];
  }
  os << '"';
  if (i < b.size()) os << "...(" << b.size() << " bytes)";
}

// ---- building generators once -------------------------------------------------------------

/// The generator `make()` builds, built once per `args` (per call site of memo). Building one
/// allocates a tree of small objects; doing it for every case would cost more than drawing from it
/// (in the ASan build especially). Generators are immutable, so sharing them is safe.
template <typename Make, typename... Args>
auto memo(Make make, Args... args) {
  static std::map<std::tuple<Args...>, decltype(make())> built;
  const std::tuple<Args...> key(args...);
  auto it = built.find(key);
  if (it == built.end()) it = built.emplace(key, make()).first;  // make() may fill `built` too
  return it->second;
}

// ---- lists -----------------------------------------------------------------------------------

/// A vector of at most `max` elements (about max * size / 100 at RapidCheck's size), each drawn at
/// the full size. RapidCheck's own container draws its length from the size, and resizing it would
/// shrink the elements too. Shrinking removes any element, then shrinks the rest.
template <typename T>
rc::Gen<std::vector<T>> vector_of(std::size_t max, rc::Gen<T> element) {
  return rc::gen::withSize([max, element](int size) {
    const auto count_size = static_cast<int>((max * static_cast<std::size_t>(size) + 99) / 100);
    return rc::gen::resize(count_size, rc::gen::container<std::vector<T>>(rc::gen::resize(size, element)));
  });
}

/// As vector_of, but never empty: an empty draw becomes [fallback], so shrinking can still remove
/// any element. (rc::gen::nonEmpty filters, which makes RapidCheck build each value twice.)
template <typename T>
rc::Gen<std::vector<T>> nonempty_vector_of(std::size_t max, rc::Gen<T> element, T fallback) {
  return rc::gen::map(vector_of(max, std::move(element)), [fallback](std::vector<T> v) {
    if (v.empty()) v.push_back(fallback);
    return v;
  });
}

// ---- choices that shrink --------------------------------------------------------------------

/// One of `choices`, drawn by weight. RapidCheck's weightedOneOf and element never shrink from one
/// alternative to another; here the alternative is a number that shrinks toward 0, so a
/// counterexample moves to the alternatives listed first (list the simplest first), and then the
/// value shrinks within its alternative. The draw ignores RapidCheck's size (which would favour
/// the first alternatives in small cases); the alternative's generator gets it.
template <typename T>
rc::Gen<T> one_of(std::vector<std::pair<std::size_t, rc::Gen<T>>> choices) {
  std::size_t total = 0;
  for (const auto& choice : choices) total += choice.first;
  return rc::gen::mapcat(rc::gen::resize(100, rc::gen::inRange<std::size_t>(0, total)),
                         [choices](std::size_t v) {
                           for (const auto& [weight, gen] : choices) {
                             if (v < weight) return gen;
                             v -= weight;
                           }
                           return choices.back().second;
                         });
}

/// One of the values, equally likely, shrinking toward the first.
template <typename T, typename... Ts>
rc::Gen<T> pick(T first, Ts... rest) {
  const std::vector<T> values{first, static_cast<T>(rest)...};
  return rc::gen::map(rc::gen::resize(100, rc::gen::inRange<std::size_t>(0, values.size())),
                      [values](std::size_t i) { return values[i]; });
}

/// An index below `n`, uniform whatever RapidCheck's size, shrinking toward 0.
inline rc::Gen<std::size_t> any_index(std::size_t n) {
  return rc::gen::resize(100, rc::gen::inRange<std::size_t>(0, n));
}

/// `true` with probability k/n, shrinking to false.
inline rc::Gen<bool> chance(std::size_t k, std::size_t n) {
  return rc::gen::map(rc::gen::resize(100, rc::gen::inRange<std::size_t>(0, n)),
                      [k, n](std::size_t v) { return v >= n - k; });
}

/// Absent or present, half and half; shrinks to absent (rc::gen::maybe makes an rc::Maybe).
template <typename T>
rc::Gen<std::optional<T>> optional_of(rc::Gen<T> value) {
  return one_of<std::optional<T>>(
      {{1, rc::gen::just(std::optional<T>())},
       {1, rc::gen::map(std::move(value), [](T v) { return std::optional<T>(std::move(v)); })}});
}

// ---- text ------------------------------------------------------------------------------------

/// One Unicode scalar value: mostly printable ASCII, then controls (NUL, \t, \n, \r, 0x1e ...),
/// the characters JSON and Socket.IO treat specially, and code points of 2, 3 and 4 UTF-8 bytes
/// (surrogates never: they are not scalar values).
inline rc::Gen<std::uint32_t> code_point() {
  return memo([] {
    using rc::gen::inRange;
    return one_of<std::uint32_t>({
        {10, inRange<std::uint32_t>(0x20, 0x7f)},
        {2, inRange<std::uint32_t>(0x00, 0x20)},
        {2, pick<std::uint32_t>('"', '\\', '/', ',', '[', '{', 0x7f, 0x2028, 0x2029, 0xd7ff, 0xe000, 0xfeff,
                                0xfffd, 0xffff, 0x10000, 0x10ffff)},
        {2, inRange<std::uint32_t>(0x80, 0x800)},
        // 0x800-0xffff without 0xd800-0xdfff: the upper part of the draw moves up past the surrogates.
        {2, rc::gen::map(inRange<std::uint32_t>(0x800, 0xf800),
                         [](std::uint32_t c) { return c < 0xd800 ? c : c + 0x800; })},
        {1, inRange<std::uint32_t>(0x10000, 0x110000)},
    });
  });
}

inline void append_utf8(std::string& out, std::uint32_t c) {
  const auto byte = [&out](std::uint32_t v) { out += static_cast<char>(static_cast<std::uint8_t>(v)); };
  if (c < 0x80) {
    byte(c);
  } else if (c < 0x800) {
    byte(0xC0 | (c >> 6));
    byte(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    byte(0xE0 | (c >> 12));
    byte(0x80 | ((c >> 6) & 0x3F));
    byte(0x80 | (c & 0x3F));
  } else {
    byte(0xF0 | (c >> 18));
    byte(0x80 | ((c >> 12) & 0x3F));
    byte(0x80 | ((c >> 6) & 0x3F));
    byte(0x80 | (c & 0x3F));
  }
}

inline std::string utf8_of(const std::vector<std::uint32_t>& code_points) {
  std::string out;
  for (const std::uint32_t c : code_points) append_utf8(out, c);
  return out;
}

/// Well-formed UTF-8 of at most `max_code_points` code points.
inline rc::Gen<std::string> utf8_text(std::size_t max_code_points) {
  return memo([=] { return rc::gen::map(vector_of(max_code_points, code_point()), utf8_of); },
              max_code_points);
}

/// Well-formed UTF-8 in which every code point `refused` rejects is replaced by 'x'.
template <typename Refused>
rc::Gen<std::string> utf8_text_without(std::size_t max_code_points, Refused refused) {
  return rc::gen::map(vector_of(max_code_points, code_point()), [refused](std::vector<std::uint32_t> cps) {
    for (std::uint32_t& c : cps)
      if (refused(c)) c = 'x';
    return utf8_of(cps);
  });
}

inline rc::Gen<Bytes> bytes_up_to(std::size_t max) {
  return memo([=] { return vector_of(max, rc::gen::arbitrary<std::uint8_t>()); }, max);
}

// ---- chunking --------------------------------------------------------------------------------

/// How a byte stream is cut for the decoder: pieces of sizes[0], sizes[1], ... taken in a cycle
/// until the stream is used up. [] is the whole stream at once, [1] byte by byte, [3, 0] three
/// bytes then an empty feed, again and again. A cycle of zeros only ends with the rest in one piece.
struct Chunking {
  std::vector<std::size_t> sizes;
};

inline void showValue(const Chunking& c, std::ostream& os) {
  if (c.sizes.empty()) {
    os << "whole";
    return;
  }
  os << "pieces of";
  for (const std::size_t s : c.sizes) os << ' ' << s;
  os << " (cycled)";
}

/// Mostly a few small piece sizes (shrinking toward 1: byte by byte), sometimes a large one or an
/// empty feed, now and then the whole stream at once.
inline rc::Gen<Chunking> chunking() {
  return memo([] {
    const auto sizes = nonempty_vector_of(6,
                                          one_of<std::size_t>({
                                              {6, rc::gen::inRange<std::size_t>(1, 9)},
                                              {1, rc::gen::inRange<std::size_t>(9, 6000)},
                                              {1, rc::gen::just<std::size_t>(0)},
                                          }),
                                          std::size_t{1});
    return one_of<Chunking>({
        {1, rc::gen::just(Chunking{})},
        {9, rc::gen::map(sizes, [](std::vector<std::size_t> s) { return Chunking{std::move(s)}; })},
    });
  });
}

inline std::vector<ByteView> cut(ByteView stream, const Chunking& c) {
  std::vector<ByteView> pieces;
  std::size_t at = 0, turn = 0, turns_without_progress = 0;
  while (at < stream.size()) {
    if (c.sizes.empty() || turns_without_progress > c.sizes.size()) {
      pieces.push_back(stream.subspan(at));
      break;
    }
    const std::size_t n = std::min(c.sizes[turn++ % c.sizes.size()], stream.size() - at);
    pieces.push_back(stream.subspan(at, n));
    at += n;
    turns_without_progress = n == 0 ? turns_without_progress + 1 : 0;
  }
  return pieces;
}

// ---- JSON values -----------------------------------------------------------------------------

/// A JSON value as the properties see it. `binary` leaves exist only in Socket.IO payloads: the
/// encoder writes each as a placeholder and sends its bytes as an attachment. Numbers are kept in
/// the form a parser reads them back in: a negative integer, a non-negative one, or a double.
struct Json {
  enum class Kind : std::uint8_t {
    null,
    boolean,
    negative,
    unsigned_int,
    real,
    string,
    array,
    object,
    binary
  };
  Kind kind = Kind::null;
  bool flag = false;
  std::int64_t negative = 0;
  std::uint64_t unsigned_int = 0;
  double real = 0;
  std::string text;               // string
  Bytes bytes;                    // binary
  std::vector<std::string> keys;  // object: keys[i] names items[i]
  std::vector<Json> items;        // array, object
};

/// Equality of values: two integers by value; a double and any number as doubles (JSON.stringify
/// writes 6.448463411880229e17 as the integer 644846341188022900, which reads back as that
/// double, as JavaScript reads every number); everything else by kind and content.
inline bool same_value(const Json& a, const Json& b) {
  using K = Json::Kind;
  const auto is_number = [](const Json& j) {
    return j.kind == K::negative || j.kind == K::unsigned_int || j.kind == K::real;
  };
  const auto as_double = [](const Json& j) {
    return j.kind == K::negative       ? static_cast<double>(j.negative)
           : j.kind == K::unsigned_int ? static_cast<double>(j.unsigned_int)
                                       : j.real;
  };
  if (is_number(a) && is_number(b)) {
    if (a.kind == K::real || b.kind == K::real) return as_double(a) == as_double(b);
    return a.kind == b.kind && a.negative == b.negative && a.unsigned_int == b.unsigned_int;
  }
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case Json::Kind::null: return true;
    case Json::Kind::boolean: return a.flag == b.flag;
    case Json::Kind::string: return a.text == b.text;
    case Json::Kind::binary: return a.bytes == b.bytes;
    case Json::Kind::array:
    case Json::Kind::object:
      if (a.keys != b.keys || a.items.size() != b.items.size()) return false;
      for (std::size_t i = 0; i < a.items.size(); ++i)
        if (!same_value(a.items[i], b.items[i])) return false;
      return true;
    default: return false;
  }
}

/// The nesting the decoders bound (Limits::max_depth): the most arrays/objects any value sits in.
/// `1` and `[]` are 0, `[1]` and `[[]]` 1, `["a",[1]]` 2; a binary leaf is a placeholder object of
/// scalars, so 1.
inline std::uint32_t depth_of(const Json& j) {
  if (j.kind == Json::Kind::binary) return 1;
  if (j.items.empty()) return 0;
  std::uint32_t deepest = 0;
  for (const Json& item : j.items) deepest = std::max(deepest, depth_of(item));
  return deepest + 1;
}

inline std::size_t binary_leaves(const Json& j) {
  if (j.kind == Json::Kind::binary) return 1;
  std::size_t n = 0;
  for (const Json& item : j.items) n += binary_leaves(item);
  return n;
}

/// The attachments of a Socket.IO payload: the binary leaves in document order.
inline void collect_binary(const Json& j, std::vector<Bytes>& out) {
  if (j.kind == Json::Kind::binary) out.push_back(j.bytes);
  for (const Json& item : j.items) collect_binary(item, out);
}

inline Json json_string(std::string s) {
  Json j;
  j.kind = Json::Kind::string;
  j.text = std::move(s);
  return j;
}

inline Json json_integer(std::int64_t v) {
  Json j;
  if (v < 0) {
    j.kind = Json::Kind::negative;
    j.negative = v;
  } else {
    j.kind = Json::Kind::unsigned_int;
    j.unsigned_int = static_cast<std::uint64_t>(v);
  }
  return j;
}

inline Json json_unsigned(std::uint64_t v) {
  Json j;
  j.kind = Json::Kind::unsigned_int;
  j.unsigned_int = v;
  return j;
}

inline Json json_array(std::vector<Json> items) {
  Json j;
  j.kind = Json::Kind::array;
  j.items = std::move(items);
  return j;
}

/// A finite double whose JSON text reads back as a number: any finite double except the integral
/// ones from 2^63 to 1e21, which JSON.stringify (and JsonWriter, its twin) writes as integer
/// literals too long for int64/uint64 that the sioconf decoders refuse (json_number); see the
/// report that came with this file.
inline rc::Gen<double> finite_double() {
  return memo([] {
    const auto writable = [](double d) {
      return std::isfinite(d) && !(std::fabs(d) >= 9223372036854775808.0 && std::fabs(d) < 1e21);
    };
    return one_of<double>({
        {3, rc::gen::map(rc::gen::inRange(-4000, 4000), [](int v) { return v / 8.0; })},
        {2, rc::gen::suchThat(rc::gen::arbitrary<double>(), writable)},
        {1, pick(0.1, -0.0, 1e21, -1e21, 1e-7, 1.5e-6, 5e-324, 1.7976931348623157e308, 9007199254740993.0,
                 4.35, 123e-20)},
    });
  });
}

inline rc::Gen<std::string> json_key() {
  return memo([] {
    // "_placeholder" marks a placeholder object in binary packets: no data object uses it.
    return rc::gen::map(utf8_text(6), [](std::string k) { return k == "_placeholder" ? k + "_" : k; });
  });
}

inline rc::Gen<Json> json_scalar(bool with_binary) {
  return memo(
      [=] {
        using K = Json::Kind;
        const auto scalar_of = [](K kind) {
          Json j;
          j.kind = kind;
          return j;
        };
        rc::Gen<Json> null = rc::gen::just(scalar_of(K::null));
        rc::Gen<Json> boolean = rc::gen::map(rc::gen::arbitrary<bool>(), [scalar_of](bool b) {
          Json j = scalar_of(K::boolean);
          j.flag = b;
          return j;
        });
        rc::Gen<Json> integer =
            rc::gen::map(one_of<std::int64_t>({{3, rc::gen::inRange<std::int64_t>(-100, 1000)},
                                               {1, rc::gen::arbitrary<std::int64_t>()}}),
                         json_integer);
        rc::Gen<Json> large = rc::gen::map(rc::gen::arbitrary<std::uint64_t>(), json_unsigned);
        rc::Gen<Json> real = rc::gen::map(finite_double(), [scalar_of](double d) {
          Json j = scalar_of(K::real);
          j.real = d;
          return j;
        });
        rc::Gen<Json> string = rc::gen::map(utf8_text(8), json_string);
        if (!with_binary)
          return one_of<Json>({{1, null}, {1, boolean}, {3, integer}, {1, large}, {2, real}, {4, string}});
        rc::Gen<Json> binary = rc::gen::map(bytes_up_to(8), [scalar_of](Bytes b) {
          Json j = scalar_of(K::binary);
          j.bytes = std::move(b);
          return j;
        });
        return one_of<Json>(
            {{1, null}, {1, boolean}, {3, integer}, {1, large}, {2, real}, {4, string}, {6, binary}});
      },
      with_binary);
}

inline rc::Gen<Json> json_array_of(rc::Gen<Json> child) {
  return rc::gen::map(vector_of(4, std::move(child)), json_array);
}

inline rc::Gen<Json> json_object_of(rc::Gen<Json> child) {
  return rc::gen::map(vector_of(4, rc::gen::pair(json_key(), std::move(child))),
                      [](std::vector<std::pair<std::string, Json>> members) {
                        Json j;
                        j.kind = Json::Kind::object;
                        for (auto& [key, value] : members) {
                          // Keys are unique: a parser keeps only one of two equal keys.
                          if (std::find(j.keys.begin(), j.keys.end(), key) != j.keys.end()) continue;
                          j.keys.push_back(std::move(key));
                          j.items.push_back(std::move(value));
                        }
                        return j;
                      });
}

/// Any JSON value nested at most `depth` containers deep (binary leaves only if `with_binary`).
inline rc::Gen<Json> json_value(int depth, bool with_binary) {
  return memo(
      [=] {
        if (depth <= 0) return json_scalar(with_binary);
        const rc::Gen<Json> child = json_value(depth - 1, with_binary);
        return one_of<Json>({
            {3, json_scalar(with_binary)},
            {1, json_array_of(child)},
            {1, json_object_of(child)},
        });
      },
      depth, with_binary);
}

/// Writes `j` with the Socket.IO JSON writer (binary leaves as placeholders + attachments).
inline void write_json(const Json& j, JsonWriter& w) {
  switch (j.kind) {
    case Json::Kind::null: w.null(); break;
    case Json::Kind::boolean: w.boolean(j.flag); break;
    case Json::Kind::negative: w.number(j.negative); break;
    case Json::Kind::unsigned_int: w.number(j.unsigned_int); break;
    case Json::Kind::real: w.number(j.real); break;
    case Json::Kind::string: w.string(j.text); break;
    case Json::Kind::binary: w.binary(view(j.bytes)); break;
    case Json::Kind::array:
      w.begin_array();
      for (const Json& item : j.items) write_json(item, w);
      w.end_array();
      break;
    case Json::Kind::object:
      w.begin_object();
      for (std::size_t i = 0; i < j.items.size(); ++i) {
        w.key(j.keys[i]);
        write_json(j.items[i], w);
      }
      w.end_object();
      break;
  }
}

/// How json_text lays a value out: blanks (space, tab) around every token, and non-ASCII
/// characters escaped as \uXXXX (surrogate pairs above U+FFFF). Both are JSON the decoders accept.
struct JsonStyle {
  bool blanks = false;
  bool escape_non_ascii = false;
};

inline void showValue(const JsonStyle& s, std::ostream& os) {
  os << (s.blanks ? "blanks" : "compact") << (s.escape_non_ascii ? ", \\u escapes" : "");
}

inline rc::Gen<JsonStyle> json_style() {
  return memo([] {
    return rc::gen::build<JsonStyle>(rc::gen::set(&JsonStyle::blanks),
                                     rc::gen::set(&JsonStyle::escape_non_ascii));
  });
}

namespace detail {

inline std::uint32_t next_code_point(std::string_view s, std::size_t& i) {
  const auto b = [&](std::size_t k) { return static_cast<std::uint32_t>(static_cast<std::uint8_t>(s[k])); };
  const std::uint32_t lead = b(i);
  if (lead < 0x80) return i += 1, lead;
  if (lead < 0xE0) return i += 2, ((lead & 0x1F) << 6) | (b(i - 1) & 0x3F);
  if (lead < 0xF0) return i += 3, ((lead & 0x0F) << 12) | ((b(i - 2) & 0x3F) << 6) | (b(i - 1) & 0x3F);
  return i += 4,
         ((lead & 0x07) << 18) | ((b(i - 3) & 0x3F) << 12) | ((b(i - 2) & 0x3F) << 6) | (b(i - 1) & 0x3F);
}

inline void append_json_string(std::string& out, std::string_view s, const JsonStyle& style) {
  static constexpr char kHex[] = "0123456789abcdef";
  const auto u_escape = [&out](std::uint32_t unit) {
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(unit >> shift) & 15];
  };
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t start = i;
    const std::uint32_t c = next_code_point(s, i);
    if (c == '"') out += "\\\"";
    else if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20) u_escape(c);
    else if (c >= 0x80 && style.escape_non_ascii && c >= 0x10000) {
      u_escape(0xD800 + ((c - 0x10000) >> 10));
      u_escape(0xDC00 + ((c - 0x10000) & 0x3FF));
    } else if (c >= 0x80 && style.escape_non_ascii) u_escape(c);
    else out.append(s.substr(start, i - start));
  }
  out += '"';
}

inline void append_double(std::string& out, double d) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, d);  // shortest round trip: "1e+21", "0.1"
  out.append(buf, r.ptr);
}

}  // namespace detail

/// `j` as JSON text, laid out as `style` says; no raw '\n' or '\r' (an NDJSON line). No binary.
inline void append_json_text(std::string& out, const Json& j, const JsonStyle& style) {
  const auto blank = [&out, &style](char c) {
    if (style.blanks) out += c;
  };
  switch (j.kind) {
    case Json::Kind::null: out += "null"; break;
    case Json::Kind::boolean: out += j.flag ? "true" : "false"; break;
    case Json::Kind::negative: out += std::to_string(j.negative); break;
    case Json::Kind::unsigned_int: out += std::to_string(j.unsigned_int); break;
    case Json::Kind::real: detail::append_double(out, j.real); break;
    case Json::Kind::string:
    case Json::Kind::binary: detail::append_json_string(out, j.text, style); break;
    case Json::Kind::array:
      out += '[';
      for (std::size_t i = 0; i < j.items.size(); ++i) {
        if (i != 0) out += ',';
        blank(' ');
        append_json_text(out, j.items[i], style);
      }
      blank('\t');
      out += ']';
      break;
    case Json::Kind::object:
      out += '{';
      for (std::size_t i = 0; i < j.items.size(); ++i) {
        if (i != 0) out += ',';
        blank('\t');
        detail::append_json_string(out, j.keys[i], style);
        blank(' ');
        out += ':';
        blank(' ');
        append_json_text(out, j.items[i], style);
      }
      blank(' ');
      out += '}';
      break;
  }
}

inline std::string json_text(const Json& j, const JsonStyle& style = {}) {
  std::string out;
  if (style.blanks) out += ' ';
  append_json_text(out, j, style);
  if (style.blanks) out += '\t';
  return out;
}

inline void showValue(const Json& j, std::ostream& os);

inline void show_json(const Json& j, std::ostream& os) {
  switch (j.kind) {
    case Json::Kind::binary:
      os << "<binary ";
      show_bytes(view(j.bytes), os);
      os << '>';
      return;
    case Json::Kind::array:
      os << '[';
      for (std::size_t i = 0; i < j.items.size(); ++i) {
        if (i != 0) os << ',';
        show_json(j.items[i], os);
      }
      os << ']';
      return;
    case Json::Kind::object:
      os << '{';
      for (std::size_t i = 0; i < j.items.size(); ++i) {
        if (i != 0) os << ',';
        os << json_text(json_string(j.keys[i])) << ':';
        show_json(j.items[i], os);
      }
      os << '}';
      return;
    default: os << json_text(j);
  }
}

inline void showValue(const Json& j, std::ostream& os) { show_json(j, os); }

// ---- Socket.IO packets -----------------------------------------------------------------------

/// A Socket.IO packet before encoding. `type` is connect, disconnect, event, ack or connect_error:
/// an event or ack whose payload holds binary leaves goes out as binary_event / binary_ack.
struct SioPacket {
  sio::PacketType type = sio::PacketType::event;
  std::string nsp = "/";
  std::optional<std::uint64_t> id;
  std::optional<Json> payload;
};

/// The type the decoder reports: the encoder turns EVENT/ACK with attachments into BINARY_*.
inline sio::PacketType wire_type(const SioPacket& p) {
  if (p.payload && binary_leaves(*p.payload) > 0) {
    if (p.type == sio::PacketType::event) return sio::PacketType::binary_event;
    if (p.type == sio::PacketType::ack) return sio::PacketType::binary_ack;
  }
  return p.type;
}

inline void showValue(const SioPacket& p, std::ostream& os) {
  os << '{' << sio::name(p.type) << ' ';
  show_bytes(as_bytes(p.nsp), os);
  if (p.id) os << " id " << *p.id;
  if (p.payload) {
    os << ' ';
    show_json(*p.payload, os);
  }
  os << '}';
}

inline bool reserved_event_name(std::string_view name) {
  return name == "connect" || name == "connect_error" || name == "disconnect" || name == "disconnecting" ||
         name == "newListener" || name == "removeListener";
}

/// "/" most often, else '/' and a few characters a namespace may hold (no control, '"', '[',
/// '{' or ',': packet_decoder.h).
inline rc::Gen<std::string> sio_namespace() {
  return memo([] {
    const auto refused = [](std::uint32_t c) {
      return c < 0x20 || c == 0x7f || c == '"' || c == '[' || c == '{' || c == ',';
    };
    return one_of<std::string>({
        {3, rc::gen::just(std::string("/"))},
        {2, rc::gen::map(utf8_text_without(6, refused), [](std::string s) { return "/" + s; })},
    });
  });
}

/// An ack id: small, any up to 2^53-1 (Limits::max_ack_id), or one of the edges.
inline rc::Gen<std::uint64_t> ack_id() {
  return memo([] {
    constexpr std::uint64_t kMaxSafe = 9'007'199'254'740'991;
    return one_of<std::uint64_t>({
        {4, rc::gen::inRange<std::uint64_t>(0, 100)},
        {1, rc::gen::inRange<std::uint64_t>(0, kMaxSafe + 1)},
        {1, pick<std::uint64_t>(0, 9, 10, 999'999'999'999'999, kMaxSafe)},
    });
  });
}

/// An event name: a string that is not reserved, or a number (CVE-2023-32695: nothing else).
inline rc::Gen<Json> event_name() {
  return memo([] {
    return one_of<Json>({
        {4, rc::gen::map(utf8_text(6),
                         [](std::string s) { return json_string(reserved_event_name(s) ? s + "!" : s); })},
        {1, rc::gen::map(rc::gen::inRange<std::int64_t>(-10, 100), json_integer)},
    });
  });
}

/// Keeps the first `budget` binary leaves (document order) and makes the others null, so that a
/// packet stays within Limits::max_attachments.
inline void cap_binary_leaves(Json& j, std::size_t& budget) {
  if (j.kind == Json::Kind::binary) {
    if (budget == 0) j = Json{};
    else --budget;
  }
  for (Json& item : j.items) cap_binary_leaves(item, budget);
}

/// A packet of any type, with namespace, ack id where the type takes one, and a payload of the
/// type's shape. Binary leaves (so BINARY_EVENT / BINARY_ACK) only if `with_binary`; payload
/// values nested at most `depth` containers below the packet's array.
inline rc::Gen<SioPacket> sio_packet(bool with_binary = true, int depth = 2) {
  return memo(
      [=] {
        using T = sio::PacketType;
        const auto type = one_of<T>({{5, rc::gen::just(T::event)},
                                     {3, rc::gen::just(T::ack)},
                                     {1, rc::gen::just(T::connect)},
                                     {1, rc::gen::just(T::disconnect)},
                                     {1, rc::gen::just(T::connect_error)}});
        const auto nsp = sio_namespace();
        const auto maybe_id = optional_of(ack_id());
        const auto id = ack_id();
        const auto name = event_name();
        const auto args = vector_of(4, json_value(depth, with_binary));
        const auto with_auth = chance(1, 2);
        const auto object = json_object_of(json_value(depth - 1, false));
        const auto reason = one_of<Json>({{1, rc::gen::map(utf8_text(8), json_string)}, {1, object}});
        return rc::gen::exec([=] {
          SioPacket p;
          p.type = *type;
          p.nsp = *nsp;
          switch (p.type) {
            case T::event: {
              p.id = *maybe_id;
              std::vector<Json> items{*name};
              for (Json& arg : *args) items.push_back(std::move(arg));
              p.payload = json_array(std::move(items));
              break;
            }
            case T::ack:
              p.id = *id;
              p.payload = json_array(*args);
              break;
            case T::connect:  // an optional auth object
              if (*with_auth) p.payload = *object;
              break;
            case T::connect_error:  // a message string, or an object ({"message": ..., "data": ...})
              p.payload = *reason;
              break;
            default:  // disconnect: nothing but the namespace
              break;
          }
          std::size_t attachments = Limits{}.max_attachments;
          if (p.payload) cap_binary_leaves(*p.payload, attachments);
          return p;
        });
      },
      with_binary, depth);
}

/// At least one packet (a DISCONNECT from "/" if the draw had none).
inline rc::Gen<std::vector<SioPacket>> sio_packets(std::size_t max) {
  return memo(
      [=] {
        return nonempty_vector_of(max, sio_packet(),
                                  SioPacket{sio::PacketType::disconnect, "/", std::nullopt, std::nullopt});
      },
      max);
}

/// The encoder's output for `p` (encoded with `limits`); error() tells whether it refused.
inline sio::EncodedPacket encode_sio(const SioPacket& p, const Limits& limits = {}) {
  JsonWriter w;
  if (p.payload) write_json(*p.payload, w);
  return sio::encode(p.type, p.nsp, p.id, w, limits);
}

/// The Engine.IO messages that carry `p`: its text, then one binary message per attachment.
struct SioMessage {
  MessageKind kind = MessageKind::text;
  Bytes bytes;
};

inline void append_messages(const sio::EncodedPacket& e, std::vector<SioMessage>& out) {
  out.push_back({MessageKind::text, to_bytes(e.text)});
  for (const auto& a : e.attachments) out.push_back({MessageKind::binary, a});
}

/// One decoded Socket.IO packet, copied out of the decoder's views.
struct SioRecord {
  sio::PacketType type = sio::PacketType::connect;
  std::string nsp;
  std::optional<std::uint64_t> id;
  std::string payload;
  std::vector<Bytes> attachments;
  friend bool operator==(const SioRecord&, const SioRecord&) = default;
};

inline void showValue(const SioRecord& r, std::ostream& os) {
  os << '{' << sio::name(r.type) << ' ';
  show_bytes(as_bytes(r.nsp), os);
  if (r.id) os << " id " << *r.id;
  os << ' ';
  show_bytes(as_bytes(r.payload), os);
  for (const Bytes& a : r.attachments) {
    os << " + ";
    show_bytes(view(a), os);
  }
  os << '}';
}

struct SioRecorder : sio::PacketSink {
  std::vector<SioRecord> packets;
  void on_packet(const sio::Packet& p) override {
    SioRecord r{p.type, std::string(p.nsp), p.id, std::string(p.payload), {}};
    for (const ByteView a : p.attachments) r.attachments.emplace_back(a.begin(), a.end());
    packets.push_back(std::move(r));
  }
};

// ---- Engine.IO packets -----------------------------------------------------------------------

/// An Engine.IO packet: `data` is the text after the type digit, or a binary message's bytes.
struct EioPacket {
  eio::PacketType type = eio::PacketType::message;
  MessageKind kind = MessageKind::text;
  Bytes data;
  friend bool operator==(const EioPacket&, const EioPacket&) = default;
};

inline void showValue(const EioPacket& p, std::ostream& os) {
  os << '{' << eio::name(p.type) << (p.kind == MessageKind::binary ? " binary " : " ");
  show_bytes(view(p.data), os);
  os << '}';
}

inline eio::Packet as_packet(const EioPacket& p) { return {p.type, p.kind, view(p.data)}; }

inline rc::Gen<eio::OpenHandshake> open_handshake() {
  return memo([] {
    constexpr std::uint64_t kMaxSafe = 9'007'199'254'740'992;  // exclusive: 2^53
    const auto number = one_of<std::uint64_t>({
        {3, pick<std::uint64_t>(0, 20000, 25000, 1'000'000)},
        {1, rc::gen::inRange<std::uint64_t>(0, kMaxSafe)},
    });
    const auto name =
        rc::gen::map(utf8_text(6), [](std::string s) { return s.empty() ? std::string("s") : s; });
    return rc::gen::build<eio::OpenHandshake>(rc::gen::set(&eio::OpenHandshake::sid, name),
                                              rc::gen::set(&eio::OpenHandshake::upgrades, vector_of(2, name)),
                                              rc::gen::set(&eio::OpenHandshake::ping_interval, number),
                                              rc::gen::set(&eio::OpenHandshake::ping_timeout, number),
                                              rc::gen::set(&eio::OpenHandshake::max_payload, number));
  });
}

/// Any Engine.IO packet but open: close/upgrade/noop without data, ping/pong with "" or "probe",
/// messages of UTF-8 text or of bytes. `polling`: text without 0x1e (the record separator has no
/// escape in a polling body; Socket.IO never sends it raw).
inline rc::Gen<EioPacket> eio_packet(bool polling) {
  return memo(
      [=] {
        using T = eio::PacketType;
        const auto text_message = rc::gen::map(utf8_text(10), [polling](std::string s) {
          if (polling) std::replace(s.begin(), s.end(), '\x1e', 'r');
          return EioPacket{T::message, MessageKind::text, to_bytes(s)};
        });
        const auto binary_message =
            rc::gen::map(one_of<Bytes>({{4, bytes_up_to(12)}, {1, bytes_up_to(300)}}), [](Bytes b) {
              return EioPacket{T::message, MessageKind::binary, std::move(b)};
            });
        const auto probe =
            rc::gen::map(rc::gen::pair(pick(T::ping, T::pong), chance(1, 2)), [](std::pair<T, bool> p) {
              return EioPacket{p.first, MessageKind::text, p.second ? to_bytes("probe") : Bytes{}};
            });
        const auto bare = rc::gen::map(pick(T::close, T::upgrade, T::noop), [](T t) {
          return EioPacket{t, MessageKind::text, {}};
        });
        return one_of<EioPacket>({{1, bare}, {2, probe}, {4, text_message}, {3, binary_message}});
      },
      polling);
}

/// At least one packet (a noop if the draw had none).
inline rc::Gen<std::vector<EioPacket>> eio_packets(std::size_t max, bool polling) {
  return memo(
      [=] {
        return nonempty_vector_of(max, eio_packet(polling),
                                  EioPacket{eio::PacketType::noop, MessageKind::text, {}});
      },
      max, polling);
}

inline EioPacket open_packet(const eio::OpenHandshake& h) {
  return {eio::PacketType::open, MessageKind::text, to_bytes(eio::encode_open(h))};
}

struct EioRecorder : eio::PacketSink {
  std::vector<EioPacket> packets;
  void on_packet(const eio::Packet& p) noexcept override {
    packets.push_back({p.type, p.data_kind, Bytes(p.data.begin(), p.data.end())});
  }
};

// ---- WebSocket -------------------------------------------------------------------------------

/// A payload: `head` followed by `padding` filler bytes ('p', so text stays UTF-8). The padding
/// reaches the 16- and 64-bit length forms and the decoder's 4 KiB unmasking scratch without
/// generating (and showing) thousands of bytes.
struct WsPayload {
  Bytes head;
  std::size_t padding = 0;
  Bytes bytes() const {
    Bytes b = head;
    b.insert(b.end(), padding, 'p');
    return b;
  }
  std::size_t size() const { return head.size() + padding; }
};

inline void show_payload(const WsPayload& p, std::ostream& os) {
  show_bytes(view(p.head), os);
  if (p.padding != 0) os << "+" << p.padding << "p";
}

/// Mostly short; sometimes past 125 (16-bit length), past 4096 (several scratch pieces), or past
/// 65535 (64-bit length).
inline rc::Gen<std::size_t> ws_padding() {
  return memo([] {
    return one_of<std::size_t>({
        {120, rc::gen::just<std::size_t>(0)},
        {12, rc::gen::inRange<std::size_t>(100, 300)},
        {3, rc::gen::inRange<std::size_t>(4000, 4300)},
        {1, rc::gen::inRange<std::size_t>(65530, 65600)},
    });
  });
}

/// A frame of a fragmented message: `size` bytes of the payload (the last fragment takes what is
/// left), then, before the next fragment, a control frame if `then` (RFC 6455 5.4 allows them).
struct WsControl {
  ws::Opcode opcode = ws::Opcode::ping;  // ping or pong
  Bytes payload;                         // at most 125 bytes
};

struct WsFragment {
  std::size_t size = 0;
  std::optional<WsControl> then;
};

/// One item of a WebSocket stream: a text or binary message in one or more fragments, or a lone
/// ping or pong (then `fragments` is unused and the payload at most 125 bytes).
struct WsItem {
  ws::Opcode opcode = ws::Opcode::text;
  WsPayload payload;
  std::vector<WsFragment> fragments;  // empty: one frame
};

/// The close frame that may end a stream: no body, or a code with a UTF-8 reason.
struct WsClose {
  std::optional<std::uint16_t> code;
  std::string reason;
};

struct WsStream {
  std::vector<WsItem> items;
  std::optional<WsClose> close;
  std::vector<ws::MaskKey> keys;  // a client's masking keys, one per frame in a cycle
};

inline void show_control(const WsControl& c, std::ostream& os) {
  os << ws::name(c.opcode) << ' ';
  show_bytes(view(c.payload), os);
}

inline void showValue(const WsItem& item, std::ostream& os) {
  os << '{' << ws::name(item.opcode) << ' ';
  show_payload(item.payload, os);
  if (!item.fragments.empty()) {
    os << " in fragments";
    for (const WsFragment& f : item.fragments) {
      os << ' ' << f.size;
      if (f.then) {
        os << " (";
        show_control(*f.then, os);
        os << ')';
      }
    }
  }
  os << '}';
}

inline void showValue(const WsStream& s, std::ostream& os) {
  os << '[';
  for (std::size_t i = 0; i < s.items.size(); ++i) {
    if (i != 0) os << ", ";
    showValue(s.items[i], os);
  }
  if (s.close) {
    os << (s.items.empty() ? "" : ", ") << "close";
    if (s.close->code) os << ' ' << *s.close->code << ' ' << json_text(json_string(s.close->reason));
  }
  os << "] keys";
  for (const ws::MaskKey& k : s.keys)
    os << ' ' << int(k[0]) << '.' << int(k[1]) << '.' << int(k[2]) << '.' << int(k[3]);
}

inline rc::Gen<WsControl> ws_control() {
  return memo([] {
    return rc::gen::build<WsControl>(
        rc::gen::set(&WsControl::opcode, pick(ws::Opcode::ping, ws::Opcode::pong)),
        rc::gen::set(&WsControl::payload, one_of<Bytes>({
                                              {4, bytes_up_to(8)},
                                              {1, bytes_up_to(125)},
                                          })));
  });
}

inline rc::Gen<WsItem> ws_item() {
  return memo([] {
    const auto opcode = pick(ws::Opcode::text, ws::Opcode::binary);
    const auto text = utf8_text(10);
    const auto bytes = bytes_up_to(12);
    const auto padding = ws_padding();
    const auto fragments =
        vector_of(4, rc::gen::build<WsFragment>(
                         rc::gen::set(&WsFragment::size, one_of<std::size_t>({
                                                             {4, rc::gen::inRange<std::size_t>(0, 6)},
                                                             {1, rc::gen::inRange<std::size_t>(6, 5000)},
                                                         })),
                         rc::gen::set(&WsFragment::then, optional_of(ws_control()))));
    const auto message = rc::gen::exec([=] {
      WsItem item;
      item.opcode = *opcode;
      item.payload.head = item.opcode == ws::Opcode::text ? to_bytes(*text) : *bytes;
      item.payload.padding = *padding;
      item.fragments = *fragments;
      return item;
    });
    const auto control = rc::gen::map(ws_control(), [](WsControl c) {
      WsItem item;
      item.opcode = c.opcode;
      item.payload.head = std::move(c.payload);
      return item;
    });
    return one_of<WsItem>({{1, control}, {3, message}});
  });
}

/// A close code a peer may send (is_valid_close_code).
inline rc::Gen<std::uint16_t> close_code() {
  return memo([] {
    return one_of<std::uint16_t>({
        {3, pick<std::uint16_t>(1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014)},
        {1, rc::gen::inRange<std::uint16_t>(3000, 5000)},
    });
  });
}

inline rc::Gen<WsClose> ws_close() {
  return memo([] {
    return one_of<WsClose>({
        {1, rc::gen::just(WsClose{})},
        {3, rc::gen::map(rc::gen::pair(close_code(), utf8_text(12)),
                         [](std::pair<std::uint16_t, std::string> p) {
                           std::string reason = std::move(p.second);
                           while (reason.size() > 123) reason.pop_back();  // code + reason <= 125 bytes
                           while (!reason.empty() &&
                                  (static_cast<std::uint8_t>(reason.back()) & 0xC0) == 0x80)
                             reason.pop_back();  // never end inside a code point
                           if (!reason.empty() && static_cast<std::uint8_t>(reason.back()) >= 0xC0)
                             reason.pop_back();
                           return WsClose{p.first, std::move(reason)};
                         })},
    });
  });
}

inline rc::Gen<ws::MaskKey> mask_key() {
  return memo([] {
    return rc::gen::map(rc::gen::container<std::vector<std::uint8_t>>(4, rc::gen::arbitrary<std::uint8_t>()),
                        [](const std::vector<std::uint8_t>& b) {
                          return ws::MaskKey{b[0], b[1], b[2], b[3]};
                        });
  });
}

/// A client's masking keys, at least one.
inline rc::Gen<std::vector<ws::MaskKey>> mask_keys(std::size_t max) {
  return memo([=] { return nonempty_vector_of(max, mask_key(), ws::MaskKey{0, 0, 0, 1}); }, max);
}

inline rc::Gen<WsStream> ws_stream(std::size_t max_items = 5) {
  return memo(
      [=] {
        return rc::gen::build<WsStream>(rc::gen::set(&WsStream::items, vector_of(max_items, ws_item())),
                                        rc::gen::set(&WsStream::close, optional_of(ws_close())),
                                        rc::gen::set(&WsStream::keys, mask_keys(3)));
      },
      max_items);
}

/// What a MessageAssembler hands out: a message, a ping/pong, or the close.
struct WsEvent {
  enum class Kind : std::uint8_t { message, control, close };
  Kind kind = Kind::message;
  ws::Opcode opcode = ws::Opcode::text;
  Bytes bytes;  // message, control payload, or close reason
  std::optional<std::uint16_t> code;
  friend bool operator==(const WsEvent&, const WsEvent&) = default;
};

inline void showValue(const WsEvent& e, std::ostream& os) {
  os << '{' << (e.kind == WsEvent::Kind::close ? std::string_view("close") : ws::name(e.opcode)) << ' ';
  if (e.code) os << *e.code << ' ';
  show_bytes(view(e.bytes), os);
  os << '}';
}

struct WsRecorder : ws::MessageSink {
  std::vector<WsEvent> events;
  void on_message(ws::Opcode opcode, ByteView message) noexcept override {
    events.push_back({WsEvent::Kind::message, opcode, Bytes(message.begin(), message.end()), std::nullopt});
  }
  void on_control(ws::Opcode opcode, ByteView payload) noexcept override {
    events.push_back({WsEvent::Kind::control, opcode, Bytes(payload.begin(), payload.end()), std::nullopt});
  }
  void on_close(std::optional<std::uint16_t> code, std::string_view reason) noexcept override {
    events.push_back({WsEvent::Kind::close, ws::Opcode::close, to_bytes(reason), code});
  }
};

/// Writes `stream` as `sender` sends it (a client masks with the stream's keys), and returns the
/// events a receiver must see, in order. Fails the property if the encoder refuses a frame.
inline std::vector<WsEvent> encode_ws(const WsStream& stream, ws::Role sender, Bytes& wire) {
  std::vector<WsEvent> expected;
  std::size_t frame = 0;
  const auto key = [&] {
    return stream.keys.empty() ? ws::MaskKey{} : stream.keys[frame++ % stream.keys.size()];
  };
  const auto control = [&](const WsControl& c) {
    RC_ASSERT(ws::encode_frame(wire, sender, c.opcode, view(c.payload), true, key()) == Errc::none);
    expected.push_back({WsEvent::Kind::control, c.opcode, c.payload, std::nullopt});
  };
  for (const WsItem& item : stream.items) {
    const Bytes payload = item.payload.bytes();
    if (ws::is_control(item.opcode)) {
      control(WsControl{item.opcode, payload});
      continue;
    }
    const std::size_t frames = std::max<std::size_t>(1, item.fragments.size());
    std::size_t at = 0;
    for (std::size_t i = 0; i < frames; ++i) {
      const bool last = i + 1 == frames;
      const std::size_t n =
          last ? payload.size() - at : std::min(item.fragments[i].size, payload.size() - at);
      const ws::Opcode opcode = i == 0 ? item.opcode : ws::Opcode::continuation;
      RC_ASSERT(ws::encode_frame(wire, sender, opcode, ByteView(payload).subspan(at, n), last, key()) ==
                Errc::none);
      at += n;
      if (!last && item.fragments[i].then) control(*item.fragments[i].then);
    }
    expected.push_back({WsEvent::Kind::message, item.opcode, payload, std::nullopt});
  }
  if (stream.close) {
    RC_ASSERT(ws::encode_close(wire, sender, stream.close->code, stream.close->reason, key()) == Errc::none);
    expected.push_back(
        {WsEvent::Kind::close, ws::Opcode::close, to_bytes(stream.close->reason), stream.close->code});
  }
  return expected;
}

inline ws::Role sender_for(ws::Role receiver) {
  return receiver == ws::Role::server ? ws::Role::client : ws::Role::server;
}

// ---- NDJSON ----------------------------------------------------------------------------------

/// One NDJSON line: a JSON value laid out as `style` says, ended by "\n" or (`crlf`) "\r\n".
struct NdjsonLine {
  Json value;
  JsonStyle style;
  bool crlf = false;
};

inline void showValue(const NdjsonLine& l, std::ostream& os) {
  show_bytes(as_bytes(json_text(l.value, l.style)), os);
  if (l.crlf) os << " CRLF";
}

inline rc::Gen<NdjsonLine> ndjson_line(int depth = 3) {
  return memo(
      [=] {
        return rc::gen::build<NdjsonLine>(rc::gen::set(&NdjsonLine::value, json_value(depth, false)),
                                          rc::gen::set(&NdjsonLine::style, json_style()),
                                          rc::gen::set(&NdjsonLine::crlf, chance(1, 5)));
      },
      depth);
}

/// At least one line (null if the draw had none).
inline rc::Gen<std::vector<NdjsonLine>> ndjson_lines(std::size_t max) {
  return memo([=] { return nonempty_vector_of(max, ndjson_line(), NdjsonLine{}); }, max);
}

/// Appends `line` to an NDJSON stream with the project's encoder (a CR before the LF when `crlf`:
/// NDJSON 1.0 3.2, CRLF ends a line too) and returns the line's JSON text.
inline std::string append_ndjson_line(const NdjsonLine& line, std::string& stream) {
  std::string text = json_text(line.value, line.style);
  RC_ASSERT(ndjson::encode_line(text, stream) == Errc::none);
  if (line.crlf) stream.insert(stream.size() - 1, 1, '\r');
  return text;
}

/// Keeps every line a decoder delivers.
struct LineRecorder : ndjson::LineSink {
  std::vector<std::string> lines;
  void on_line(std::string_view json_text) noexcept override { lines.emplace_back(json_text); }
};

}  // namespace sioconf::prop::codec

namespace sioconf {

// RapidCheck prints the two sides of a failed RC_ASSERT with these.
inline void showValue(const DecodeError& e, std::ostream& os) {
  os << name(e.code);
  if (e) os << " @" << e.offset;
}

inline void showValue(Errc e, std::ostream& os) { os << name(e); }

inline void showValue(Status s, std::ostream& os) {
  os << (s == Status::ok ? "ok" : s == Status::need_more ? "need_more" : "error");
}

}  // namespace sioconf
