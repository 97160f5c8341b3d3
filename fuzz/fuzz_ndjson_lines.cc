// Oracle: an NDJSON byte stream decodes to the same lines and the same error (name and offset)
// whatever its chunking (the input's first byte chooses one: whole, byte by byte, or pieces); the
// spill never holds more than Limits::ndjson_max_line_bytes; and every line delivered, written
// back with encode_line and decoded again, is the same line.
#include <string>

#include "fuzz_support.h"
#include "sioconf/ndjson/line_decoder.h"

namespace {

using namespace sioconf;

struct Lines : ndjson::LineSink {
  std::vector<std::string> lines;
  void on_line(std::string_view text) noexcept override { lines.emplace_back(text); }
};

fuzz::Transcript run(const Limits& limits, const std::vector<ByteView>& pieces) {
  ndjson::LineDecoder dec(limits);
  Lines sink;
  fuzz::Transcript t;
  for (ByteView piece : pieces) {
    if (dec.feed(piece, sink).status == Status::error) break;
    FUZZ_CHECK(dec.spill_capacity() <= limits.ndjson_max_line_bytes);
  }
  if (!dec.error()) (void)dec.finish(sink);
  t.events = std::move(sink.lines);
  t.outcome = dec.error() ? fuzz::outcome("error", dec.error().code, dec.error().offset) : "ok";
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Input in(data, size);
  const std::uint8_t how = in.byte();
  Limits limits;
  limits.ndjson_max_line_bytes = 64 + in.byte() * 16;  // small limits reach the limit paths
  limits.max_depth = in.byte() % 40;
  const ByteView stream = in.rest();
  const fuzz::Transcript whole = run(limits, {stream});
  FUZZ_CHECK(run(limits, fuzz::chunks(stream, how)) == whole);
  if (stream.size() <= 256)  // byte by byte for short inputs; the chunking byte can choose it for any
    FUZZ_CHECK(run(limits, fuzz::chunks(stream, 1)) == whole);
  // Round trip: the lines, written again, read back the same.
  std::string again;
  std::vector<std::string> written;
  for (const std::string& line : whole.events) {
    // A raw '\r' between JSON tokens is valid JSON the decoder takes, but no writer may put it
    // in a line (NDJSON 1.0 3.1): the only refusal allowed here.
    const Errc e = ndjson::encode_line(line, again, limits);
    FUZZ_CHECK(e == Errc::none || e == Errc::ndjson_raw_newline);
    if (e == Errc::none) written.push_back(line);
  }
  const fuzz::Transcript back = run(limits, {as_bytes(again)});
  FUZZ_CHECK(back.events == written);
  FUZZ_CHECK(back.outcome == "ok");
  return 0;
}
