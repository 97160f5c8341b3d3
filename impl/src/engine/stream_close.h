// How a transport over one io::Stream closes (lines_transport.cc, websocket_transport.cc): a
// graceful close shuts the stream down first, so that the queued writes go out, then closes it;
// every `done` runs once, after the stream closed (posted when it had already). A client that
// reads nothing would hold the shutdown, and the connection, for ever: after kCloseTimeoutMs the
// stream closes anyway (ws waits 30 s too). The transport's State (fields loop, closing, closed,
// close_done) is kept alive by the close until the stream has closed, whoever owns the
// transport by then.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <utility>

#include "sioconf/io/loop.h"
#include "sioconf/io/stream.h"

namespace sioconf::engine {

inline constexpr std::uint64_t kCloseTimeoutMs = 30'000;

template <class State>
void close_stream_transport(const std::shared_ptr<State>& state, io::Stream& stream, bool graceful,
                            std::function<void()> done) {
  State& s = *state;
  if (s.closed) {
    if (done) s.loop.post(std::move(done));
    return;
  }
  if (done) s.close_done.push_back(std::move(done));
  if (s.closing) return;
  s.closing = true;
  const auto deadline = std::make_shared<io::TimerId>(0);
  auto finish = [self = state, &stream, deadline] {
    stream.close([self, deadline] {
      if (*deadline != 0) self->loop.cancel_timer(*deadline);
      *deadline = 0;
      self->closed = true;
      for (auto& d : std::exchange(self->close_done, {})) d();
    });
  };
  if (!graceful) return finish();
  *deadline = s.loop.start_timer(kCloseTimeoutMs, [deadline, finish] {
    *deadline = 0;
    finish();
  });
  stream.shutdown([finish](Errc) { finish(); });
}

}  // namespace sioconf::engine
