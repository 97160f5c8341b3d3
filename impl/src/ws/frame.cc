#include "sioconf/ws/frame.h"

namespace sioconf::ws {

std::string_view name(Opcode op) noexcept {
  switch (op) {
    case Opcode::continuation: return "continuation";
    case Opcode::text: return "text";
    case Opcode::binary: return "binary";
    case Opcode::close: return "close";
    case Opcode::ping: return "ping";
    case Opcode::pong: return "pong";
  }
  return "reserved";
}

}  // namespace sioconf::ws
