// properties/codec_gen.h — what the codec properties (codec_split_prop.cc, codec_roundtrip_prop.cc,
// codec_bounds_prop.cc) generate, how they write it with the project's encoders, and how they
// record what the decoders give back. This header has what every layer shares (bytes, lists,
// choices, text, chunking, how errors print); each layer's items are in their own header, so a
// property includes only the layers it uses: codec_gen_json.h (JSON values), codec_gen_sio.h,
// codec_gen_eio.h, codec_gen_ws.h, codec_gen_ndjson.h.
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
#include "sioconf/errc.h"
#include "sioconf/limits.h"

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
  return rc::gen::mapcat(rc::gen::resize(100, rc::gen::inRange<std::size_t>(0, total)), [choices](std::size_t v) {
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
  return one_of<std::optional<T>>({{1, rc::gen::just(std::optional<T>())}, {1, rc::gen::map(std::move(value), [](T v) {
                                                                              return std::optional<T>(std::move(v));
                                                                            })}});
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
        {2, pick<std::uint32_t>('"', '\\', '/', ',', '[', '{', 0x7f, 0x2028, 0x2029, 0xd7ff, 0xe000, 0xfeff, 0xfffd,
                                0xffff, 0x10000, 0x10ffff)},
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
  return memo([=] { return rc::gen::map(vector_of(max_code_points, code_point()), utf8_of); }, max_code_points);
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
