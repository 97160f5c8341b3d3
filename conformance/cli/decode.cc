// Decoding with a layer: whole elements (the adapter, the runner) and stdin as a stream
// (`sioconf decode`), both through the layer's LayerDecoder (layers.h).
#include <algorithm>
#include <cctype>
#include <optional>
#include <ostream>
#include <stdexcept>

#include "cli.h"
#include "sioconf/base64.h"
#include "sioconf/utf8.h"

namespace sioconf::cli {

// ---- MessageBuffer ---------------------------------------------------------------------------------

void MessageBuffer::begin(bool is_text) {
  is_text_ = is_text;
  handed_ = false;
  buffer_.clear();
}

bool MessageBuffer::hand_over(std::string_view bytes) {
  if (!message(is_text_, bytes)) stopped_ = true;
  return !stopped_;
}

bool MessageBuffer::feed(std::string_view piece) {
  if (stopped_) return false;
  if (handed_) return true;  // the rest of a message the decoder had cut (it refuses those)
  const std::uint64_t max = max_bytes(is_text_);
  const std::uint64_t room = max - std::min<std::uint64_t>(max, buffer_.size());
  if (piece.size() <= room) {
    buffer_.append(piece);
    return true;
  }
  // One byte over the bound is enough for the decoder to refuse the message for its size.
  buffer_.append(piece.substr(0, static_cast<std::size_t>(room) + 1));
  handed_ = true;
  return hand_over(buffer_);
}

bool MessageBuffer::end() {
  if (stopped_) return false;
  if (handed_) return true;
  return hand_over(buffer_);
}

bool MessageBuffer::element(const Element& e) {
  if (stopped_) return false;
  is_text_ = e.is_text;
  const std::uint64_t max = max_bytes(e.is_text);
  std::string_view bytes = e.bytes;
  if (bytes.size() > max) bytes = bytes.substr(0, static_cast<std::size_t>(max) + 1);
  return hand_over(bytes);
}

// ---- whole elements ------------------------------------------------------------------------------

namespace {

class Collect final : public ItemSink {
 public:
  explicit Collect(json& items) : items_(&items) {}
  void on_item(json&& item) override { items_->push_back(std::move(item)); }
  void into(json& items) { items_ = &items; }

 private:
  json* items_;
};

DecodeResult feed_all(LayerDecoder& decoder, const std::vector<Element>& input) {
  for (const Element& e : input)
    if (!decoder.element(e)) break;
  return decoder.finish();
}

}  // namespace

DecodeResult decode_elements(const Layer& layer, const std::vector<Element>& input, const Limits& limits,
                             const json& options, json& items) {
  Collect sink(items);
  return feed_all(*layer.make_decoder(limits, options, sink), input);
}

FollowedDecode decode_followed(const Layer& layer, const std::vector<Element>& input, const std::vector<Element>& next,
                               const Limits& limits, const json& options, json& items, json& next_items) {
  Collect sink(items);
  std::unique_ptr<LayerDecoder> decoder = layer.make_decoder(limits, options, sink);
  FollowedDecode result;
  result.input = feed_all(*decoder, input);
  sink.into(next_items);
  if (result.input.error && *result.input.error != Errc::truncated) decoder = layer.make_decoder(limits, options, sink);
  result.next = feed_all(*decoder, next);
  return result;
}

// ---- stdin as a stream -----------------------------------------------------------------------------

namespace {

// Read size: items go out after each read, so the output follows the input closely.
constexpr std::size_t kChunk = 64 * 1024;
// Of a jsonl line that is not an element, this much is kept to say what is wrong with it.
constexpr std::size_t kKeptLine = 64 * 1024;

class Print final : public ItemSink {
 public:
  explicit Print(std::ostream& out) : out_(out) {}
  void on_item(json&& item) override {
    // Invalid UTF-8 in an item is replaced, never thrown: the line must go out.
    out_ << item.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
  }

 private:
  std::ostream& out_;
};

// A jsonl line that is not JSON: a usage error (exit 2), as before decode streamed.
struct NotJson {
  std::string what;
};

bool json_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// One jsonl line, {"text"|"base64"|"hex": "<string>"}, read as it arrives: the string is unescaped,
// decoded and fed to the decoder piece by piece, so a line of any length costs a bounded buffer.
// It takes what nlohmann::json::parse followed by element_from_json takes (json_io.cc) but a key
// given twice; a line it cannot read is judged by those two (its first kKeptLine bytes), so the
// answers are theirs: NotJson, or the BadRequest of element_from_json.
class JsonlLine {
 public:
  explicit JsonlLine(LayerDecoder& decoder) : decoder_(decoder) {}

  /// The next bytes of the line (no '\n'). False once the decode has stopped on an error.
  bool feed(std::string_view bytes) {
    if (kept_.size() < kKeptLine) kept_.append(bytes.substr(0, kKeptLine - kept_.size()));
    length_ += bytes.size();
    for (std::size_t i = 0; i < bytes.size() && state_ != State::failed; ++i) step(bytes[i]);
    return state_ == State::failed || flush();  // a failed line is judged at its end
  }

