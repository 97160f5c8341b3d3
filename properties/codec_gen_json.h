// properties/codec_gen_json.h — JSON values for the codec properties: generated, compared, laid out as
// text (json_text, with the blanks and escapes a JsonStyle asks for) and shown.
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "codec_gen.h"

namespace sioconf::prop::codec {

// ---- JSON values -----------------------------------------------------------------------------

/// A JSON value as the properties see it. `binary` leaves exist only in Socket.IO payloads: the
/// encoder writes each as a placeholder and sends its bytes as an attachment. Numbers are kept in
/// the form a parser reads them back in: a negative integer, a non-negative one, or a double.
struct Json {
  enum class Kind : std::uint8_t { null, boolean, negative, unsigned_int, real, string, array, object, binary };
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
        {1,
         pick(0.1, -0.0, 1e21, -1e21, 1e-7, 1.5e-6, 5e-324, 1.7976931348623157e308, 9007199254740993.0, 4.35, 123e-20)},
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
        rc::Gen<Json> integer = rc::gen::map(one_of<std::int64_t>({{3, rc::gen::inRange<std::int64_t>(-100, 1000)},
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
        return one_of<Json>({{1, null}, {1, boolean}, {3, integer}, {1, large}, {2, real}, {4, string}, {6, binary}});
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
    return rc::gen::build<JsonStyle>(rc::gen::set(&JsonStyle::blanks), rc::gen::set(&JsonStyle::escape_non_ascii));
  });
}

namespace detail {

inline std::uint32_t next_code_point(std::string_view s, std::size_t& i) {
  const auto b = [&](std::size_t k) { return static_cast<std::uint32_t>(static_cast<std::uint8_t>(s[k])); };
  const std::uint32_t lead = b(i);
  if (lead < 0x80) return i += 1, lead;
  if (lead < 0xE0) return i += 2, ((lead & 0x1F) << 6) | (b(i - 1) & 0x3F);
  if (lead < 0xF0) return i += 3, ((lead & 0x0F) << 12) | ((b(i - 2) & 0x3F) << 6) | (b(i - 1) & 0x3F);
  return i += 4, ((lead & 0x07) << 18) | ((b(i - 3) & 0x3F) << 12) | ((b(i - 2) & 0x3F) << 6) | (b(i - 1) & 0x3F);
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

}  // namespace sioconf::prop::codec
