// The `ndjson` layer of the CLI: newline-delimited JSON <-> adapter-protocol items.
//
// decode  the elements are successive chunks of one byte stream, run through an
//         ndjson::LineDecoder; each line becomes {"value": <the parsed JSON value>}. The end of the
//         input is the end of the stream (finish(): a last line without '\n' is `truncated`).
// encode  each item {"value": v} becomes one {"text": "<v, compact>\n"} element. An item may
//         instead be {"raw": "<json text>"}: that text is written as is, so vectors can check
//         what encode_line refuses (a raw newline, text that is not JSON, a line over the limit).
#include <nlohmann/json.hpp>

#include <string>

#include "layers.h"
#include "sioconf/ndjson/line_decoder.h"

namespace sioconf::cli {
namespace {

using json = nlohmann::json;

class ItemSink : public ndjson::LineSink {
 public:
  explicit ItemSink(json& items) : items_(items) {}
  void on_line(std::string_view text) noexcept override {
    // The decoder has validated the line (RFC 8259, bounded depth), so this parse succeeds.
    json value = json::parse(text, nullptr, false);
    items_.push_back({{"value", std::move(value)}});
  }

 private:
  json& items_;
};

DecodeResult decode_ndjson(const std::vector<Element>& input, const Limits& limits, const json&,
                           json& items) {
  ndjson::LineDecoder in(limits);
  ItemSink sink(items);
  for (const Element& chunk : input) {
    if (in.feed(as_bytes(chunk.bytes), sink).status == Status::error) break;
  }
  if (!in.error()) (void)in.finish(sink);
  if (const DecodeError e = in.error()) return {e.code, e.offset};
  return {};
}

std::optional<Errc> encode_ndjson(const json& items, const Limits& limits, const json&,
                                  std::vector<Element>& output) {
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

const Layer kNdjsonLayer = {"ndjson", "newline-delimited JSON over a byte stream, one value per line",
                            true, decode_ndjson, encode_ndjson};

}  // namespace sioconf::cli
