// properties/codec_gen_ws.h — WebSocket streams for the codec properties: messages cut into fragments
// with control frames between them, close frames with allowed codes, masking keys, encoded with the
// project's encoder and recorded as the assembler gives them back.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "codec_gen.h"
#include "codec_gen_json.h"
#include "sioconf/ws/frame.h"
#include "sioconf/ws/frame_encoder.h"
#include "sioconf/ws/message_assembler.h"

namespace sioconf::prop::codec {

// ---- WebSocket -------------------------------------------------------------------------------

/// A payload: `head` followed by `padding` filler bytes ('p', so text stays UTF-8). The padding
/// reaches the 16- and 64-bit length forms and the decoder's 4 KiB unmasking scratch without
/// generating (and showing) thousands of bytes.
struct WsPayload {
  Bytes head;
  std::size_t padding = 0;
  Bytes bytes() const {
    Bytes b = head;
    b.insert(b.end(), padding, 'p');
    return b;
  }
  std::size_t size() const { return head.size() + padding; }
};

inline void show_payload(const WsPayload& p, std::ostream& os) {
  show_bytes(view(p.head), os);
  if (p.padding != 0) os << "+" << p.padding << "p";
}

/// Mostly short; sometimes past 125 (16-bit length), past 4096 (several scratch pieces), or past
/// 65535 (64-bit length).
inline rc::Gen<std::size_t> ws_padding() {
  return memo([] {
    return one_of<std::size_t>({
        {120, rc::gen::just<std::size_t>(0)},
        {12, rc::gen::inRange<std::size_t>(100, 300)},
        {3, rc::gen::inRange<std::size_t>(4000, 4300)},
        {1, rc::gen::inRange<std::size_t>(65530, 65600)},
    });
  });
}

/// A frame of a fragmented message: `size` bytes of the payload (the last fragment takes what is
/// left), then, before the next fragment, a control frame if `then` (RFC 6455 5.4 allows them).
struct WsControl {
  ws::Opcode opcode = ws::Opcode::ping;  // ping or pong
  Bytes payload;                         // at most 125 bytes
};

struct WsFragment {
  std::size_t size = 0;
  std::optional<WsControl> then;
};

/// One item of a WebSocket stream: a text or binary message in one or more fragments, or a lone
/// ping or pong (then `fragments` is unused and the payload at most 125 bytes).
struct WsItem {
  ws::Opcode opcode = ws::Opcode::text;
  WsPayload payload;
  std::vector<WsFragment> fragments;  // empty: one frame
};

/// The close frame that may end a stream: no body, or a code with a UTF-8 reason.
struct WsClose {
  std::optional<std::uint16_t> code;
  std::string reason;
};

struct WsStream {
  std::vector<WsItem> items;
  std::optional<WsClose> close;
  std::vector<ws::MaskKey> keys;  // a client's masking keys, one per frame in a cycle
};

inline void show_control(const WsControl& c, std::ostream& os) {
  os << ws::name(c.opcode) << ' ';
  show_bytes(view(c.payload), os);
}

inline void showValue(const WsItem& item, std::ostream& os) {
  os << '{' << ws::name(item.opcode) << ' ';
  show_payload(item.payload, os);
  if (!item.fragments.empty()) {
    os << " in fragments";
    for (const WsFragment& f : item.fragments) {
      os << ' ' << f.size;
      if (f.then) {
        os << " (";
        show_control(*f.then, os);
        os << ')';
      }
    }
  }
  os << '}';
}

inline void showValue(const WsStream& s, std::ostream& os) {
  os << '[';
  for (std::size_t i = 0; i < s.items.size(); ++i) {
    if (i != 0) os << ", ";
    showValue(s.items[i], os);
  }
  if (s.close) {
    os << (s.items.empty() ? "" : ", ") << "close";
    if (s.close->code) os << ' ' << *s.close->code << ' ' << json_text(json_string(s.close->reason));
  }
  os << "] keys";
  for (const ws::MaskKey& k : s.keys)
    os << ' ' << int(k[0]) << '.' << int(k[1]) << '.' << int(k[2]) << '.' << int(k[3]);
}

inline rc::Gen<WsControl> ws_control() {
  return memo([] {
    return rc::gen::build<WsControl>(rc::gen::set(&WsControl::opcode, pick(ws::Opcode::ping, ws::Opcode::pong)),
                                     rc::gen::set(&WsControl::payload, one_of<Bytes>({
                                                                           {4, bytes_up_to(8)},
                                                                           {1, bytes_up_to(125)},
                                                                       })));
  });
}

inline rc::Gen<WsItem> ws_item() {
  return memo([] {
    const auto opcode = pick(ws::Opcode::text, ws::Opcode::binary);
    const auto text = utf8_text(10);
    const auto bytes = bytes_up_to(12);
    const auto padding = ws_padding();
    const auto fragments = vector_of(
        4, rc::gen::build<WsFragment>(rc::gen::set(&WsFragment::size, one_of<std::size_t>({
                                                                          {4, rc::gen::inRange<std::size_t>(0, 6)},
                                                                          {1, rc::gen::inRange<std::size_t>(6, 5000)},
                                                                      })),
                                      rc::gen::set(&WsFragment::then, optional_of(ws_control()))));
    const auto message = rc::gen::exec([=] {
      WsItem item;
      item.opcode = *opcode;
      item.payload.head = item.opcode == ws::Opcode::text ? to_bytes(*text) : *bytes;
      item.payload.padding = *padding;
      item.fragments = *fragments;
      return item;
    });
    const auto control = rc::gen::map(ws_control(), [](WsControl c) {
      WsItem item;
      item.opcode = c.opcode;
      item.payload.head = std::move(c.payload);
      return item;
    });
    return one_of<WsItem>({{1, control}, {3, message}});
  });
}

/// A close code a peer may send (is_valid_close_code).
inline rc::Gen<std::uint16_t> close_code() {
  return memo([] {
    return one_of<std::uint16_t>({
        {3, pick<std::uint16_t>(1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014)},
        {1, rc::gen::inRange<std::uint16_t>(3000, 5000)},
    });
  });
}

inline rc::Gen<WsClose> ws_close() {
  return memo([] {
    return one_of<WsClose>({
        {1, rc::gen::just(WsClose{})},
        {3, rc::gen::map(rc::gen::pair(close_code(), utf8_text(12)),
                         [](std::pair<std::uint16_t, std::string> p) {
                           std::string reason = std::move(p.second);
                           while (reason.size() > 123) reason.pop_back();  // code + reason <= 125 bytes
                           while (!reason.empty() && (static_cast<std::uint8_t>(reason.back()) & 0xC0) == 0x80)
                             reason.pop_back();  // never end inside a code point
                           if (!reason.empty() && static_cast<std::uint8_t>(reason.back()) >= 0xC0) reason.pop_back();
                           return WsClose{p.first, std::move(reason)};
                         })},
    });
  });
}

inline rc::Gen<ws::MaskKey> mask_key() {
  return memo([] {
    return rc::gen::map(rc::gen::container<std::vector<std::uint8_t>>(4, rc::gen::arbitrary<std::uint8_t>()),
                        [](const std::vector<std::uint8_t>& b) {
                          return ws::MaskKey{b[0], b[1], b[2], b[3]};
                        });
  });
}

/// A client's masking keys, at least one.
inline rc::Gen<std::vector<ws::MaskKey>> mask_keys(std::size_t max) {
  return memo([=] { return nonempty_vector_of(max, mask_key(), ws::MaskKey{0, 0, 0, 1}); }, max);
}

inline rc::Gen<WsStream> ws_stream(std::size_t max_items = 5) {
  return memo(
      [=] {
        return rc::gen::build<WsStream>(rc::gen::set(&WsStream::items, vector_of(max_items, ws_item())),
                                        rc::gen::set(&WsStream::close, optional_of(ws_close())),
                                        rc::gen::set(&WsStream::keys, mask_keys(3)));
      },
      max_items);
}

/// What a MessageAssembler hands out: a message, a ping/pong, or the close.
struct WsEvent {
  enum class Kind : std::uint8_t { message, control, close };
  Kind kind = Kind::message;
  ws::Opcode opcode = ws::Opcode::text;
  Bytes bytes;  // message, control payload, or close reason
  std::optional<std::uint16_t> code;
  friend bool operator==(const WsEvent&, const WsEvent&) = default;
};

inline void showValue(const WsEvent& e, std::ostream& os) {
  os << '{' << (e.kind == WsEvent::Kind::close ? std::string_view("close") : ws::name(e.opcode)) << ' ';
  if (e.code) os << *e.code << ' ';
  show_bytes(view(e.bytes), os);
  os << '}';
}

struct WsRecorder : ws::MessageSink {
  std::vector<WsEvent> events;
  void on_message(ws::Opcode opcode, ByteView message) noexcept override {
    events.push_back({WsEvent::Kind::message, opcode, Bytes(message.begin(), message.end()), std::nullopt});
  }
  void on_control(ws::Opcode opcode, ByteView payload) noexcept override {
    events.push_back({WsEvent::Kind::control, opcode, Bytes(payload.begin(), payload.end()), std::nullopt});
  }
  void on_close(std::optional<std::uint16_t> code, std::string_view reason) noexcept override {
    events.push_back({WsEvent::Kind::close, ws::Opcode::close, to_bytes(reason), code});
  }
};

/// Writes `stream` as `sender` sends it (a client masks with the stream's keys), and returns the
/// events a receiver must see, in order. Fails the property if the encoder refuses a frame.
inline std::vector<WsEvent> encode_ws(const WsStream& stream, ws::Role sender, Bytes& wire) {
  std::vector<WsEvent> expected;
  std::size_t frame = 0;
  const auto key = [&] { return stream.keys.empty() ? ws::MaskKey{} : stream.keys[frame++ % stream.keys.size()]; };
  const auto control = [&](const WsControl& c) {
    RC_ASSERT(ws::encode_frame(wire, sender, c.opcode, view(c.payload), true, key()) == Errc::none);
    expected.push_back({WsEvent::Kind::control, c.opcode, c.payload, std::nullopt});
  };
  for (const WsItem& item : stream.items) {
    const Bytes payload = item.payload.bytes();
    if (ws::is_control(item.opcode)) {
      control(WsControl{item.opcode, payload});
      continue;
    }
    const std::size_t frames = std::max<std::size_t>(1, item.fragments.size());
    std::size_t at = 0;
    for (std::size_t i = 0; i < frames; ++i) {
      const bool last = i + 1 == frames;
      const std::size_t n = last ? payload.size() - at : std::min(item.fragments[i].size, payload.size() - at);
      const ws::Opcode opcode = i == 0 ? item.opcode : ws::Opcode::continuation;
      RC_ASSERT(ws::encode_frame(wire, sender, opcode, ByteView(payload).subspan(at, n), last, key()) == Errc::none);
      at += n;
      if (!last && item.fragments[i].then) control(*item.fragments[i].then);
    }
    expected.push_back({WsEvent::Kind::message, item.opcode, payload, std::nullopt});
  }
  if (stream.close) {
    RC_ASSERT(ws::encode_close(wire, sender, stream.close->code, stream.close->reason, key()) == Errc::none);
    expected.push_back({WsEvent::Kind::close, ws::Opcode::close, to_bytes(stream.close->reason), stream.close->code});
  }
  return expected;
}

inline ws::Role sender_for(ws::Role receiver) {
  return receiver == ws::Role::server ? ws::Role::client : ws::Role::server;
}

}  // namespace sioconf::prop::codec
