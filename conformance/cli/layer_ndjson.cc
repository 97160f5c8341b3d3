// The `ndjson` layer of the CLI: newline-delimited JSON <-> adapter-protocol items.
//
// decode  the elements are successive chunks of one byte stream, run through an
//         ndjson::LineDecoder; each line becomes {"value": <the parsed JSON value>}. The end of the
//         input is the end of the stream (finish(): a last line without '\n' is `truncated`).
// encode  each item {"value": v} becomes one {"text": "<v, compact>\n"} element. An item may
//         instead be {"raw": "<json text>"}: that text is written as is, so vectors can check
//         what encode_line refuses (a raw newline, text that is not JSON, a line over the limit).
#include <nlohmann/json.hpp>

#include <memory>
#include <string>

#include "layers.h"
#include "sioconf/ndjson/line_decoder.h"

namespace sioconf::cli {
namespace {

using json = nlohmann::json;

class Items : public ndjson::LineSink {
 public:
  explicit Items(ItemSink& out) : out_(out) {}
  void on_line(std::string_view text) noexcept override {
    // The decoder has validated the line (RFC 8259, bounded depth), so this parse succeeds.
    json value = json::parse(text, nullptr, false);
    out_.on_item({{"value", std::move(value)}});
  }

 private:
  ItemSink& out_;
};

// The elements are chunks of one stream.
class Decoder final : public LayerDecoder {
 public:
  Decoder(const Limits& limits, ItemSink& out) : in_(limits), items_(out) {}

  void begin(bool) override {}
  bool feed(std::string_view piece) override {
    return !in_.error() && in_.feed(as_bytes(piece), items_).status != Status::error;
  }
  bool end() override { return !in_.error(); }
  DecodeResult finish() override {
    if (!in_.error()) (void)in_.finish(items_);
    if (const DecodeError e = in_.error()) return {e.code, e.offset};
    return {};
  }

 private:
  ndjson::LineDecoder in_;
  Items items_;
};

std::unique_ptr<LayerDecoder> make_decoder(const Limits& limits, const json&, ItemSink& out) {
  return std::make_unique<Decoder>(limits, out);
}

std::optional<Errc> encode_ndjson(const json& items, const Limits& limits, const json&, std::vector<Element>& output) {
  for (const json& item : items) {
    std::string text;
    if (item.is_object() && item.size() == 1 && item.contains("value")) {
      text = item["value"].dump();
    } else if (item.is_object() && item.size() == 1 && item.contains("raw") && item["raw"].is_string()) {
      text = item["raw"].get<std::string>();
    } else {
      throw BadRequest{"an ndjson item is {\"value\": <json>} or {\"raw\": \"<json text>\"}"};
    }
    std::string line;
    if (const Errc e = ndjson::encode_line(text, line, limits); e != Errc::none) return e;
    output.push_back({true, std::move(line)});
  }
  return std::nullopt;
}

}  // namespace

const Layer kNdjsonLayer = {"ndjson", "newline-delimited JSON over a byte stream, one value per line", true,
                            &make_decoder, encode_ndjson};

}  // namespace sioconf::cli
