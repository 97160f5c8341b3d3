// The CLI's view of each layer: turn adapter-protocol elements into decoder input, and decoder
// output into adapter-protocol items (conformance/PROTOCOL.md).
//
// One file per layer implements its pair (layer_<name>.cc). They are shared by `sioconf decode`,
// `sioconf encode`, `sioconf adapter` and `sioconf vectors`, so all four say the same thing.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sioconf/errc.h"
#include "sioconf/limits.h"

namespace sioconf::cli {

/// One adapter-protocol element: {"text": ...} (is_text) or {"base64": ...} (bytes, decoded).
struct Element {
  bool is_text = true;
  std::string bytes;
};

/// How a decode ended: the error that stopped it, if any.
struct DecodeResult {
  std::optional<Errc> error;
  std::uint64_t offset = 0;  // the decoder's error offset
};

/// Receives each item, in adapter-protocol form, as soon as the decoder has it.
class ItemSink {
 public:
  virtual void on_item(nlohmann::json&& item) = 0;

 protected:
  ~ItemSink() = default;
};

/// One decode with one layer, fed an element at a time and each element a piece at a time
/// (begin, feed..., end), so that the adapter (whole elements in a request) and `sioconf decode`
/// (stdin in bounded chunks) run the same code. An element is one message (sio, eio), one polling
/// body (eio-payload) or the next chunk of one byte stream (ws, ndjson). Items go to the sink
/// during the call that completes them. feed() and end() return false once an error has stopped
/// the decode; later input is not looked at. Memory stays within the limits however long an
/// element is: a message layer holds one message only up to the decoder's size limit + 1 byte and
/// hands over a longer one cut there, which the decoder refuses for its size, with the same error
/// and offset as the whole message (MessageBuffer below). Throws BadRequest as the
/// item helpers do.
class LayerDecoder {
 public:
  virtual ~LayerDecoder() = default;
  virtual void begin(bool is_text) = 0;
  virtual bool feed(std::string_view piece) = 0;
  virtual bool end() = 0;
  /// The end of the input: finish() of the decoder, and how the decode ended.
  virtual DecodeResult finish() = 0;
  /// One element held whole (a message layer hands it over without copying it).
  virtual bool element(const Element& e) {
    begin(e.is_text);
    return feed(e.bytes) && end();
  }
};

/// A decoder for one decode with `limits` and the request's `options` object (may be null;
/// throws BadRequest on a bad option). `sink` must outlive it.
using MakeDecoderFn = std::unique_ptr<LayerDecoder> (*)(const Limits& limits, const nlohmann::json& options,
                                                        ItemSink& sink);

/// The LayerDecoder of a message layer (sio, eio): gathers an element into one message, but
/// never more than max_bytes() + 1 bytes of it. A longer message is handed to the decoder cut
/// there; the decoder checks a message's size before anything else, so it refuses the cut one
/// with the error and offset it gives the whole one, and the rest is never read.
class MessageBuffer : public LayerDecoder {
 public:
  void begin(bool is_text) override;
  bool feed(std::string_view piece) override;
  bool end() override;
  bool element(const Element& e) override;

 protected:
  /// The decoder's bound on one message of this kind (it refuses a longer one for its size).
  virtual std::uint64_t max_bytes(bool is_text) const = 0;
  /// Feeds one message to the decoder; false once the decode has failed.
  virtual bool message(bool is_text, std::string_view bytes) = 0;

 private:
  bool hand_over(std::string_view bytes);
  bool is_text_ = true;
  bool stopped_ = false;
  bool handed_ = false;  // this element went to the decoder already (cut at max_bytes() + 1)
  std::string buffer_;
};

/// Encodes `items` (adapter-protocol items) into output elements. Returns the error of the first
/// item the encoder refused (nothing is appended for it).
using EncodeFn = std::optional<Errc> (*)(const nlohmann::json& items, const Limits& limits,
                                         const nlohmann::json& options, std::vector<Element>& output);

struct Layer {
  const char* name;     // "sio", "eio", "eio-payload", "ws", "ndjson"
  const char* summary;  // one line for --help
  bool byte_stream;     // input elements are chunks of one stream (ws, ndjson)
  MakeDecoderFn make_decoder;
  EncodeFn encode;
};

/// Decodes `input` whole with `layer`, appending each item to `items` (a JSON array): every
/// element, then finish(), stopping at the first error.
DecodeResult decode_elements(const Layer& layer, const std::vector<Element>& input, const Limits& limits,
                             const nlohmann::json& options, nlohmann::json& items);

/// decode_elements() of `input`, then of `next` on the same decoder as the next messages of a
/// message layer (the adapter protocol's follow-up), its items in `next_items`. After an error
/// the follow-up goes to a new decoder: sioconf's decoders keep an error until reset(), which
/// makes them as new.
struct FollowedDecode {
  DecodeResult input, next;
};
FollowedDecode decode_followed(const Layer& layer, const std::vector<Element>& input, const std::vector<Element>& next,
                               const Limits& limits, const nlohmann::json& options, nlohmann::json& items,
                               nlohmann::json& next_items);

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
