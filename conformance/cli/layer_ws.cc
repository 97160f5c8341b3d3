// The `ws` layer of the CLI: RFC 6455 frames <-> adapter-protocol items.
//
// decode  the elements are successive chunks of one byte stream, run through a MessageAssembler
//         whose role is options.role ("server", the default, receives masked client frames).
//         Items: {"opcode":"text","data":"..."}, {"opcode":"binary","data":{"$binary":...}},
//         {"opcode":"ping"|"pong"[,"data":{"$binary":...}]} (data absent when empty),
//         {"opcode":"close"[,"code":N,"reason":"..."]} (both absent for an empty close).
// encode  one frame per item, one {"base64":...} element per frame. options.role is the SENDING
//         endpoint's: "client" masks with options.mask (8 hex digits) or 37fa213d, the RFC 6455
//         5.7 key, so that outputs are reproducible. Beyond the decode shapes, an encode item may
//         carry "fin": false and use "opcode":"continuation" (to write fragments; its data is a
//         string or {"$binary":...}), and a text item's data may be {"$binary":...} (to write text
//         that is not UTF-8, which is refused).
#include <nlohmann/json.hpp>

#include <cctype>
#include <memory>
#include <optional>
#include <string>

#include "layers.h"
#include "sioconf/ws/frame_encoder.h"
#include "sioconf/ws/message_assembler.h"

namespace sioconf::cli {
namespace {

using json = nlohmann::json;

ws::Role role_of(const json& options) {
  if (!options.is_object() || !options.contains("role")) return ws::Role::server;
  const json& role = options["role"];
  if (role == "server") return ws::Role::server;
  if (role == "client") return ws::Role::client;
  throw BadRequest{"options.role must be \"server\" or \"client\""};
}

ws::MaskKey mask_of(const json& options) {
  ws::MaskKey key = {0x37, 0xfa, 0x21, 0x3d};  // RFC 6455 5.7
  if (!options.is_object() || !options.contains("mask")) return key;
  const json& mask = options["mask"];
  if (!mask.is_string() || mask.get_ref<const std::string&>().size() != 8)
    throw BadRequest{"options.mask must be 8 hex digits"};
  const std::string& h = mask.get_ref<const std::string&>();
  for (std::size_t i = 0; i < 4; ++i) {
    int byte = 0;
    for (char c : h.substr(2 * i, 2)) {
      if (!std::isxdigit(static_cast<unsigned char>(c))) throw BadRequest{"options.mask must be 8 hex digits"};
      byte = byte * 16 + (std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : std::tolower(c) - 'a' + 10);
    }
    key[i] = static_cast<std::uint8_t>(byte);
  }
  return key;
}

class Items : public ws::MessageSink {
 public:
  explicit Items(ItemSink& out) : out_(out) {}
  void on_message(ws::Opcode op, ByteView m) noexcept override {
    json item = {{"opcode", ws::name(op)}};
    if (op == ws::Opcode::text) {
      item["data"] = std::string(as_text(m));  // the assembler delivers valid UTF-8 only
    } else {
      item["data"] = binary_json(m.data(), m.size());
    }
    out_.on_item(std::move(item));
  }
  void on_control(ws::Opcode op, ByteView p) noexcept override {
    json item = {{"opcode", ws::name(op)}};
    if (!p.empty()) item["data"] = binary_json(p.data(), p.size());
    out_.on_item(std::move(item));
  }
  void on_close(std::optional<std::uint16_t> code, std::string_view reason) noexcept override {
    json item = {{"opcode", "close"}};
    if (code) {
      item["code"] = *code;
      item["reason"] = std::string(reason);
    }
    out_.on_item(std::move(item));
  }

 private:
  ItemSink& out_;
};

// The elements are chunks of one stream.
class Decoder final : public LayerDecoder {
 public:
  Decoder(ws::Role role, const Limits& limits, ItemSink& out) : in_(role, limits), items_(out) {}

  void begin(bool) override {}
  bool feed(std::string_view piece) override {
    return !in_.error() && in_.feed(as_bytes(piece), items_).status != Status::error;
  }
  bool end() override { return !in_.error(); }
  DecodeResult finish() override {
    if (!in_.error()) (void)in_.finish();
    if (const DecodeError e = in_.error()) return {e.code, e.offset};
    return {};
  }

 private:
  ws::MessageAssembler in_;
  Items items_;
};

std::unique_ptr<LayerDecoder> make_decoder(const Limits& limits, const json& options, ItemSink& out) {
  return std::make_unique<Decoder>(role_of(options), limits, out);
}

std::vector<std::uint8_t> payload_of(const json& item, bool text_allowed) {
  if (!item.contains("data")) return {};
  const json& data = item["data"];
  if (text_allowed && data.is_string()) {
    const std::string& s = data.get_ref<const std::string&>();
    return {s.begin(), s.end()};
  }
  return binary_from_json(data);
}

std::optional<ws::Opcode> opcode_of(const std::string& name) {
  for (ws::Opcode op : {ws::Opcode::continuation, ws::Opcode::text, ws::Opcode::binary, ws::Opcode::close,
                        ws::Opcode::ping, ws::Opcode::pong})
    if (ws::name(op) == name) return op;
  return std::nullopt;
}

std::optional<Errc> encode_ws(const json& items, const Limits&, const json& options, std::vector<Element>& output) {
  const ws::Role role = role_of(options);
  const ws::MaskKey key = mask_of(options);
  for (const json& item : items) {
    if (!item.is_object() || !item.contains("opcode") || !item["opcode"].is_string())
      throw BadRequest{"a ws item is an object with a string \"opcode\""};
    const std::optional<ws::Opcode> op = opcode_of(item["opcode"].get<std::string>());
    if (!op) throw BadRequest{"unknown ws opcode " + item["opcode"].get<std::string>()};
    const json fin_value = item.value("fin", json(true));
    if (!fin_value.is_boolean()) throw BadRequest{"fin must be a boolean"};
    std::vector<std::uint8_t> frame;
    Errc e = Errc::none;
    if (*op == ws::Opcode::close) {
      std::optional<std::uint16_t> code;
      if (item.contains("code")) {
        const json& c = item["code"];
        if (!c.is_number_unsigned() || c.get<std::uint64_t>() > 0xFFFF)
          throw BadRequest{"close code must be an integer 0-65535"};
        code = static_cast<std::uint16_t>(c.get<std::uint64_t>());
      }
      const json reason = item.value("reason", json(""));
      if (!reason.is_string()) throw BadRequest{"close reason must be a string"};
      if (!fin_value.get<bool>()) {
        e = ws::encode_frame(frame, role, *op, {}, false, key);  // refused: control frames are whole
      } else {
        e = ws::encode_close(frame, role, code, reason.get<std::string>(), key);
      }
    } else {
      const std::vector<std::uint8_t> payload =
          payload_of(item, *op == ws::Opcode::text || *op == ws::Opcode::continuation);
      e = ws::encode_frame(frame, role, *op, ByteView(payload), fin_value.get<bool>(), key);
    }
    if (e != Errc::none) return e;
    output.push_back({false, std::string(frame.begin(), frame.end())});
  }
  return std::nullopt;
}

}  // namespace

const Layer kWsLayer = {"ws", "RFC 6455 frames and messages (options.role: server|client)", true, &make_decoder,
                        &encode_ws};

}  // namespace sioconf::cli
