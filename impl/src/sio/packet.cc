#include "sioconf/sio/packet.h"

namespace sioconf::sio {

std::string_view name(PacketType type) noexcept {
  switch (type) {
    case PacketType::connect: return "connect";
    case PacketType::disconnect: return "disconnect";
    case PacketType::event: return "event";
    case PacketType::ack: return "ack";
    case PacketType::connect_error: return "connect_error";
    case PacketType::binary_event: return "binary_event";
    case PacketType::binary_ack: return "binary_ack";
  }
  return "unknown";
}

}  // namespace sioconf::sio
