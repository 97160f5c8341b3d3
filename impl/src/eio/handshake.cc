#include "sioconf/eio/handshake.h"

#include "json_dom.h"
#include "sioconf/json_writer.h"
#include "sioconf/limits.h"

namespace sioconf::eio {

namespace {

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
  return out <= max_safe_integer;
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
  return seen == (kSid | kUpgrades | kInterval | kTimeout | kMaxPayload) ? Errc::none : Errc::eio_bad_open;
}

std::string encode_open(const OpenHandshake& handshake) noexcept {
  JsonWriter w;
  w.begin_object().key("sid").string(handshake.sid).key("upgrades").begin_array();
  for (const std::string& name : handshake.upgrades) w.string(name);
  w.end_array()
      .key("pingInterval")
      .number(handshake.ping_interval)
      .key("pingTimeout")
      .number(handshake.ping_timeout)
      .key("maxPayload")
      .number(handshake.max_payload)
      .end_object();
  return w.error() == Errc::none ? std::string(w.json()) : std::string();
}

}  // namespace sioconf::eio
