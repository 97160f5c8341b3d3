// impl/bench/mix.h — the benchmark's packet mix: generated once, written to a file, read by both
// the C++ bench (sioconf_bench --decode) and the Node one (conformance/adapters/node/bench/).
//
// The mix is a deterministic (seeded) sequence of Socket.IO v5 packets as an Engine.IO peer
// receives them, one message each, the EIO '4' already removed:
//   chat events         2["chat",{"user":..,"text":..,"ts":..}]
//   namespaced events   2/chat,17["message",{...}]            (with ack ids)
//   acks                3/game,9[[{...},{...},...]]           (arrays of objects)
//   bulk arrays         2["bulk",{"series":..,"values":[...]}] (1-3 KB each)
//   binary packets      51-["upload",{..,"chunk":{"_placeholder":true,"num":0}}] + 1-3 binary
//                       messages (BINARY_EVENT and namespaced BINARY_ACK)
//
// File format (all integers little-endian):
//   offset 0   8 bytes  magic "SIOMIX01"
//          8   u32      packets: how many packets a decoder must report for one pass
//         12   u32      messages: how many records follow
//         16   records, each: 1 byte kind ('t' text message | 'b' binary message),
//                             u32 length, then `length` bytes (UTF-8 text for 't')
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sioconf::bench {

struct MixMessage {
  bool binary = false;
  std::string bytes;
};

struct Mix {
  std::uint32_t packets = 0;
  std::vector<MixMessage> messages;
  std::uint64_t bytes() const noexcept;  // all message bytes together
};

/// The mix for `seed`: `packets` packets in the proportions above.
Mix generate_mix(std::uint64_t seed, std::uint32_t packets);

/// Writes / reads the file format above. Return false (with a reason in `why`) on I/O or format
/// errors.
bool write_mix(const Mix& mix, const std::string& path, std::string& why);
bool read_mix(const std::string& path, Mix& mix, std::string& why);

}  // namespace sioconf::bench
