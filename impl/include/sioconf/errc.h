// sioconf/errc.h — the one error list, as a C++ enum.
//
// Every error any sioconf layer can report is an `Errc`, generated from errc.def. Each entry has
//   - a stable snake_case name: `name(e)`; the same spelling is used by corpus vectors, the adapter
//     protocol and reports, so `Errc::sio_bad_event_name` is "sio_bad_event_name" everywhere;
//   - a fixed number (the enum value), never reused;
//   - a coarse condition: `condition(e)` ∈ {protocol, limit, state, io}. Other implementations are
//     judged on the condition only; sioconf itself is judged on the exact name;
//   - the WebSocket close code a peer must send for it (`ws_close_code(e)`, 0 when not a ws error);
//   - a one-line human message naming its source (`message(e)`).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace sioconf {

enum class Errc : std::uint16_t {
#define SIOCONF_ERRC(num, id, cond, close, msg) id = num,
#include "sioconf/errc.def"
#undef SIOCONF_ERRC
};

enum class Condition : std::uint8_t { protocol, limit, state, io };

/// The stable corpus spelling of `e`, e.g. "ws_control_too_long".
std::string_view name(Errc e) noexcept;
/// One human-readable line, naming the rule's source.
std::string_view message(Errc e) noexcept;
/// The coarse class other implementations are judged on.
Condition condition(Errc e) noexcept;
/// "protocol" | "limit" | "state" | "io".
std::string_view name(Condition c) noexcept;
/// The WebSocket close code for `e` (1002, 1007, 1008, 1009), or 0 when `e` is not a ws error.
std::uint16_t ws_close_code(Errc e) noexcept;
/// The `Errc` spelled `name`, if any (used to read vectors and adapter answers).
std::optional<Errc> errc_from_name(std::string_view name) noexcept;
/// Every entry in number order (for tests and documentation generators).
std::span<const Errc> all_errcs() noexcept;

/// A decoder's sticky error: what went wrong and the absolute offset (bytes since construction or
/// the last reset(), or the message index for message layers) where it was detected.
struct DecodeError {
  Errc code = Errc::none;
  std::uint64_t offset = 0;
  explicit operator bool() const noexcept { return code != Errc::none; }
  friend bool operator==(const DecodeError&, const DecodeError&) = default;
};

}  // namespace sioconf