  /// The line's end: the element ends. Throws NotJson or BadRequest.
  bool end() {
    if (length_ == 0) return true;  // empty lines are skipped
    if (state_ != State::tail) reject();
    finish_value();
    return flush() && decoder_.end();
  }

 private:
  enum class State { open, key_start, key, colon, value_start, value, close, tail, failed };
  enum class Kind { text, base64, hex };

  void step(char c) {
    switch (state_) {
      case State::open: return expect(c, '{', State::key_start);
      case State::key_start: return expect(c, '"', State::key);
      case State::key:
        if (c == '"' && !trailing_backslashes_odd()) return start_value_key();
        key_ += c;
        if (key_.size() > 32) state_ = State::failed;
        return;
      case State::colon: return expect(c, ':', State::value_start);
      case State::value_start:
        if (json_space(c)) return;
        if (c != '"') return fail();
        decoder_.begin(kind_ == Kind::text);
        state_ = State::value;
        return;
      case State::value: return value_byte(c);
      case State::close: return expect(c, '}', State::tail);
      case State::tail:
        if (!json_space(c)) fail();
        return;
      case State::failed: return;
    }
  }

  void expect(char c, char wanted, State next) {
    if (json_space(c)) return;
    state_ = c == wanted ? next : State::failed;
  }
  void fail() { state_ = State::failed; }

  bool trailing_backslashes_odd() const {
    std::size_t n = 0;
    while (n < key_.size() && key_[key_.size() - 1 - n] == '\\') ++n;
    return n % 2 == 1;
  }

  void start_value_key() {
    const json key = json::parse("\"" + key_ + "\"", nullptr, false);
    if (key == "text") {
      kind_ = Kind::text;
    } else if (key == "base64") {
      kind_ = Kind::base64;
    } else if (key == "hex") {
      kind_ = Kind::hex;
    } else {
      return fail();
    }
    state_ = State::colon;
  }

  // The string's bytes, unescaped, as JSON has them (RFC 8259 7: no control byte, valid UTF-8,
  // surrogates only in pairs).
  void value_byte(char c) {
    const auto u = static_cast<unsigned char>(c);
    if (escape_ > 0) return escape_byte(c);
    if (utf8_.feed(ByteView(&u, 1)) != 1) return fail();
    if (low_expected_ && c != '\\') return fail();
    if (c == '"') {
      if (!utf8_.complete()) return fail();
      state_ = State::close;
      return;
    }
    if (u < 0x20) return fail();
    if (c == '\\') {
      escape_ = 1;
      return;
    }
    out(c);
  }

