#include "sioconf/eio/packet.h"

#include <array>

namespace sioconf::eio {

namespace {
constexpr std::array<std::string_view, 7> kNames = {"open", "close", "ping", "pong", "message", "upgrade", "noop"};
}  // namespace

std::string_view name(PacketType type) noexcept {
  const auto i = static_cast<std::size_t>(type);
  return i < kNames.size() ? kNames[i] : std::string_view("unknown");
}

std::optional<PacketType> packet_type_from_name(std::string_view name) noexcept {
  for (std::size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == name) return static_cast<PacketType>(i);
  return std::nullopt;
}

}  // namespace sioconf::eio
