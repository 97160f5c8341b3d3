#include "sioconf/session/rooms.h"

#include <map>
#include <set>
#include <string>

#include "event_payload.h"
#include "sioconf/json_writer.h"
#include "sioconf/sio/packet.h"
#include "sioconf/sio/packet_encoder.h"

namespace sioconf::session {

struct RoomsState {
  explicit RoomsState(const Limits& limits) : encoder(limits) {}

  // A member's rooms per namespace, and when it first joined one: broadcasts reach members in
  // that order, so that a run on the simulator replays (pointers would order them by address).
  struct Member {
    std::uint64_t order = 0;
    std::map<std::string, std::set<std::string, std::less<>>, std::less<>> rooms;
  };
  using RoomMembers = std::map<std::uint64_t, RoomMember*>;  // by order

  sio::PacketEncoder encoder;
  JsonWriter writer;
  sio::EncodedPacket encoded;
  std::map<RoomMember*, Member> members;
  std::map<std::string, std::map<std::string, RoomMembers, std::less<>>, std::less<>> namespaces;
  std::uint64_t next_order = 0;
  std::size_t memberships = 0;
  RoomCounts counts;

  // Whether `member` is still in a room of `nsp` (it may leave while a broadcast runs).
  bool in(RoomMember* member, std::string_view nsp) const {
    const auto it = members.find(member);
    return it != members.end() && it->second.rooms.find(nsp) != it->second.rooms.end();
  }

  void remove(RoomMember& member, Member& m, std::string_view nsp, std::string_view room) {
    const auto ns = namespaces.find(nsp);
    const auto r = ns->second.find(room);
    r->second.erase(m.order);
    if (r->second.empty()) ns->second.erase(r);
    if (ns->second.empty()) namespaces.erase(ns);
    --memberships;
    const auto mine = m.rooms.find(nsp);
    mine->second.erase(mine->second.find(room));
    if (mine->second.empty()) m.rooms.erase(mine);
    if (m.rooms.empty()) members.erase(&member);
  }
};

Rooms::Rooms(const Limits& limits) : state_(std::make_unique<RoomsState>(limits)) {}
Rooms::~Rooms() = default;

void Rooms::join(RoomMember& member, std::string_view nsp, std::string_view room) {
  RoomsState& s = *state_;
  auto [it, added] = s.members.try_emplace(&member);
  if (added) it->second.order = s.next_order++;
  auto& mine = it->second.rooms[std::string(nsp)];
  if (!mine.emplace(room).second) return;  // already there
  auto& ns = s.namespaces[std::string(nsp)];
  auto r = ns.find(room);
  if (r == ns.end()) r = ns.emplace(std::string(room), RoomsState::RoomMembers{}).first;
  r->second.emplace(it->second.order, &member);
  ++s.memberships;
}

void Rooms::leave(RoomMember& member, std::string_view nsp, std::string_view room) {
  RoomsState& s = *state_;
  const auto it = s.members.find(&member);
  if (it == s.members.end()) return;
  const auto mine = it->second.rooms.find(nsp);
  if (mine == it->second.rooms.end() || mine->second.find(room) == mine->second.end()) return;
  s.remove(member, it->second, nsp, room);
}

void Rooms::leave_all(RoomMember& member, std::string_view nsp) {
  RoomsState& s = *state_;
  const auto it = s.members.find(&member);
  if (it == s.members.end()) return;
  const auto mine = it->second.rooms.find(nsp);
  if (mine == it->second.rooms.end()) return;
  const std::set<std::string, std::less<>> rooms = mine->second;  // remove() edits the original
  RoomsState::Member& m = it->second;
  for (const std::string& room : rooms) s.remove(member, m, nsp, room);
}

Errc Rooms::broadcast(std::string_view nsp, std::span<const std::string> to, std::span<const std::string> except,
                      std::string_view name, std::string_view args_json, std::span<const ByteView> attachments) {
  RoomsState& s = *state_;
  if (const Errc e = detail::write_event(s.writer, name, args_json, attachments); e != Errc::none) return e;
  if (const Errc e = s.encoder.encode(sio::PacketType::event, nsp, std::nullopt, s.writer, s.encoded); e != Errc::none)
    return e;
  ++s.counts.broadcasts;
  ++s.counts.encoded;

  // Who: the members of the rooms named (of every room when none is), minus those of `except`.
  RoomsState::RoomMembers targets;
  const auto ns = s.namespaces.find(nsp);
  if (ns == s.namespaces.end()) return Errc::none;
  const auto add_room = [&](const RoomsState::RoomMembers& room) { targets.insert(room.begin(), room.end()); };
  if (to.empty())
    for (const auto& [room, members] : ns->second) add_room(members);
  for (const std::string& room : to)
    if (const auto r = ns->second.find(room); r != ns->second.end()) add_room(r->second);
  for (const std::string& room : except)
    if (const auto r = ns->second.find(room); r != ns->second.end())
      for (const auto& [order, member] : r->second) targets.erase(order);

  // A delivery can end a member (cut off at its bound) and so change the rooms: each member is
  // checked again just before its turn.
  for (const auto& [order, member] : targets) {
    if (!s.in(member, nsp)) continue;
    if (member->deliver(nsp, s.encoded) == Errc::none) ++s.counts.delivered;
    else ++s.counts.refused;
  }
  return Errc::none;
}

std::size_t Rooms::members(std::string_view nsp, std::string_view room) const {
  const auto ns = state_->namespaces.find(nsp);
  if (ns == state_->namespaces.end()) return 0;
  const auto r = ns->second.find(room);
  return r == ns->second.end() ? 0 : r->second.size();
}

std::size_t Rooms::memberships() const noexcept { return state_->memberships; }
const RoomCounts& Rooms::counts() const noexcept { return state_->counts; }

}  // namespace sioconf::session
