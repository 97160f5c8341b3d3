// The `sio` layer of the CLI: Socket.IO v5 packets <-> adapter-protocol items.
//
// Items: {"type":0-6,"nsp":"/admin","id":12,"data":<json>}, as socket.io-parser's packet object;
// `id` and `data` absent when the packet has none. Binary packets keep their wire type (5, 6) and
// carry each attachment where its placeholder was, as {"$binary":"<base64>"}.
//
// decode  each element is one Engine.IO message: {"text":...} a packet, {"base64":...}/{"hex":...}
//         an attachment; one PacketDecoder for all, so an error offset counts the bytes of every
//         message before it.
// encode  one packet per item: {"text":...} then one {"base64":...} per attachment. A
//         {"$binary":...} value anywhere in `data` becomes a binary() value of the JsonWriter, so
//         an EVENT/ACK item with one is written as BINARY_EVENT/BINARY_ACK; `nsp` defaults to "/".
//         Object members are written in the order nlohmann::json keeps them (sorted by key).
// No options. Limits: max_payload_bytes, max_depth, max_attachments, max_attachment_bytes,
// max_ack_id, max_ack_id_digits, max_namespace_bytes.
#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "layers.h"
#include "sioconf/sio/packet_decoder.h"
#include "sioconf/sio/packet_encoder.h"

namespace sioconf::cli {
namespace {

using json = nlohmann::json;

// Puts {"$binary": attachment} where each placeholder is. The decoder has checked every
// placeholder, so each object with a "_placeholder" key is one, with an index in range.
void replace_placeholders(json& data, std::span<const ByteView> attachments) {
  std::vector<json*> todo = {&data};
  while (!todo.empty()) {
    json* v = todo.back();
    todo.pop_back();
    if (v->is_object()) {
      if (v->contains("_placeholder")) {
        const ByteView a = attachments[(*v)["num"].get<std::size_t>()];
        *v = binary_json(a.data(), a.size());
        continue;
      }
      for (auto& member : v->items()) todo.push_back(&member.value());
    } else if (v->is_array()) {
      for (json& x : *v) todo.push_back(&x);
    }
  }
}

class Packets : public sio::PacketSink {
 public:
  explicit Packets(ItemSink& out) : out_(out) {}
  void on_packet(const sio::Packet& p) override {
    try {  // feed() is noexcept: nothing may escape
      json item = {{"type", static_cast<int>(p.type)}, {"nsp", std::string(p.nsp)}};
      if (p.id) item["id"] = *p.id;
      if (!p.payload.empty()) {
        json data = json::parse(p.payload);
        if (sio::is_binary(p.type)) replace_placeholders(data, p.attachments);
        item["data"] = std::move(data);
      }
      out_.on_item(std::move(item));
    } catch (const std::exception& e) {
      failure = e.what();
    }
  }
  std::string failure;

 private:
  ItemSink& out_;
};

// Text messages are bounded by max_payload_bytes, attachments by max_attachment_bytes.
class Decoder final : public MessageBuffer {
 public:
  Decoder(const Limits& limits, ItemSink& out) : limits_(limits), dec_(limits), packets_(out) {}

  DecodeResult finish() override {
    if (!dec_.error()) (void)dec_.finish();
    if (const DecodeError e = dec_.error()) return {e.code, e.offset};
    return {};
  }

 private:
  std::uint64_t max_bytes(bool is_text) const override {
    return is_text ? limits_.max_payload_bytes : limits_.max_attachment_bytes;
  }
  bool message(bool is_text, std::string_view bytes) override {
    const Status s = dec_.feed({is_text ? MessageKind::text : MessageKind::binary, as_bytes(bytes)}, packets_);
    if (!packets_.failure.empty()) throw BadRequest{"decoded payload unreadable by nlohmann: " + packets_.failure};
    return s != Status::error;
  }

  Limits limits_;
  sio::PacketDecoder dec_;
  Packets packets_;
};

std::unique_ptr<LayerDecoder> make_decoder(const Limits& limits, const json&, ItemSink& out) {
  return std::make_unique<Decoder>(limits, out);
}

constexpr int kMaxItemDepth = 10000;  // the walk recurses; deeper items are a bad request

void write_json(JsonWriter& w, const json& v, int depth) {
  if (depth > kMaxItemDepth) throw BadRequest{"sio item data nested deeper than 10000"};
  if (is_binary_json(v)) {
    const std::vector<std::uint8_t> bytes = binary_from_json(v);
    w.binary(ByteView(bytes));
    return;
  }
  switch (v.type()) {
    case json::value_t::object:
      w.begin_object();
      for (const auto& member : v.items()) {
        w.key(member.key());
        write_json(w, member.value(), depth + 1);
      }
      w.end_object();
      break;
    case json::value_t::array:
      w.begin_array();
      for (const json& x : v) write_json(w, x, depth + 1);
      w.end_array();
      break;
    case json::value_t::string: w.string(v.get_ref<const std::string&>()); break;
    case json::value_t::number_integer: w.number(v.get<std::int64_t>()); break;
    case json::value_t::number_unsigned: w.number(v.get<std::uint64_t>()); break;
    case json::value_t::number_float: w.number(v.get<double>()); break;
    case json::value_t::boolean: w.boolean(v.get<bool>()); break;
    case json::value_t::null: w.null(); break;
    default: throw BadRequest{"sio item data holds a value JSON cannot carry"};
  }
}

std::optional<Errc> encode_sio(const json& items, const Limits& limits, const json&, std::vector<Element>& output) {
  sio::PacketEncoder encoder(limits);
  JsonWriter writer;
  sio::EncodedPacket packet;
  for (const json& item : items) {
    if (!item.is_object() || !item.contains("type") || !item["type"].is_number_unsigned() ||
        item["type"].get<std::uint64_t>() > 255)
      throw BadRequest{"a sio item is an object with an integer \"type\""};
    const auto type = static_cast<sio::PacketType>(item["type"].get<std::uint64_t>());
    const json nsp = item.value("nsp", json("/"));
    if (!nsp.is_string()) throw BadRequest{"sio item nsp must be a string"};
    std::optional<std::uint64_t> id;
    if (item.contains("id")) {
      if (!item["id"].is_number_unsigned()) throw BadRequest{"sio item id must be a non-negative integer"};
      id = item["id"].get<std::uint64_t>();
    }
    writer.clear();
    if (item.contains("data")) write_json(writer, item["data"], 0);
    const Errc e = encoder.encode(type, nsp.get_ref<const std::string&>(), id, writer, packet);
    if (e != Errc::none) return e;
    output.push_back({true, packet.text});
    for (const auto& a : packet.attachments) output.push_back({false, std::string(a.begin(), a.end())});
  }
  return std::nullopt;
}

}  // namespace

const Layer kSioLayer = {"sio", "Socket.IO v5 packets; binary attachments as separate messages", false, &make_decoder,
                         &encode_sio};

}  // namespace sioconf::cli
