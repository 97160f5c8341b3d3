// The `eio` and `eio-payload` layers of the CLI: Engine.IO v4 packets <-> adapter-protocol items.
//
// Items (both layers): {"type":"open|close|ping|pong|message|upgrade|noop","data":...}. Text data
// is a JSON string and is absent when empty ("4" is {"type":"message"}). Binary data (only on a
// message) is {"$binary":"<base64>"} and is always present, even when empty, so that an empty
// binary message stays distinct from the empty text message "4".
//
// eio          decode  each element is one WebSocket message: {"text":...} a text frame,
//                      {"base64":...}/{"hex":...} a binary frame; one PacketDecoder for all, so
//                      an error offset counts the bytes of the messages before it.
//              encode  one element per item: {"text":"4hello"} for a text packet, {"base64":...}
//                      (the bytes as is) for a binary message.
// eio-payload  decode  each element is one whole HTTP long-polling body, its bytes taken as they
//                      are whether given as text or base64 (base64 is how a vector spells a body
//                      that is not UTF-8). A fresh PayloadDecoder per body; an error offset counts
//                      the bytes of the bodies before it, plus the offset in its own body.
//              encode  all items into ONE body: [{"text":"4hello\u001e2\u001ebAQIDBA=="}].
// Neither layer has options. Limits: eio_max_packet_bytes (both), eio_max_payload_bytes and
// eio_max_payload_packets (eio-payload).
#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "layers.h"
#include "sioconf/eio/packet_decoder.h"
#include "sioconf/eio/packet_encoder.h"
#include "sioconf/eio/payload_decoder.h"

namespace sioconf::cli {
namespace {

using json = nlohmann::json;

class ItemSink : public eio::PacketSink {
 public:
  explicit ItemSink(json& items) : items_(items) {}
  void on_packet(const eio::Packet& p) noexcept override {
    json item = {{"type", eio::name(p.type)}};
    if (p.data_kind == MessageKind::binary) {
      item["data"] = binary_json(p.data.data(), p.data.size());
    } else if (!p.data.empty()) {
      item["data"] = std::string(as_text(p.data));  // the decoders deliver valid UTF-8 only
    }
    items_.push_back(std::move(item));
  }

 private:
  json& items_;
};

DecodeResult decode_eio(const std::vector<Element>& input, const Limits& limits, const json&, json& items) {
  eio::PacketDecoder dec(limits);
  ItemSink sink(items);
  for (const Element& e : input) {
    const Message m{e.is_text ? MessageKind::text : MessageKind::binary, as_bytes(e.bytes)};
    if (dec.feed(m, sink) == Status::error) break;
  }
  if (dec.finish() == Status::error) return {dec.error().code, dec.error().offset};
  return {};
}

DecodeResult decode_eio_payload(const std::vector<Element>& input, const Limits& limits, const json&,
                                json& items) {
  eio::PayloadDecoder dec(limits);
  ItemSink sink(items);
  std::uint64_t before = 0;  // bytes of the bodies already decoded
  for (const Element& body : input) {
    dec.reset();
    if (dec.decode_whole(as_bytes(body.bytes), sink) == Status::error)
      return {dec.error().code, before + dec.error().offset};
    before += body.bytes.size();
  }
  return {};
}

// An item's packet; its data views `storage` or the item itself, so both must outlive it.
eio::Packet packet_of(const json& item, std::vector<std::uint8_t>& storage) {
  if (!item.is_object() || !item.contains("type") || !item["type"].is_string())
    throw BadRequest{"an eio item is an object with a string \"type\""};
  for (const auto& [key, value] : item.items())
    if (key != "type" && key != "data") throw BadRequest{"unknown key \"" + key + "\" in an eio item"};
  const std::optional<eio::PacketType> type = eio::packet_type_from_name(item["type"].get<std::string>());
  if (!type) throw BadRequest{"unknown eio packet type " + item["type"].get<std::string>()};
  eio::Packet p{*type, MessageKind::text, {}};
  if (!item.contains("data")) return p;
  const json& data = item["data"];
  if (data.is_string()) {
    p.data = as_bytes(data.get_ref<const std::string&>());
  } else {
    storage = binary_from_json(data);  // throws BadRequest unless {"$binary": ...}
    p.data_kind = MessageKind::binary;
    p.data = ByteView(storage);
  }
  return p;
}

std::optional<Errc> encode_eio(const json& items, const Limits&, const json&, std::vector<Element>& output) {
  if (!items.is_array()) throw BadRequest{"items must be an array"};
  for (const json& item : items) {
    std::vector<std::uint8_t> storage;
    const eio::Packet p = packet_of(item, storage);
    std::vector<std::uint8_t> message;
    if (const Errc e = eio::encode_packet(p, message); e != Errc::none) return e;
    output.push_back({p.data_kind == MessageKind::text, std::string(message.begin(), message.end())});
  }
  return std::nullopt;
}

std::optional<Errc> encode_eio_payload(const json& items, const Limits&, const json&,
                                       std::vector<Element>& output) {
  if (!items.is_array()) throw BadRequest{"items must be an array"};
  std::vector<std::vector<std::uint8_t>> storage(items.size());
  std::vector<eio::Packet> packets;
  for (std::size_t i = 0; i < items.size(); ++i) packets.push_back(packet_of(items[i], storage[i]));
  std::string body;
  if (const Errc e = eio::encode_payload(packets, body); e != Errc::none) return e;
  output.push_back({true, std::move(body)});
  return std::nullopt;
}

}  // namespace

const Layer kEioLayer = {"eio", "Engine.IO v4 packets, one element per WebSocket message", false,
                         &decode_eio, &encode_eio};
const Layer kEioPayloadLayer = {"eio-payload", "Engine.IO v4 HTTP long-polling bodies, one element per body",
                                false, &decode_eio_payload, &encode_eio_payload};

}  // namespace sioconf::cli
