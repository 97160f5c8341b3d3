#include "sioconf/errc.h"

#include <array>

namespace sioconf {
namespace {

struct Entry {
  Errc code;
  std::string_view name;
  Condition condition;
  std::uint16_t close_code;
  std::string_view message;
};

constexpr Entry kEntries[] = {
#define SIOCONF_ERRC(num, id, cond, close, msg) {Errc::id, #id, Condition::cond, close, msg},
#include "sioconf/errc.def"
#undef SIOCONF_ERRC
};

constexpr Errc kCodes[] = {
#define SIOCONF_ERRC(num, id, cond, close, msg) Errc::id,
#include "sioconf/errc.def"
#undef SIOCONF_ERRC
};

// The list is short (< 100 entries) and lookups happen on error paths only: a linear scan is fine.
const Entry* find(Errc e) noexcept {
  for (const Entry& entry : kEntries)
    if (entry.code == e) return &entry;
  return nullptr;
}

}  // namespace

std::string_view name(Errc e) noexcept {
  const Entry* entry = find(e);
  return entry ? entry->name : "unknown";
}

std::string_view message(Errc e) noexcept {
  const Entry* entry = find(e);
  return entry ? entry->message : "unknown error";
}

Condition condition(Errc e) noexcept {
  const Entry* entry = find(e);
  return entry ? entry->condition : Condition::protocol;
}

std::string_view name(Condition c) noexcept {
  switch (c) {
    case Condition::protocol: return "protocol";
    case Condition::limit: return "limit";
    case Condition::state: return "state";
    case Condition::io: return "io";
  }
  return "protocol";
}

std::uint16_t ws_close_code(Errc e) noexcept {
  const Entry* entry = find(e);
  return entry ? entry->close_code : 0;
}

std::optional<Errc> errc_from_name(std::string_view n) noexcept {
  for (const Entry& entry : kEntries)
    if (entry.name == n) return entry.code;
  return std::nullopt;
}

std::span<const Errc> all_errcs() noexcept { return kCodes; }

}  // namespace sioconf
