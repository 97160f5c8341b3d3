#include "sioconf/eio/handshake.h"

#include <charconv>

#include "json_dom.h"

namespace sioconf::eio {

namespace {

// The largest integer a JavaScript peer holds exactly (Number.MAX_SAFE_INTEGER).
constexpr std::uint64_t kMaxSafeInteger = 9'007'199'254'740'991ULL;

// An integer literal (simdjson types 25000.0 and 2.5e4 as doubles) in 0..2^53-1.
bool read_count(simdjson::dom::element value, std::uint64_t& out) noexcept {
  using simdjson::dom::element_type;
  if (value.type() == element_type::INT64) {
    const std::int64_t v = value.get_int64().value_unsafe();
    if (v < 0) return false;
    out = static_cast<std::uint64_t>(v);
  } else if (value.type() == element_type::UINT64) {
    out = value.get_uint64().value_unsafe();
  } else {
    return false;
  }
  return out <= kMaxSafeInteger;
}

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {  // JSON.stringify writes other control characters as \u00xx
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

void append_number(std::string& out, std::uint64_t n) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, r.ptr);
}

}  // namespace

Errc parse_open(std::string_view json, OpenHandshake& out) noexcept {
  detail::JsonDom dom;
  // Depth 2: the upgrade names sit inside the array inside the object.
  if (dom.parse(json, 2) != Errc::none) return Errc::eio_bad_open;
  simdjson::dom::object object;
  if (dom.root().get_object().get(object) != simdjson::SUCCESS) return Errc::eio_bad_open;

  enum : unsigned { kSid = 1, kUpgrades = 2, kInterval = 4, kTimeout = 8, kMaxPayload = 16 };
  unsigned seen = 0;
  for (const auto field : object) {
    unsigned bit = 0;
    bool ok = false;
    if (field.key == "sid") {
      bit = kSid;
      std::string_view sid;
      ok = field.value.get_string().get(sid) == simdjson::SUCCESS && !sid.empty();
      if (ok) out.sid.assign(sid);
    } else if (field.key == "upgrades") {
      bit = kUpgrades;
      simdjson::dom::array names;
      ok = field.value.get_array().get(names) == simdjson::SUCCESS;
      out.upgrades.clear();
      if (ok) {
        for (const auto item : names) {
          std::string_view name;
          if (item.get_string().get(name) != simdjson::SUCCESS || name.empty()) {
            ok = false;
            break;
          }
          out.upgrades.emplace_back(name);
        }
      }
    } else if (field.key == "pingInterval") {
      bit = kInterval;
      ok = read_count(field.value, out.ping_interval);
    } else if (field.key == "pingTimeout") {
      bit = kTimeout;
      ok = read_count(field.value, out.ping_timeout);
    } else if (field.key == "maxPayload") {
      bit = kMaxPayload;
      ok = read_count(field.value, out.max_payload);
    }
    // engine.io-protocol v4 "Handshake": exactly these five keys; an unknown or repeated key is
    // refused (sioconf's choice, see handshake.h).
    if (!ok || (seen & bit) != 0) return Errc::eio_bad_open;
    seen |= bit;
  }
  return seen == (kSid | kUpgrades | kInterval | kTimeout | kMaxPayload) ? Errc::none
                                                                          : Errc::eio_bad_open;
}

std::string encode_open(const OpenHandshake& handshake) noexcept {
  std::string out = "{\"sid\":";
  append_json_string(out, handshake.sid);
  out += ",\"upgrades\":[";
  for (std::size_t i = 0; i < handshake.upgrades.size(); ++i) {
    if (i != 0) out += ',';
    append_json_string(out, handshake.upgrades[i]);
  }
  out += "],\"pingInterval\":";
  append_number(out, handshake.ping_interval);
  out += ",\"pingTimeout\":";
  append_number(out, handshake.ping_timeout);
  out += ",\"maxPayload\":";
  append_number(out, handshake.max_payload);
  out += '}';
  return out;
}

}  // namespace sioconf::eio
