// Test support: a raw client connection. It writes bytes as given and collects every byte it gets
// back, and the end, so that a test can look at exactly what a server wrote.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "sioconf/io/loop.h"
#include "sioconf/io/stream.h"
#include "sioconf/io/transport.h"

namespace sioconf::test {

struct RawClient {
  RawClient(io::Loop& loop, io::TransportPtr transport) : stream(loop, std::move(transport)) {}
  io::Stream stream;
  std::string received;
  bool ended = false;
  Errc error = Errc::none;  // why it ended: none for the peer's end of stream
  bool deaf = false;        // reads no more after the next bytes (read_all() again resumes)

  void write(std::string_view bytes) { ASSERT_NE(stream.write(as_bytes(bytes)), io::WriteStatus::refused); }
  void read_all() {
    (void)stream.read([this](Errc e, ByteView bytes) {
      if (e != Errc::none || bytes.empty()) {
        ended = true;
        error = e;
        return;
      }
      received += as_text(bytes);
      if (!deaf) read_all();
    });
  }
};

/// The complete lines of `received` ('\n'-terminated), without their '\n': what a client of
/// Engine.IO lines got so far.
inline std::vector<std::string> complete_lines(std::string_view received) {
  std::vector<std::string> out;
  for (std::size_t nl; (nl = received.find('\n')) != std::string_view::npos; received.remove_prefix(nl + 1))
    out.emplace_back(received.substr(0, nl));
  return out;
}

/// One whole HTTP answer taken off the front of `received`, as "<status> <body>" (the body by its
/// content-length), or empty if it is not all there yet.
inline std::string take_http_answer(std::string& received) {
  const std::size_t head_end = received.find("\r\n\r\n");
  if (head_end == std::string::npos) return {};
  const std::size_t cl = received.find("content-length: ");
  std::size_t length = 0;
  if (cl != std::string::npos && cl < head_end) length = std::stoul(received.substr(cl + 16));
  if (received.size() < head_end + 4 + length) return {};
  std::string out = received.substr(9, 3) + " " + received.substr(head_end + 4, length);
  received.erase(0, head_end + 4 + length);
  return out;
}

}  // namespace sioconf::test
