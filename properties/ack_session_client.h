// properties/ack_session_client.h — what the ack, session and determinism properties share: the
// timeouts and time steps they draw, the simulator's choices for a session (a generated list, then
// always the last option), the client end of a session (writes Engine.IO lines, keeps the lines it
// reads) and the log entry of an ack callback.
#pragma once

#include <rapidcheck.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sioconf/bytes.h"
#include "sioconf/errc.h"
#include "sioconf/io/loop.h"
#include "sioconf/io/sim.h"
#include "sioconf/io/stream.h"

namespace sioconf::prop {

// The ack timeouts and the steps of virtual time the session and ack table properties draw.
inline const std::array<std::uint64_t, 5> kAckTimeouts = {0, 1, 3, 10, 40};  // 0: no timeout
inline const std::array<std::uint64_t, 5> kTimeSteps = {1, 2, 5, 10, 40};

using Lines = std::vector<std::string>;

inline Lines tail(const Lines& all, std::size_t from) {
  return Lines(all.begin() + static_cast<std::ptrdiff_t>(from), all.end());
}

inline rc::Gen<std::vector<std::size_t>> choice_list() {
  return rc::gen::container<std::vector<std::size_t>>(rc::gen::inRange<std::size_t>(0, 8));
}

// The simulator's choices for a session: the generated list first, then always the last option.
// io::ListChoices gives 0 once its list is used up, which makes every read deliver one byte, so a
// session would cost steps per byte; the last option is a whole chunk, a whole write, the lane
// that became ready last. An empty list is still a plain schedule, so shrinking still ends there.
class ListThenLast final : public io::Choices {
 public:
  explicit ListThenLast(std::vector<std::size_t> list) noexcept : list_(std::move(list)) {}
  std::size_t choose(std::size_t n) override { return at_ < list_.size() ? list_[at_++] % n : n - 1; }

 private:
  std::vector<std::size_t> list_;
  std::size_t at_ = 0;
};

// The peer of a session: writes Engine.IO lines, reads until the end and keeps the lines it got.
struct Client {
  Client(io::Loop& loop, io::TransportPtr transport) : stream(loop, std::move(transport)) {}
  io::Stream stream;
  std::string partial;
  Lines lines;

  void send(const std::string& line) {
    const std::string framed = line + "\n";
    (void)stream.write(as_bytes(framed));  // after a reset the write fails: the model knows
  }
  void read_all() {
    (void)stream.read([this](Errc e, ByteView bytes) {
      if (e != Errc::none || bytes.empty()) return;
      partial.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
      for (std::size_t nl; (nl = partial.find('\n')) != std::string::npos; partial.erase(0, nl + 1))
        lines.push_back(partial.substr(0, nl));
      read_all();
    });
  }
};

// The log entry of an ack callback: key, outcome, arguments.
inline std::string ack_entry(std::size_t key, Errc e, std::string_view args) {
  return "A" + std::to_string(key) + " " + std::string(name(e)) + (args.empty() ? "" : " " + std::string(args));
}

}  // namespace sioconf::prop