  void escape_byte(char c) {
    if (escape_ == 1) {
      if (low_expected_ && c != 'u') return fail();
      static constexpr std::string_view kFrom = "\"\\/bfnrt", kTo = "\"\\/\b\f\n\r\t";
      if (c == 'u') {
        escape_ = 2;
        unit_ = 0;
        return;
      }
      const std::size_t at = kFrom.find(c);
      if (at == std::string_view::npos) return fail();
      escape_ = 0;
      return out(kTo[at]);
    }
    const int v = hex_digit(c);
    if (v < 0) return fail();
    unit_ = unit_ * 16 + static_cast<std::uint32_t>(v);
    if (++escape_ < 6) return;
    escape_ = 0;
    std::uint32_t cp = unit_;
    if (low_expected_) {
      if (unit_ < 0xDC00 || unit_ > 0xDFFF) return fail();
      cp = 0x10000 + ((high_ - 0xD800) << 10) + (unit_ - 0xDC00);
      low_expected_ = false;
    } else if (unit_ >= 0xD800 && unit_ <= 0xDBFF) {
      high_ = unit_;
      low_expected_ = true;
      return;
    } else if (unit_ >= 0xDC00 && unit_ <= 0xDFFF) {
      return fail();
    }
    if (cp < 0x80) return out(static_cast<char>(cp));
    if (cp < 0x800) {
      out(static_cast<char>(0xC0 | (cp >> 6)));
    } else {
      if (cp < 0x10000) {
        out(static_cast<char>(0xE0 | (cp >> 12)));
      } else {
        out(static_cast<char>(0xF0 | (cp >> 18)));
        out(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      }
      out(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    }
    out(static_cast<char>(0x80 | (cp & 0x3F)));
  }

  // One byte of the string's value, decoded as its key says.
  void out(char c) {
    switch (kind_) {
      case Kind::text: bytes_ += c; return;
      case Kind::hex: {
        if (std::isspace(static_cast<unsigned char>(c))) return;
        const int v = hex_digit(c);
        if (v < 0) throw BadRequest{"hex: bad digit"};
        if (high_nibble_ < 0) {
          high_nibble_ = v;
        } else {
          bytes_ += static_cast<char>(high_nibble_ * 16 + v);
          high_nibble_ = -1;
        }
        return;
      }
      case Kind::base64: base64_ += c; return;
    }
  }

  // Hands what is decoded so far to the decoder. Base64 goes in whole groups of four, the last
  // group kept back: padding is allowed only there.
  bool flush() {
    if (kind_ == Kind::base64 && base64_.size() > 4) {
      const std::size_t whole = (base64_.size() - 1) / 4 * 4;
      decode_base64(std::string_view(base64_).substr(0, whole), true);
      base64_.erase(0, whole);
    }
    if (bytes_.empty()) return true;
    const bool going = decoder_.feed(bytes_);
    bytes_.clear();
    return going;
  }

  void finish_value() {
    if (kind_ == Kind::hex && high_nibble_ >= 0) throw BadRequest{"hex: odd number of digits"};
    if (kind_ == Kind::base64) decode_base64(base64_, false);
  }

  void decode_base64(std::string_view text, bool more_follows) {
    std::vector<std::uint8_t> bytes;
    if ((more_follows && text.find('=') != std::string_view::npos) || !base64_decode(text, bytes))
      throw BadRequest{"base64 element is not strict base64"};
    bytes_.append(bytes.begin(), bytes.end());
  }

  // What parse + element_from_json say of the line, as `sioconf decode` said before it streamed.
  [[noreturn]] void reject() const {
    if (length_ > kKeptLine) throw BadRequest{"element must be {\"text\"|\"base64\"|\"hex\": <string>}"};
    const json e = json::parse(kept_, nullptr, false);
    if (e.is_discarded()) throw NotJson{"--input jsonl: a line is not JSON"};
    (void)element_from_json(e);  // throws its BadRequest
    throw BadRequest{"element must be {\"text\"|\"base64\"|\"hex\": <string>}, each key once"};
  }

  LayerDecoder& decoder_;
  State state_ = State::open;
  Kind kind_ = Kind::text;
  std::string key_;
  int escape_ = 0;  // 0: none, 1: after '\\', 2-5: hex digits of \uXXXX read + 2
  std::uint32_t unit_ = 0, high_ = 0;
  bool low_expected_ = false;  // after a high surrogate: its low half must follow
  Utf8Validator utf8_;
  int high_nibble_ = -1;
  std::string bytes_;   // decoded, not yet fed (at most one read's worth)
  std::string base64_;  // base64 text not yet decoded (at most one read's worth + 4)
  std::string kept_;
  std::uint64_t length_ = 0;
};

json error_line(const DecodeResult& r) {
  json line = {{"error", name(*r.error)}, {"condition", name(condition(*r.error))}, {"offset", r.offset}};
  if (const std::uint16_t code = ws_close_code(*r.error)) line["close_code"] = code;
  return line;
}

// Feeds stdin to `decoder` as `mode` says; returns how the decode ended.
DecodeResult feed_input(LayerDecoder& decoder, InputMode mode, bool text, const ReadFn& read, std::ostream& out) {
  std::string chunk(kChunk, '\0');
  bool in_element = false;  // lines, jsonl: a line has begun
  std::optional<JsonlLine> line;
  if (mode == InputMode::raw) decoder.begin(text);
  for (;;) {
    const std::size_t n = read(chunk.data(), chunk.size());
    if (n == 0) break;
    std::string_view rest(chunk.data(), n);
    bool going = true;
    if (mode == InputMode::raw) going = decoder.feed(rest);
    while (mode != InputMode::raw && going && !rest.empty()) {
      const std::size_t nl = rest.find('\n');
      if (!in_element) {
        if (mode == InputMode::lines) decoder.begin(true);
        if (mode == InputMode::jsonl) line.emplace(decoder);
        in_element = true;
      }
      const std::string_view piece = rest.substr(0, nl);
      going = mode == InputMode::lines ? decoder.feed(piece) : line->feed(piece);
      if (going && nl != std::string_view::npos) {
        going = mode == InputMode::lines ? decoder.end() : line->end();
        in_element = false;
      }
      rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    }
    out.flush();
    if (!going) return decoder.finish();
  }
  if (mode == InputMode::raw) (void)decoder.end();
  if (in_element) (void)(mode == InputMode::lines ? decoder.end() : line->end());
  return decoder.finish();
}

}  // namespace

int decode_stream(const Layer& layer, InputMode mode, const Limits& limits, const json& options, const ReadFn& read,
                  std::ostream& out, std::ostream& err) {
  Print sink(out);
  try {
    const std::unique_ptr<LayerDecoder> decoder = layer.make_decoder(limits, options, sink);
    const bool message_layer = !layer.byte_stream && std::string_view(layer.name) != "eio-payload";
    const DecodeResult result = feed_input(*decoder, mode, message_layer, read, out);
    if (!result.error) return 0;
    out << error_line(result).dump() << '\n' << std::flush;
    return 1;
  } catch (const NotJson& bad) {
    out.flush();
    err << "sioconf: " << bad.what << '\n';
    return 2;
  } catch (const std::runtime_error& e) {
    out.flush();
    err << "sioconf: " << e.what() << '\n';
    return 1;
  } catch (const BadRequest& bad) {
    out << json{{"error", "bad_request"}, {"condition", "protocol"}, {"message", bad.what}}.dump() << '\n'
        << std::flush;
    return 1;
  }
}

}  // namespace sioconf::cli
