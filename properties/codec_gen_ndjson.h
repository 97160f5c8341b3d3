// properties/codec_gen_ndjson.h — NDJSON lines for the codec properties: JSON values laid out in any
// style, ended by LF or CRLF, written with the project's encoder and recorded as the decoder gives them.
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "codec_gen.h"
#include "codec_gen_json.h"
#include "sioconf/ndjson/line_decoder.h"

namespace sioconf::prop::codec {

// ---- NDJSON ----------------------------------------------------------------------------------

/// One NDJSON line: a JSON value laid out as `style` says, ended by "\n" or (`crlf`) "\r\n".
struct NdjsonLine {
  Json value;
  JsonStyle style;
  bool crlf = false;
};

inline void showValue(const NdjsonLine& l, std::ostream& os) {
  show_bytes(as_bytes(json_text(l.value, l.style)), os);
  if (l.crlf) os << " CRLF";
}

inline rc::Gen<NdjsonLine> ndjson_line(int depth = 3) {
  return memo(
      [=] {
        return rc::gen::build<NdjsonLine>(rc::gen::set(&NdjsonLine::value, json_value(depth, false)),
                                          rc::gen::set(&NdjsonLine::style, json_style()),
                                          rc::gen::set(&NdjsonLine::crlf, chance(1, 5)));
      },
      depth);
}

/// At least one line (null if the draw had none).
inline rc::Gen<std::vector<NdjsonLine>> ndjson_lines(std::size_t max) {
  return memo([=] { return nonempty_vector_of(max, ndjson_line(), NdjsonLine{}); }, max);
}

/// Appends `line` to an NDJSON stream with the project's encoder (a CR before the LF when `crlf`:
/// NDJSON 1.0 3.2, CRLF ends a line too) and returns the line's JSON text.
inline std::string append_ndjson_line(const NdjsonLine& line, std::string& stream) {
  std::string text = json_text(line.value, line.style);
  RC_ASSERT(ndjson::encode_line(text, stream) == Errc::none);
  if (line.crlf) stream.insert(stream.size() - 1, 1, '\r');
  return text;
}

/// Keeps every line a decoder delivers.
struct LineRecorder : ndjson::LineSink {
  std::vector<std::string> lines;
  void on_line(std::string_view json_text) noexcept override { lines.emplace_back(json_text); }
};

}  // namespace sioconf::prop::codec
