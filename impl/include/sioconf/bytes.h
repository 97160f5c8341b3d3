// sioconf/bytes.h — byte views and the result shape every push decoder returns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace sioconf {

/// A read-only view of bytes. Decoders never own their input: a view is valid only for the call
/// it is passed to, and views a decoder hands out are valid until its next call.
using ByteView = std::span<const std::uint8_t>;

inline ByteView as_bytes(std::string_view s) noexcept {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline std::string_view as_text(ByteView b) noexcept { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

/// What a feed() call ended with.
///   ok         every byte offered was consumed and no item is half-done
///   need_more  the bytes were consumed, and an item is still incomplete: feed more
///   error      the input broke a rule or a limit; the decoder's error() says which, and it stays
///              in that state (every later feed() returns error, consuming nothing) until reset()
enum class Status : std::uint8_t { ok, need_more, error };

/// The result of feed(). `consumed` is meaningful for all three statuses: the caller drops that
/// many bytes even on error (the offending byte is at error().offset).
struct Fed {
  Status status = Status::ok;
  std::size_t consumed = 0;
};

/// Whether a message is text or binary: the unit the message layers (eio, sio) decode.
enum class MessageKind : std::uint8_t { text, binary };

/// One transport message: a WebSocket message, or one record of a polling body after decoding.
struct Message {
  MessageKind kind = MessageKind::text;
  ByteView bytes;
};

}  // namespace sioconf
