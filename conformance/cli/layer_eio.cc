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
//                      that is not UTF-8), and fed as they come (finish() at the body's end); an
//                      error offset counts the bytes of the bodies before it, plus the offset in
//                      its own body.
//              encode  all items into ONE body: [{"text":"4hello\u001e2\u001ebAQIDBA=="}].
// Neither layer has options. Limits: eio_max_packet_bytes (both), eio_max_payload_bytes and
// eio_max_payload_packets (eio-payload).
#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>

#include "layers.h"
#include "sioconf/eio/packet_decoder.h"
#include "sioconf/eio/packet_encoder.h"
#include "sioconf/eio/payload_decoder.h"

namespace sioconf::cli {
namespace {

using json = nlohmann::json;

class Packets : public eio::PacketSink {
 public:
  explicit Packets(ItemSink& out) : out_(out) {}
  void on_packet(const eio::Packet& p) noexcept override {
    json item = {{"type", eio::name(p.type)}};
    if (p.data_kind == MessageKind::binary) {
      item["data"] = binary_json(p.data.data(), p.data.size());
    } else if (!p.data.empty()) {
      item["data"] = std::string(as_text(p.data));  // the decoders deliver valid UTF-8 only
    }
    out_.on_item(std::move(item));
  }

 private:
  ItemSink& out_;
};

// Every message, text or binary, is bounded by eio_max_packet_bytes.
class Decoder final : public MessageBuffer {
 public:
  Decoder(const Limits& limits, ItemSink& out) : max_(limits.eio_max_packet_bytes), dec_(limits), packets_(out) {}

  DecodeResult finish() override {
    if (dec_.finish() == Status::error) return {dec_.error().code, dec_.error().offset};
    return {};
  }

 private:
  std::uint64_t max_bytes(bool) const override { return max_; }
  bool message(bool is_text, std::string_view bytes) override {
    return dec_.feed({is_text ? MessageKind::text : MessageKind::binary, as_bytes(bytes)}, packets_) != Status::error;
  }

  std::uint64_t max_;
  eio::PacketDecoder dec_;
  Packets packets_;
};

// Each element is one body, fed as it comes: the PayloadDecoder holds at most one record.
class Bodies final : public LayerDecoder {
 public:
  Bodies(const Limits& limits, ItemSink& out) : dec_(limits), packets_(out) {}

  void begin(bool) override {}
  bool feed(std::string_view piece) override {
    if (result_.error) return false;
    if (dec_.feed(as_bytes(piece), packets_).status == Status::error) return failed();
    body_ += piece.size();
    return true;
  }
  bool end() override {
    if (result_.error) return false;
    if (dec_.finish(packets_) == Status::error) return failed();
    before_ += body_;
    body_ = 0;
    return true;
  }
  DecodeResult finish() override { return result_; }

 private:
  // An error offset counts the bytes of the bodies before this one, plus its offset in its body.
  bool failed() {
    result_ = {dec_.error().code, before_ + dec_.error().offset};
    return false;
  }

  eio::PayloadDecoder dec_;
  Packets packets_;
  std::uint64_t before_ = 0, body_ = 0;
  DecodeResult result_;
};

std::unique_ptr<LayerDecoder> make_decoder(const Limits& limits, const json&, ItemSink& out) {
  return std::make_unique<Decoder>(limits, out);
}

std::unique_ptr<LayerDecoder> make_payload_decoder(const Limits& limits, const json&, ItemSink& out) {
  return std::make_unique<Bodies>(limits, out);
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

std::optional<Errc> encode_eio_payload(const json& items, const Limits&, const json&, std::vector<Element>& output) {
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

const Layer kEioLayer = {"eio", "Engine.IO v4 packets, one element per WebSocket message", false, &make_decoder,
                         &encode_eio};
const Layer kEioPayloadLayer = {"eio-payload", "Engine.IO v4 HTTP long-polling bodies, one element per body", false,
                                &make_payload_decoder, &encode_eio_payload};

}  // namespace sioconf::cli
