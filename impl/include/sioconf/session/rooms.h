// sioconf/session/rooms.h — rooms across the server sockets of one server, as socket.io's
// in-memory adapter keeps them: join, leave, and broadcast to rooms with an except-set.
//
//   session::Rooms rooms;                               // outlives the sockets that use it
//   session::ServerSocketOptions o;
//   o.rooms = &rooms;                                   // each socket gives it to its namespaces
//   ... socket.join("/", "lobby") in a handler ...
//   rooms.broadcast("/", {"lobby"}, {sender_sid}, "chat", R"(["hi"])");   // the lobby but the sender
//
// Membership (per namespace): a socket connected to a namespace is a member of the room named by
// its sid (ServerSocketOptions::sid) and of the rooms it joined there. Leaving the namespace (its
// DISCONNECT, the connection's end, disconnect()) leaves them all at once, so no membership
// outlives its connection and nothing is delivered to a closed socket. A room with no member is
// forgotten.
//
// Broadcast: an EVENT to every member of any room in `to` (every member of the namespace when
// `to` is empty) that is in no room of `except`; each member once, however many of the rooms it
// is in, in the order the members first joined. The packet is encoded once (counts().encoded)
// and each member's session gets the same bytes. A member whose queue is at its bound is cut off
// (engine/session.h: its session ends with the limit's Errc); the others still get the packet.
// Broadcasts carry no ack id.
//
// Lifetime: one thread, the loop's. Rooms must outlive the sockets that were given it.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "sioconf/bytes.h"
#include "sioconf/errc.h"
#include "sioconf/limits.h"

namespace sioconf::sio {
struct EncodedPacket;
}

namespace sioconf::session {

/// What a broadcast reaches: a server socket's namespace (ServerSocket implements it).
class RoomMember {
 public:
  virtual ~RoomMember() = default;
  /// Sends an encoded packet of namespace `nsp` as it is. none, or why not (the socket left, its
  /// queue is at its bound).
  virtual Errc deliver(std::string_view nsp, const sio::EncodedPacket& packet) noexcept = 0;
};

struct RoomCounts {
  std::uint64_t broadcasts = 0;  // broadcast() calls that encoded a packet
  std::uint64_t encoded = 0;     // packets encoded: one per broadcast, whatever the members
  std::uint64_t delivered = 0;   // packets handed to a member's session
  std::uint64_t refused = 0;     // members that could not take one (cut off at their bound)
};

struct RoomsState;  // private

class Rooms {
 public:
  /// Of `limits`: the Socket.IO encoder's (sio/packet_encoder.h).
  explicit Rooms(const Limits& limits = {});
  ~Rooms();
  Rooms(const Rooms&) = delete;
  Rooms& operator=(const Rooms&) = delete;

  /// Sends EVENT `name` with arguments `args_json` (a JSON array; {"_placeholder":true,"num":i}
  /// where attachments[i] goes) as above. Returns a refusal with nothing sent, as
  /// ServerSocket::emit refuses the same arguments (sio_event_not_array when `args_json` is no
  /// array, the encoder's sio_reserved_event_name, json_syntax, ...), else none, whoever was
  /// reached.
  Errc broadcast(std::string_view nsp, std::span<const std::string> to, std::span<const std::string> except,
                 std::string_view name, std::string_view args_json, std::span<const ByteView> attachments = {});

  /// Members of `room` in `nsp` now.
  std::size_t members(std::string_view nsp, std::string_view room) const;
  /// Memberships over every namespace and room (a leak check: 0 once every socket is gone).
  std::size_t memberships() const noexcept;
  const RoomCounts& counts() const noexcept;

  // ---- for ServerSocket: membership of one member (see above) ----
  void join(RoomMember& member, std::string_view nsp, std::string_view room);
  void leave(RoomMember& member, std::string_view nsp, std::string_view room);
  /// Leaves every room of `nsp`.
  void leave_all(RoomMember& member, std::string_view nsp);

 private:
  std::unique_ptr<RoomsState> state_;
};

}  // namespace sioconf::session
