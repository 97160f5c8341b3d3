// Oracle: the inputs that crashed real servers, built from the fuzzer's bytes (a generator, so that
// every input is a well-formed bomb): JSON nested past the depth limit, digit runs in ack ids,
// attachment counts past the cap, placeholder objects of every wrong type, WebSocket frames that
// declare huge lengths, floods of tiny fragments and of control frames, and payloads just over each
// limit. Each is sized relative to its limit (at it, or past it by 1..k): past the limit it must
// fail with exactly that limit's error, at the limit it must not; and the decoder's heap peak stays
// within what the limits imply (every allocation is counted here).
#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "sioconf/eio/payload_decoder.h"
#include "sioconf/ndjson/line_decoder.h"
#include "sioconf/sio/packet_decoder.h"
#include "sioconf/ws/message_assembler.h"

// ---- heap accounting: every operator new of the process ----------------------------------------
namespace {
std::size_t g_live = 0, g_peak = 0;
void* counted(std::size_t n) {
  auto* p = static_cast<std::size_t*>(std::malloc(n + 16));
  if (p == nullptr) throw std::bad_alloc();
  *p = n;
  g_live += n;
  if (g_live > g_peak) g_peak = g_live;
  return reinterpret_cast<char*>(p) + 16;
}
void uncounted(void* q) noexcept {
  if (q == nullptr) return;
  auto* p = reinterpret_cast<std::size_t*>(static_cast<char*>(q) - 16);
  g_live -= *p;
  std::free(p);
}
}  // namespace
void* operator new(std::size_t n) { return counted(n); }
void* operator new[](std::size_t n) { return counted(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return counted(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void operator delete(void* p, const std::nothrow_t&) noexcept { uncounted(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { uncounted(p); }
void operator delete(void* p) noexcept { uncounted(p); }
void operator delete[](void* p) noexcept { uncounted(p); }
void operator delete(void* p, std::size_t) noexcept { uncounted(p); }
void operator delete[](void* p, std::size_t) noexcept { uncounted(p); }

namespace {

using namespace sioconf;

struct NoPackets : sio::PacketSink {
  void on_packet(const sio::Packet&) noexcept override {}
};
struct NoMessages : ws::MessageSink {
  void on_message(ws::Opcode, ByteView) noexcept override {}
  void on_control(ws::Opcode, ByteView) noexcept override {}
  void on_close(std::optional<std::uint16_t>, std::string_view) noexcept override {}
};
struct NoLines : ndjson::LineSink {
  void on_line(std::string_view) noexcept override {}
};

// The Socket.IO decoder over one text message (and binary ones after it); the error, and the heap
// peak above what was live before.
Errc sio_decode(const Limits& limits, const std::string& text, std::size_t& peak) {
  const std::size_t before = g_live;
  g_peak = g_live;
  sio::PacketDecoder dec(limits);
  NoPackets sink;
  (void)dec.feed(Message{MessageKind::text, as_bytes(text)}, sink);
  peak = g_peak - before;
  return dec.error().code;
}

Errc ws_decode(const Limits& limits, const std::vector<std::uint8_t>& bytes, std::size_t& peak) {
  const std::size_t before = g_live;
  g_peak = g_live;
  ws::MessageAssembler dec(ws::Role::server, limits);
  NoMessages sink;
  (void)dec.feed(ByteView(bytes.data(), bytes.size()), sink);
  peak = g_peak - before;
  return dec.error().code;
}

void masked_frame(std::vector<std::uint8_t>& out, std::uint8_t first, std::uint64_t length, std::size_t payload) {
  out.push_back(first);
  if (length < 126) {
    out.push_back(static_cast<std::uint8_t>(0x80 | length));
  } else if (length < 65536) {
    out.push_back(0x80 | 126);
    out.push_back(static_cast<std::uint8_t>(length >> 8));
    out.push_back(static_cast<std::uint8_t>(length));
  } else {
    out.push_back(0x80 | 127);
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(length >> (8 * i)));
  }
  for (int i = 0; i < 4; ++i) out.push_back(0);  // mask key 0: the payload reads as written
  out.insert(out.end(), payload, 'a');
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Input in(data, size);
  const std::uint8_t kind = in.byte();
  const std::uint8_t over = in.byte() % 4;  // 0: at the limit; 1..3 past it
  const std::uint8_t param = in.byte();
  Limits limits;
  std::size_t peak = 0;
  const std::size_t slack = 64 * 1024;  // decoder state and small buffers
  switch (kind % 8) {
    case 0: {  // CVE-class: JSON nested past max_depth
      limits.max_depth = 1 + param % 64;
      const std::size_t d = limits.max_depth + over;
      const std::string text = "2[\"x\"," + std::string(d, '[') + std::string(d, ']') + "]";
      const Errc e = sio_decode(limits, text, peak);
      FUZZ_CHECK((e == Errc::limit_depth) == (over > 0));
      FUZZ_CHECK(peak <= slack + 64 * d);
      break;
    }
    case 1: {  // CVE-2020-36049: a digit run where the ack id goes
      limits.max_ack_id_digits = 1 + param % 20;
      const std::size_t n = limits.max_ack_id_digits + over;
      const std::string text = "2" + std::string(n, '1') + "[\"x\"]";
      const Errc e = sio_decode(limits, text, peak);
      if (over > 0) FUZZ_CHECK(e == Errc::limit_ack_id_digits);
      else FUZZ_CHECK(e == Errc::none || e == Errc::limit_ack_id);
      FUZZ_CHECK(peak <= slack);
      break;
    }
    case 2: {  // CVE-2026-33151: an attachment count past the cap (and absurd digit runs)
      limits.max_attachments = 1 + param % 30;
      const std::string count =
          (param & 0x80) != 0 ? std::string(12 + over, '9') : std::to_string(limits.max_attachments + over);
      std::string text = "5" + count + "-[\"x\"";
      for (std::size_t i = 0; i < limits.max_attachments + over && i < 64; ++i)
        text += ",{\"_placeholder\":true,\"num\":" + std::to_string(i) + "}";
      text += "]";
      const Errc e = sio_decode(limits, text, peak);
      FUZZ_CHECK((e == Errc::limit_attachments) == (over > 0 || (param & 0x80) != 0));
      FUZZ_CHECK(peak <= slack);
      break;
    }
    case 3: {  // CVE-2022-2421: placeholders of every wrong type
      static const char* kFlags[] = {"true", "false", "1", "\"true\"", "null", "{}", "[]"};
      static const char* kNums[] = {"0", "-1", "1.5", "\"0\"", "null", "1e0", "99", "18446744073709551616"};
      const char* flag = kFlags[param % 7];
      const char* num = kNums[(param / 7) % 8];
      const std::string text = std::string("51-[\"x\",{\"_placeholder\":") + flag + ",\"num\":" + num + "}]";
      const Errc e = sio_decode(limits, text, peak);
      const bool right = param % 7 == 0 && (param / 7) % 8 == 0;
      if (!right) FUZZ_CHECK(e != Errc::none);  // every wrong shape refused
      FUZZ_CHECK(peak <= slack);
      break;
    }
    case 4: {  // a frame declaring a huge length: refused from its header, nothing held
      limits.ws_max_frame_bytes = 1 + param * 1000;
      std::vector<std::uint8_t> bytes;
      const std::uint64_t length =
          over == 0 ? limits.ws_max_frame_bytes : limits.ws_max_frame_bytes + (std::uint64_t{1} << (over * 20));
      masked_frame(bytes, 0x82, length, 16);  // only 16 payload bytes follow
      const Errc e = ws_decode(limits, bytes, peak);
      FUZZ_CHECK((e == Errc::limit_ws_frame_bytes) == (over > 0));
      FUZZ_CHECK(peak <= slack);
      break;
    }
    case 5: {  // a flood of tiny fragments (CVE-2026-48779)
      limits.ws_max_fragments = 1 + param % 200;
      std::vector<std::uint8_t> bytes;
      const std::size_t n = limits.ws_max_fragments + over;
      for (std::size_t i = 0; i + 1 < n; ++i) masked_frame(bytes, i == 0 ? 0x01 : 0x00, 0, 0);
      masked_frame(bytes, n == 1 ? 0x81 : 0x80, 1, 1);  // the n-th frame ends the message
      const Errc e = ws_decode(limits, bytes, peak);
      FUZZ_CHECK((e == Errc::limit_ws_fragments) == (over > 0));
      FUZZ_CHECK(peak <= slack);
      break;
    }
    case 6: {  // many control frames inside a fragmented message: fine, and nothing accumulates
      std::vector<std::uint8_t> bytes;
      masked_frame(bytes, 0x01, 1, 1);
      for (std::size_t i = 0; i < 100u * (1 + param % 20); ++i) masked_frame(bytes, 0x89, 125, 125);
      masked_frame(bytes, 0x80, 1, 1);
      const Errc e = ws_decode(limits, bytes, peak);
      FUZZ_CHECK(e == Errc::none);
      FUZZ_CHECK(peak <= slack);
      break;
    }
    default: {  // payloads just over each byte limit: sio text, NDJSON line, polling body
      const std::size_t limit = 64 + param * 16;
      limits.max_payload_bytes = limit;
      limits.ndjson_max_line_bytes = limit;
      limits.eio_max_payload_bytes = limit;
      limits.eio_max_packet_bytes = limit;
      const std::size_t n = limit + over;
      std::string text = "2[\"" + std::string(n > 5 ? n - 5 : 0, 'a') + "\"]";  // n bytes
      FUZZ_CHECK((sio_decode(limits, text, peak) == Errc::limit_payload_bytes) == (over > 0));
      FUZZ_CHECK(peak <= slack + limit);
      const std::string line = "\"" + std::string(n - 2, 'b') + "\"\n";
      ndjson::LineDecoder lines(limits);
      NoLines no_lines;
      const std::size_t before = g_live;
      g_peak = g_live;
      // Fed in pieces, so that the line must be held across them: the spill stays bounded.
      for (std::size_t at = 0; at < line.size() && !lines.error(); at += 7)
        (void)lines.feed(as_bytes(std::string_view(line).substr(at, 7)), no_lines);
      FUZZ_CHECK((lines.error().code == Errc::limit_ndjson_line_bytes) == (over > 0));
      FUZZ_CHECK(g_peak - before <= slack + limit);
      eio::PayloadDecoder body(limits);
      struct NoEio : eio::PacketSink {
        void on_packet(const eio::Packet&) noexcept override {}
      } no_eio;
      const std::string record = "4" + std::string(n - 1, 'c');
      (void)body.feed(as_bytes(record), no_eio);
      if (!body.error()) (void)body.finish(no_eio);
      FUZZ_CHECK((body.error().code == Errc::limit_eio_payload_bytes ||
                  body.error().code == Errc::limit_eio_packet_bytes) == (over > 0));
      break;
    }
  }
  return 0;
}
