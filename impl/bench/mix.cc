#include "mix.h"

#include <array>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string_view>

#include "splitmix.h"

namespace sioconf::bench {
namespace {

using Rng = detail::SplitMix;

constexpr std::array<std::string_view, 40> kWords = {
    "the",          "a",         "socket",       "message",    "hello",          "world",
    "is",           "on",        "we",           "ship",       "today",          "deploy",
    "latency",      "server",    "client",       "ack",        "room",           "join",
    "ok",           "thanks",    "see",          "you",        "later",          "queue",
    "fast",         "slow",      "packet",       "event",      "binary",         "stream",
    "w\u00f6rld",   "caf\u00e9", "\u65e5\u672c", "\U0001F600", "\\\"quoted\\\"", "tab\\there",
    "line\\nbreak", "100%",      "#general",     "@ana"};
constexpr std::array<std::string_view, 12> kUsers = {"ana", "bo",   "chen", "dmitri", "eve", "fatima",
                                                     "gus", "hiro", "ines", "jamal",  "kim", "lena"};
constexpr std::array<std::string_view, 4> kNamespaces = {"/chat", "/admin", "/game", "/notifications"};
constexpr std::array<std::string_view, 6> kTags = {"red", "blue", "vip", "new", "mod", "bot"};

void sentence(Rng& rng, std::string& out, std::uint64_t min_words, std::uint64_t max_words) {
  const std::uint64_t n = rng.range(min_words, max_words);
  for (std::uint64_t i = 0; i < n; ++i) {
    if (i) out += ' ';
    out += rng.pick(kWords);
  }
}

void number(Rng& rng, std::string& out, bool fraction) {
  out += std::to_string(rng.range(0, 99999));
  if (fraction) {
    out += '.';
    out += std::to_string(rng.range(1, 999));
  }
}

void user_object(Rng& rng, std::string& out) {
  out += "{\"id\":";
  out += std::to_string(rng.range(1, 1'000'000));
  out += ",\"name\":\"";
  out += rng.pick(kUsers);
  out += "\",\"score\":";
  number(rng, out, true);
  out += ",\"active\":";
  out += rng.chance(70) ? "true" : "false";
  out += ",\"tags\":[";
  const std::uint64_t tags = rng.range(0, 3);
  for (std::uint64_t t = 0; t < tags; ++t) {
    if (t) out += ',';
    out += '"';
    out += rng.pick(kTags);
    out += '"';
  }
  out += "]}";
}

std::string ack_id(Rng& rng) { return std::to_string(rng.range(0, 99'999)); }

void chat_event(Rng& rng, Mix& mix) {
  std::string s = "2[\"chat\",{\"user\":\"";
  s += rng.pick(kUsers);
  s += std::to_string(rng.range(1, 999));
  s += "\",\"text\":\"";
  sentence(rng, s, 3, 40);
  s += "\",\"ts\":";
  s += std::to_string(1'763'800'000'000ULL + rng.range(0, 86'400'000));
  s += "}]";
  mix.messages.push_back({false, std::move(s)});
}

void namespaced_event(Rng& rng, Mix& mix) {
  std::string s = "2";
  s += rng.pick(kNamespaces);
  s += ',';
  s += ack_id(rng);
  s += "[\"message\",{\"room\":\"room-";
  s += std::to_string(rng.range(1, 50));
  s += "\",\"from\":";
  user_object(rng, s);
  s += ",\"body\":\"";
  sentence(rng, s, 5, 60);
  s += "\",\"mentions\":[";
  const std::uint64_t mentions = rng.range(0, 4);
  for (std::uint64_t i = 0; i < mentions; ++i) {
    if (i) s += ',';
    s += '"';
    s += rng.pick(kUsers);
    s += '"';
  }
  s += "],\"meta\":{\"client\":\"web\",\"v\":3,\"retry\":false}}]";
  mix.messages.push_back({false, std::move(s)});
}

void ack_with_objects(Rng& rng, Mix& mix) {
  std::string s = "3";
  if (rng.chance(50)) {
    s += rng.pick(kNamespaces);
    s += ',';
  }
  s += ack_id(rng);
  s += "[[";
  const std::uint64_t n = rng.range(2, 12);
  for (std::uint64_t i = 0; i < n; ++i) {
    if (i) s += ',';
    user_object(rng, s);
  }
  s += "],{\"page\":";
  s += std::to_string(rng.range(1, 9));
  s += ",\"more\":";
  s += rng.chance(30) ? "true" : "false";
  s += "}]";
  mix.messages.push_back({false, std::move(s)});
}

void bulk_array(Rng& rng, Mix& mix) {
  std::string s;
  if (rng.chance(50)) {
    s = "2[\"bulk\",{\"series\":\"s";
    s += std::to_string(rng.range(1, 99));
    s += "\",\"values\":[";
    const std::uint64_t n = rng.range(100, 300);
    for (std::uint64_t i = 0; i < n; ++i) {
      if (i) s += ',';
      number(rng, s, rng.chance(50));
    }
    s += "]}]";
  } else {
    s = "2/game,[\"positions\",[";
    const std::uint64_t n = rng.range(40, 120);
    for (std::uint64_t i = 0; i < n; ++i) {
      if (i) s += ',';
      s += '[';
      number(rng, s, true);
      s += ',';
      number(rng, s, true);
      s += ',';
      s += std::to_string(rng.range(0, 359));
      s += ']';
    }
    s += "]]";
  }
  mix.messages.push_back({false, std::move(s)});
}

void binary_packet(Rng& rng, Mix& mix) {
  const std::uint64_t n = rng.range(1, 3);
  const bool ack = rng.chance(35);
  std::string s = ack ? "6" : "5";
  s += std::to_string(n);
  s += '-';
  if (ack) {
    s += "/files,";
    s += ack_id(rng);
    s += "[{\"ok\":true,\"parts\":[";
  } else {
    s += "[\"upload\",{\"name\":\"file-";
    s += std::to_string(rng.range(1, 99'999));
    s += ".png\",\"type\":\"image/png\",\"parts\":[";
  }
  for (std::uint64_t i = 0; i < n; ++i) {
    if (i) s += ',';
    s += "{\"_placeholder\":true,\"num\":";
    s += std::to_string(i);
    s += '}';
  }
  s += "]}]";
  mix.messages.push_back({false, std::move(s)});
  for (std::uint64_t i = 0; i < n; ++i) {
    // Mostly small chunks (thumbnails, audio frames), sometimes a larger image part.
    const std::uint64_t size = rng.chance(2) ? rng.range(4'096, 8'192) : rng.range(64, 768);
    std::string bytes(size, '\0');
    for (std::uint64_t k = 0; k < size; k += 8) {
      const std::uint64_t r = rng.next();
      for (std::uint64_t b = 0; b < 8 && k + b < size; ++b) bytes[k + b] = static_cast<char>(r >> (8 * b));
    }
    mix.messages.push_back({true, std::move(bytes)});
  }
}

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
}

std::uint32_t get_u32(const std::string& in, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<std::uint8_t>(in[at + static_cast<std::size_t>(i)]);
  return v;
}

constexpr std::string_view kMagic = "SIOMIX01";

}  // namespace

std::uint64_t Mix::bytes() const noexcept {
  std::uint64_t total = 0;
  for (const MixMessage& m : messages) total += m.bytes.size();
  return total;
}

Mix generate_mix(std::uint64_t seed, std::uint32_t packets) {
  Rng rng(seed);
  Mix mix;
  mix.packets = packets;
  for (std::uint32_t i = 0; i < packets; ++i) {
    const std::uint64_t roll = rng.range(0, 99);
    if (roll < 45) {
      chat_event(rng, mix);
    } else if (roll < 67) {
      namespaced_event(rng, mix);
    } else if (roll < 83) {
      ack_with_objects(rng, mix);
    } else if (roll < 90) {
      bulk_array(rng, mix);
    } else {
      binary_packet(rng, mix);
    }
  }
  return mix;
}

bool write_mix(const Mix& mix, const std::string& path, std::string& why) {
  std::string out(kMagic);
  put_u32(out, mix.packets);
  put_u32(out, static_cast<std::uint32_t>(mix.messages.size()));
  for (const MixMessage& m : mix.messages) {
    out += m.binary ? 'b' : 't';
    put_u32(out, static_cast<std::uint32_t>(m.bytes.size()));
    out += m.bytes;
  }
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(out.data(), static_cast<std::streamsize>(out.size()));
  if (!f) {
    why = "cannot write " + path;
    return false;
  }
  return true;
}

bool read_mix(const std::string& path, Mix& mix, std::string& why) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    why = "cannot open " + path;
    return false;
  }
  const std::string in((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (in.size() < 16 || std::string_view(in).substr(0, 8) != kMagic) {
    why = path + " is not a SIOMIX01 file";
    return false;
  }
  mix.packets = get_u32(in, 8);
  const std::uint32_t count = get_u32(in, 12);
  mix.messages.clear();
  mix.messages.reserve(count);
  std::size_t at = 16;
  for (std::uint32_t i = 0; i < count; ++i) {
    if (in.size() - at < 5 || (in[at] != 't' && in[at] != 'b')) {
      why = "record " + std::to_string(i) + " is malformed";
      return false;
    }
    const bool binary = in[at] == 'b';
    const std::uint32_t length = get_u32(in, at + 1);
    at += 5;
    if (in.size() - at < length) {
      why = "record " + std::to_string(i) + " runs past the end of the file";
      return false;
    }
    mix.messages.push_back({binary, in.substr(at, length)});
    at += length;
  }
  if (at != in.size()) {
    why = "bytes after the last record";
    return false;
  }
  return true;
}

}  // namespace sioconf::bench
