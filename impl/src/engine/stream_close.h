// How a transport over one io::Stream closes (lines_transport.cc, websocket_transport.cc): a
// graceful close shuts the stream down first, so that the queued writes go out, then closes it;
// every `done` runs once, after the stream closed (posted when it had already). The transport's
// State (fields loop, closing, closed, close_done) is kept alive by the close until the stream
// has closed, whoever owns the transport by then.
#pragma once

#include <functional>
#include <memory>
#include <utility>

#include "sioconf/io/stream.h"

namespace sioconf::engine {

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
  auto finish = [self = state, &stream] {
    stream.close([self] {
      self->closed = true;
      for (auto& d : std::exchange(self->close_done, {})) d();
    });
  };
  if (graceful) stream.shutdown([finish](Errc) { finish(); });
  else finish();
}

}  // namespace sioconf::engine
