// sioconf/reserved_events.h — the event names Socket.IO keeps for itself.
//
// A peer may not send an EVENT with one of these names, and an application may not emit one
// (socket.io-parser 4.2.4 and later refuse them as RESERVED_EVENTS; the server's Socket and the
// emitter use them for their own events). One list for the decoder (sio_reserved_event_name), the
// encoder and the emitter (emit_reserved_event).
#pragma once

#include <array>
#include <string_view>

namespace sioconf {

inline constexpr std::array<std::string_view, 6> reserved_event_names = {
    "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"};

/// True when `name` (the event name's text, unescaped) is one of reserved_event_names.
constexpr bool is_reserved_event_name(std::string_view name) noexcept {
  // Most names are not 7, 10, 11, 13 or 14 bytes long: one switch before any comparison (the
  // decoder asks for every EVENT).
  switch (name.size()) {
    case 7:
    case 10:
    case 11:
    case 13:
    case 14: break;
    default: return false;
  }
  for (const std::string_view reserved : reserved_event_names)
    if (name == reserved) return true;
  return false;
}

}  // namespace sioconf
