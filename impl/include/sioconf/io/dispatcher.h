// sioconf/io/dispatcher.h — running asynchronous handlers for the items of one connection.
//
//   io::OrderedDispatcher<Message> d([&](Message m, io::Done done) {
//     store(m, [done] { done(); });              // async work; done() when finished
//   });
//   d.push(message);                             // from the read loop, as messages arrive
//
// An `async` 'data' handler in Node returns at its first await, so the next 'data' event starts
// the next handler while the first is still running: handlers interleave and replies go out of
// order. The fix is a queue: one handler at a time, in arrival order, the next
// starting only when the previous one called done(). OrderedDispatcher is that queue.
//
// The bug itself, a dispatcher that starts each handler as its item arrives, is test support
// (impl/test/support/naive_dispatcher.h): the tests and properties show with it that ordering
// breaks without the queue.
//
// Both count what they run: started(), finished(), in_flight() (started, not done), and
// extra_done_calls() (done() called more than once for one item: ignored after the first).
// A handler may call done() synchronously, from a later task, or never (then the ordered
// dispatcher stalls: that is the contract). done() may outlive the dispatcher; it then does
// nothing.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

namespace sioconf::io {

using Done = std::function<void()>;

struct DispatchCounts {
  std::uint64_t started = 0, finished = 0, extra_done_calls = 0;
  std::uint64_t in_flight() const noexcept { return started - finished; }
};

template <typename Item>
class OrderedDispatcher {
 public:
  using Handler = std::function<void(Item item, Done done)>;

  explicit OrderedDispatcher(Handler handler) : state_(std::make_shared<State>(std::move(handler))) {}
  ~OrderedDispatcher() { state_->gone = true; }
  OrderedDispatcher(const OrderedDispatcher&) = delete;
  OrderedDispatcher& operator=(const OrderedDispatcher&) = delete;

  /// Queues `item`; starts it now if no handler is running.
  void push(Item item) {
    state_->queue.push_back(std::move(item));
    State::drain(state_);
  }

  std::size_t queued() const noexcept { return state_->queue.size() - state_->head; }
  bool running() const noexcept { return state_->running; }
  const DispatchCounts& counts() const noexcept { return state_->counts; }

 private:
  struct State {
    explicit State(Handler h) : handler(std::move(h)) {}
    Handler handler;
    // Waiting items are queue[head..]: a vector, not a deque, because a deque allocates when it
    // is made and a server keeps one dispatcher per idle connection.
    std::vector<Item> queue;
    std::size_t head = 0;
    bool running = false, draining = false, gone = false;
    std::uint64_t current = 0;  // the sequence number of the running item
    DispatchCounts counts;

    // Starts queued items one by one. A handler that finishes synchronously does not recurse:
    // the loop here picks up the next item.
    static void drain(const std::shared_ptr<State>& s) {
      if (s->draining) return;
      s->draining = true;
      while (!s->running && s->head < s->queue.size() && !s->gone) {
        Item item = std::move(s->queue[s->head++]);
        if (s->head == s->queue.size()) {  // all taken: start again at the front, capacity kept
          s->queue.clear();
          s->head = 0;
        } else if (s->head >= 64 && s->head * 2 >= s->queue.size()) {  // a queue that never empties
          s->queue.erase(s->queue.begin(), s->queue.begin() + static_cast<std::ptrdiff_t>(s->head));
          s->head = 0;
        }
        s->running = true;
        const std::uint64_t seq = ++s->current;
        ++s->counts.started;
        std::weak_ptr<State> weak = s;
        s->handler(std::move(item), [weak, seq] {
          const std::shared_ptr<State> st = weak.lock();
          if (!st) return;
          if (seq != st->current || !st->running) {
            ++st->counts.extra_done_calls;
            return;
          }
          st->running = false;
          ++st->counts.finished;
          drain(st);
        });
      }
      s->draining = false;
    }
  };
  std::shared_ptr<State> state_;
};

}  // namespace sioconf::io
