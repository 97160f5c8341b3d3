// properties/codec_gen_eio.h — Engine.IO packets for the codec properties: generated (every type, text
// and binary, the open handshake), recorded as the decoders give them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "codec_gen.h"
#include "sioconf/eio/handshake.h"
#include "sioconf/eio/packet.h"

namespace sioconf::prop::codec {

// ---- Engine.IO packets -----------------------------------------------------------------------

/// An Engine.IO packet: `data` is the text after the type digit, or a binary message's bytes.
struct EioPacket {
  eio::PacketType type = eio::PacketType::message;
  MessageKind kind = MessageKind::text;
  Bytes data;
  friend bool operator==(const EioPacket&, const EioPacket&) = default;
};

inline void showValue(const EioPacket& p, std::ostream& os) {
  os << '{' << eio::name(p.type) << (p.kind == MessageKind::binary ? " binary " : " ");
  show_bytes(view(p.data), os);
  os << '}';
}

inline eio::Packet as_packet(const EioPacket& p) { return {p.type, p.kind, view(p.data)}; }

inline rc::Gen<eio::OpenHandshake> open_handshake() {
  return memo([] {
    constexpr std::uint64_t kMaxSafe = 9'007'199'254'740'992;  // exclusive: 2^53
    const auto number = one_of<std::uint64_t>({
        {3, pick<std::uint64_t>(0, 20000, 25000, 1'000'000)},
        {1, rc::gen::inRange<std::uint64_t>(0, kMaxSafe)},
    });
    const auto name = rc::gen::map(utf8_text(6), [](std::string s) { return s.empty() ? std::string("s") : s; });
    return rc::gen::build<eio::OpenHandshake>(rc::gen::set(&eio::OpenHandshake::sid, name),
                                              rc::gen::set(&eio::OpenHandshake::upgrades, vector_of(2, name)),
                                              rc::gen::set(&eio::OpenHandshake::ping_interval, number),
                                              rc::gen::set(&eio::OpenHandshake::ping_timeout, number),
                                              rc::gen::set(&eio::OpenHandshake::max_payload, number));
  });
}

/// Any Engine.IO packet but open: close/upgrade/noop without data, ping/pong with "" or "probe",
/// messages of UTF-8 text or of bytes. `polling`: text without 0x1e (the record separator has no
/// escape in a polling body; Socket.IO never sends it raw).
inline rc::Gen<EioPacket> eio_packet(bool polling) {
  return memo(
      [=] {
        using T = eio::PacketType;
        const auto text_message = rc::gen::map(utf8_text(10), [polling](std::string s) {
          if (polling) std::replace(s.begin(), s.end(), '\x1e', 'r');
          return EioPacket{T::message, MessageKind::text, to_bytes(s)};
        });
        const auto binary_message =
            rc::gen::map(one_of<Bytes>({{4, bytes_up_to(12)}, {1, bytes_up_to(300)}}), [](Bytes b) {
              return EioPacket{T::message, MessageKind::binary, std::move(b)};
            });
        const auto probe = rc::gen::map(rc::gen::pair(pick(T::ping, T::pong), chance(1, 2)), [](std::pair<T, bool> p) {
          return EioPacket{p.first, MessageKind::text, p.second ? to_bytes("probe") : Bytes{}};
        });
        const auto bare = rc::gen::map(pick(T::close, T::upgrade, T::noop), [](T t) {
          return EioPacket{t, MessageKind::text, {}};
        });
        return one_of<EioPacket>({{1, bare}, {2, probe}, {4, text_message}, {3, binary_message}});
      },
      polling);
}

/// At least one packet (a noop if the draw had none).
inline rc::Gen<std::vector<EioPacket>> eio_packets(std::size_t max, bool polling) {
  return memo(
      [=] {
        return nonempty_vector_of(max, eio_packet(polling), EioPacket{eio::PacketType::noop, MessageKind::text, {}});
      },
      max, polling);
}

inline EioPacket open_packet(const eio::OpenHandshake& h) {
  return {eio::PacketType::open, MessageKind::text, to_bytes(eio::encode_open(h))};
}

struct EioRecorder : eio::PacketSink {
  std::vector<EioPacket> packets;
  void on_packet(const eio::Packet& p) noexcept override {
    packets.push_back({p.type, p.data_kind, Bytes(p.data.begin(), p.data.end())});
  }
};

}  // namespace sioconf::prop::codec
