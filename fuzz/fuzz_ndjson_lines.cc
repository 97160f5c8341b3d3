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
  fuzz::Transcript t;
  std::vector<std::string>* keep = nullptr;  // the lines themselves, for the round trip
  void on_line(std::string_view text) noexcept override {
    t.event(1);
    t.add(as_bytes(text));
    if (keep) keep->emplace_back(text);
  }
};

// One decoder per input, reset between runs: its JSON scanner's buffers are made once.
fuzz::Transcript run(ndjson::LineDecoder& dec, const Limits& limits, ByteView stream, std::uint8_t how,
                     std::vector<std::string>* keep = nullptr) {
  dec.reset();
  Lines sink;
  sink.keep = keep;
  fuzz::each_chunk(stream, how, [&](ByteView piece) {
    const bool go_on = dec.feed(piece, sink).status != Status::error;
    FUZZ_CHECK(dec.spill_capacity() <= limits.ndjson_max_line_bytes);
    return go_on;
  });
  if (!dec.error()) (void)dec.finish(sink);
  fuzz::Transcript t = std::move(sink.t);
  t.error = dec.error();
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
  ndjson::LineDecoder dec(limits);
  std::vector<std::string> lines;
  const fuzz::Transcript whole = run(dec, limits, stream, 0, &lines);
  FUZZ_CHECK(run(dec, limits, stream, how) == whole);  // how = 1: byte by byte
  // Round trip: the lines, written again, read back the same.
  std::string again;
  std::vector<std::string> written;
  for (const std::string& line : lines) {
    // A raw '\r' between JSON tokens is valid JSON the decoder takes, but no writer may put it
    // in a line (NDJSON 1.0 3.1): the only refusal allowed here.
    const Errc e = ndjson::encode_line(line, again, limits);
    FUZZ_CHECK(e == Errc::none || e == Errc::ndjson_raw_newline);
    if (e == Errc::none) written.push_back(line);
  }
  std::vector<std::string> back_lines;
  const fuzz::Transcript back = run(dec, limits, as_bytes(again), 0, &back_lines);
  FUZZ_CHECK(back_lines == written);
  FUZZ_CHECK(!back.error);
  return 0;
}
