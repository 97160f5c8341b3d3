// The CLI's view of each layer: turn adapter-protocol elements into decoder input, and decoder
// output into adapter-protocol items (conformance/PROTOCOL.md).
//
// One file per layer implements its pair (layer_<name>.cc). They are shared by `sioconf decode`,
// `sioconf encode`, `sioconf adapter` and `sioconf vectors`, so all four say the same thing.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sioconf/errc.h"
#include "sioconf/limits.h"

namespace sioconf::cli {

/// One adapter-protocol element: {"text": ...} (is_text) or {"base64": ...} (bytes, decoded).
struct Element {
  bool is_text = true;
  std::string bytes;
};

/// What a decode produced: items in adapter-protocol form, and the error that stopped it.
struct DecodeResult {
  std::optional<Errc> error;
  std::uint64_t offset = 0;  // the decoder's error offset
};

/// Decodes `input` (message layers: one element per message; byte-stream layers: successive
/// chunks of one stream; eio-payload: one element per polling body) with `limits` and the
/// request's `options` object (may be null). Appends each decoded item to `items` (a JSON array),
/// stopping at the first error. `finish()` is called at the end of input.
using DecodeFn = DecodeResult (*)(const std::vector<Element>& input, const Limits& limits,
                                  const nlohmann::json& options, nlohmann::json& items);

/// Encodes `items` (adapter-protocol items) into output elements. Returns the error of the first
/// item the encoder refused (nothing is appended for it).
using EncodeFn = std::optional<Errc> (*)(const nlohmann::json& items, const Limits& limits,
                                          const nlohmann::json& options, std::vector<Element>& output);

struct Layer {
  const char* name;      // "sio", "eio", "eio-payload", "ws", "ndjson"
  const char* summary;   // one line for --help
  bool byte_stream;      // input elements are chunks of one stream (ws, ndjson)
  DecodeFn decode;
  EncodeFn encode;
};

// Defined in layer_<name>.cc.
extern const Layer kWsLayer;
extern const Layer kEioLayer;
extern const Layer kEioPayloadLayer;
extern const Layer kSioLayer;
extern const Layer kNdjsonLayer;

/// All layers, in the order `hello` lists them; nullptr if `name` is unknown.
const std::vector<const Layer*>& all_layers();
const Layer* find_layer(const std::string& name);

/// Raised by the item<->JSON helpers when an item given to `encode` is malformed (not a protocol
/// error of the layer: a bad request). The adapter answers it with {"ok":false,"error":"bad_request"}.
struct BadRequest {
  std::string what;
};

/// {"$binary": base64} for bytes, and back (throws BadRequest on malformed input).
nlohmann::json binary_json(const std::uint8_t* data, std::size_t size);
std::vector<std::uint8_t> binary_from_json(const nlohmann::json& value);
bool is_binary_json(const nlohmann::json& value);

}  // namespace sioconf::cli
