#include "sioconf/io/sim.h"
#include "sioconf/io/stream.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace sioconf::io {
namespace {

TEST(SimLoop, PostedTasksRunInOrderAndNeverInsidePost) {
  SeededChoices choices(1);
  SimLoop loop(choices);
  std::vector<int> order;
  bool inside = true;
  loop.post([&] {
    order.push_back(1);
    loop.post([&] { order.push_back(3); });
  });
  loop.post([&] { order.push_back(2); });
  inside = false;
  EXPECT_TRUE(order.empty());
  EXPECT_EQ(loop.run(), 3u);
  EXPECT_FALSE(inside);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

// A task or timer still queued when the loop goes may own a stream (and so a transport): the loop
// destroys it first, while the connection end it closes still exists (ASan checks the order).
TEST(SimLoop, DestroyedWithQueuedTasksThatOwnStreams) {
  SeededChoices choices(1);
  auto loop = std::make_unique<SimLoop>(choices);
  auto [a, b] = loop->pipe();
  auto in_task = std::make_shared<Stream>(*loop, std::move(a));
  auto in_timer = std::make_shared<Stream>(*loop, std::move(b));
  (void)in_task->write(as_bytes(std::string_view("queued")));
  loop->post([held = std::move(in_task)] {});
  loop->start_timer(1'000, [held = std::move(in_timer)] {});
  loop.reset();
  SUCCEED();
}

TEST(SimLoop, VirtualTimeJumpsToTheNextDeadline) {
  SeededChoices choices(1);
  SimLoop loop(choices);
  std::vector<std::pair<int, std::uint64_t>> fired;
  loop.start_timer(30'000, [&] { fired.emplace_back(3, loop.now()); });
  loop.start_timer(10, [&] { fired.emplace_back(1, loop.now()); });
  loop.start_timer(10, [&] { fired.emplace_back(2, loop.now()); });  // same deadline: start order
  const TimerId cancelled = loop.start_timer(20, [&] { fired.emplace_back(99, loop.now()); });
  EXPECT_EQ(loop.pending_timers(), 4u);
  EXPECT_TRUE(loop.cancel_timer(cancelled));
  EXPECT_FALSE(loop.cancel_timer(cancelled));
  EXPECT_FALSE(loop.cancel_timer(12345));
  loop.run();
  EXPECT_EQ(fired, (std::vector<std::pair<int, std::uint64_t>>{{1, 10}, {2, 10}, {3, 30'000}}));
  EXPECT_EQ(loop.now(), 30'000u);
  EXPECT_EQ(loop.pending_timers(), 0u);
}

TEST(SimLoop, ATimerNeverRunsBeforeItsDeadline) {
  SeededChoices choices(9);
  SimLoop loop(choices);
  std::uint64_t ran_at = 0;
  loop.post([&] { loop.start_timer(5, [&] { ran_at = loop.now(); }); });
  for (int i = 0; i < 50; ++i) loop.post([] {});  // busy work first: time must not move
  loop.run();
  EXPECT_EQ(ran_at, 5u);
}

TEST(SimLoop, AZeroDelayTimerCanBeCancelledAfterItCameDue) {
  SeededChoices choices(2);
  SimLoop loop(choices);
  bool ran = false;
  const TimerId t = loop.start_timer(0, [&] { ran = true; });
  EXPECT_TRUE(loop.cancel_timer(t));
  loop.run();
  EXPECT_FALSE(ran);
  EXPECT_EQ(loop.pending_timers(), 0u);
}

TEST(SimLoop, ListChoicesRunOutToZero) {
  ListChoices list({5, 1});
  EXPECT_EQ(list.choose(3), 2u);
  EXPECT_EQ(list.choose(3), 1u);
  EXPECT_EQ(list.choose(3), 0u);
  EXPECT_EQ(list.used(), 2u);
}

TEST(SimLoop, ChunkingFollowsTheChoices) {
  // The same bytes arrive in different pieces under different seeds, and all of them arrive.
  std::vector<std::vector<std::size_t>> pieces;
  for (std::uint64_t seed : {1, 2}) {
    SeededChoices choices(seed);
    SimOptions options;
    options.stall_percent = 0;
    SimLoop loop(choices, options);
    auto [a, b] = loop.pipe();
    struct Sink : TransportEvents {
      std::vector<std::size_t> sizes;
      std::size_t total = 0;
      void on_read(ByteView bytes) override {
        sizes.push_back(bytes.size());
        total += bytes.size();
      }
      void on_eof() override {}
      void on_error(Errc) override {}
    } sink;
    b->set_events(&sink);
    b->read_start();
    const std::vector<std::uint8_t> data(10'000, 7);
    a->write(ByteView(data.data(), data.size()), nullptr);
    loop.run();
    EXPECT_EQ(sink.total, data.size());
    pieces.push_back(sink.sizes);
    a->close(nullptr);
    b->close(nullptr);
    loop.run();
    EXPECT_EQ(loop.open_transports(), 0u);
  }
  EXPECT_NE(pieces[0], pieces[1]);
}

// A writer blocked on the full pipe of a reader that closes without reading is not left waiting:
// its writes complete (the bytes are lost with the reader) and the loop runs out.
TEST(SimLoop, AWriteBlockedOnAReaderThatClosesCompletes) {
  SeededChoices choices(3);
  SimOptions options;
  options.pipe_capacity = 100;
  SimLoop loop(choices, options);
  auto [a, b] = loop.pipe();
  const std::vector<std::uint8_t> data(1'000, 7);  // ten pipes' worth: b never reads
  std::vector<Errc> completed;
  for (int i = 0; i < 2; ++i) a->write(ByteView(data.data(), data.size()), [&](Errc e) { completed.push_back(e); });
  loop.run();
  EXPECT_TRUE(completed.empty());  // blocked: the pipe is full
  b->close(nullptr);
  loop.run();
  EXPECT_EQ(completed, (std::vector<Errc>{Errc::none, Errc::none}));
  EXPECT_EQ(loop.bytes_in_transit(), 0u);
  a->close(nullptr);
  loop.run();
  EXPECT_EQ(loop.open_transports(), 0u);
}

TEST(SimLoop, FailedOperationsHaveNames) {
  {  // a timer that cannot start
    SeededChoices choices(1);
    SimOptions options;
    options.fail_op = 1;
    SimLoop loop(choices, options);
    bool ran = false;
    EXPECT_EQ(loop.start_timer(1, [&] { ran = true; }), 0u);
    loop.run();
    EXPECT_FALSE(ran);
    EXPECT_EQ(loop.pending_timers(), 0u);
  }
  {  // connect to nobody, listen twice on one port
    SeededChoices choices(1);
    SimLoop loop(choices);
    Errc connected = Errc::none;
    loop.connect(7, [&](Errc e, TransportPtr t) {
      connected = e;
      EXPECT_EQ(t, nullptr);
    });
    loop.run();
    EXPECT_EQ(connected, Errc::io_connect_failed);
    Errc e1 = Errc::limit_memory, e2 = Errc::none;
    ListenerPtr first = loop.listen(
        80, [](Errc, TransportPtr) {}, e1);
    ListenerPtr second = loop.listen(
        80, [](Errc, TransportPtr) {}, e2);
    EXPECT_EQ(e1, Errc::none);
    EXPECT_NE(first, nullptr);
    EXPECT_EQ(e2, Errc::io_listen_failed);
    EXPECT_EQ(second, nullptr);
  }
  {  // accept fails (op 2: connect is op 1)
    SeededChoices choices(1);
    SimOptions options;
    options.fail_op = 2;
    SimLoop loop(choices, options);
    Errc accepted = Errc::none, connected = Errc::none;
    Errc e;
    ListenerPtr l = loop.listen(
        0, [&](Errc err, TransportPtr) { accepted = err; }, e);
    loop.connect(l->port(), [&](Errc err, TransportPtr) { connected = err; });
    loop.run();
    EXPECT_EQ(accepted, Errc::io_accept_failed);
    EXPECT_EQ(connected, Errc::io_connect_failed);
    EXPECT_EQ(loop.open_transports(), 0u);
  }
}

TEST(SimLoop, ListenAcceptConnect) {
  SeededChoices choices(4);
  SimLoop loop(choices);
  TransportPtr server_side, client_side;
  Errc e;
  ListenerPtr l = loop.listen(
      0,
      [&](Errc err, TransportPtr t) {
        EXPECT_EQ(err, Errc::none);
        server_side = std::move(t);
      },
      e);
  ASSERT_NE(l, nullptr);
  loop.connect(l->port(), [&](Errc err, TransportPtr t) {
    EXPECT_EQ(err, Errc::none);
    client_side = std::move(t);
  });
  loop.run();
  ASSERT_NE(server_side, nullptr);
  ASSERT_NE(client_side, nullptr);
  EXPECT_EQ(loop.open_transports(), 2u);
  bool listener_closed = false;
  l->close([&] { listener_closed = true; });
  server_side->close(nullptr);
  client_side->close(nullptr);
  loop.run();
  EXPECT_TRUE(listener_closed);
  EXPECT_EQ(loop.open_transports(), 0u);
}

}  // namespace
}  // namespace sioconf::io
