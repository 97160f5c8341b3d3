// Test support: io::NaiveDispatcher, the interleaving bug on purpose. It starts each handler as
// soon as its item arrives, like Node's `socket.on('data', async ...)`, so a quick handler overtakes
// a slow one on the same connection. It has io::OrderedDispatcher's interface and counts
// (sioconf/io/dispatcher.h), so a test or property written for one runs on the other: the ordered
// one must pass, this one must fail (io_test's NaiveDispatcher.Interleaves, the properties'
// Planted.naive_dispatch). Nothing outside the tests may use it.
#pragma once

#include <functional>
#include <memory>
#include <utility>

#include "sioconf/io/dispatcher.h"

namespace sioconf::io {

template <typename Item>
class NaiveDispatcher {
 public:
  using Handler = std::function<void(Item item, Done done)>;

  explicit NaiveDispatcher(Handler handler) : state_(std::make_shared<State>(std::move(handler))) {}

  void push(Item item) {
    ++state_->counts.started;
    auto called = std::make_shared<bool>(false);
    std::weak_ptr<State> weak = state_;
    state_->handler(std::move(item), [weak, called] {
      const std::shared_ptr<State> st = weak.lock();
      if (!st) return;
      if (*called) {
        ++st->counts.extra_done_calls;
        return;
      }
      *called = true;
      ++st->counts.finished;
    });
  }

  std::size_t queued() const noexcept { return 0; }
  bool running() const noexcept { return state_->counts.in_flight() != 0; }
  const DispatchCounts& counts() const noexcept { return state_->counts; }

 private:
  struct State {
    explicit State(Handler h) : handler(std::move(h)) {}
    Handler handler;
    DispatchCounts counts;
  };
  std::shared_ptr<State> state_;
};

}  // namespace sioconf::io
