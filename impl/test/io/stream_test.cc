#include "sioconf/io/stream.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "io/backends.h"

namespace sioconf::io {
namespace {

using test::Backend;

std::vector<std::uint8_t> pattern(std::size_t n, std::uint8_t salt) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>((i * 131 + salt) & 0xFF);
  return v;
}

ByteView view(const std::vector<std::uint8_t>& v) { return ByteView(v.data(), v.size()); }

// Reads everything until the end of the stream into `out`; `done` runs at the end or on error.
struct Reader {
  explicit Reader(Stream& stream) : s(stream) {}
  Stream& s;
  std::vector<std::uint8_t> out;
  Errc error = Errc::none;
  int ends = 0;
  std::function<void()> done;
  void next() {
    const Errc e = s.read([this](Errc err, ByteView bytes) {
      if (err != Errc::none) {
        error = err;
        if (done) done();
        return;
      }
      if (bytes.empty()) {
        ++ends;
        if (done) done();
        return;
      }
      out.insert(out.end(), bytes.begin(), bytes.end());
      next();
    });
    ASSERT_EQ(e, Errc::none);
  }
};

// Every stream test runs on real TCP (libuv) and on the simulator under several seeds.
struct BackendParam {
  const char* backend;
  std::uint64_t seed;
};

void PrintTo(const BackendParam& p, std::ostream* os) { *os << p.backend << "/" << p.seed; }

class StreamTest : public ::testing::TestWithParam<BackendParam> {
 protected:
  bool sim() const { return std::string(GetParam().backend) == "sim"; }
  std::unique_ptr<Backend> backend() {
    if (sim()) return std::make_unique<test::SimBackend>(GetParam().seed);
    return std::make_unique<test::UvBackend>();
  }
};

TEST_P(StreamTest, BytesArriveInOrderAndTheEndOnce) {
  auto b = backend();
  auto [ct, st] = b->connected_pair();
  Stream client(b->loop(), std::move(ct)), server(b->loop(), std::move(st));
  std::vector<std::uint8_t> sent;
  for (std::size_t size : {1u, 17u, 1000u, 70'000u, 3u}) {
    const auto chunk = pattern(size, static_cast<std::uint8_t>(size));
    sent.insert(sent.end(), chunk.begin(), chunk.end());
    EXPECT_NE(client.write(view(chunk)), WriteStatus::refused);
  }
  Errc shut = Errc::limit_memory;
  client.shutdown([&](Errc e) { shut = e; });
  Reader r{server};
  r.next();
  ASSERT_TRUE(b->run());
  EXPECT_EQ(shut, Errc::none);
  EXPECT_EQ(r.error, Errc::none);
  EXPECT_EQ(r.ends, 1);
  EXPECT_EQ(r.out, sent);
  EXPECT_EQ(server.read([](Errc, ByteView) { ADD_FAILURE() << "read after the end ran"; }), Errc::io_read_after_eof);
  EXPECT_EQ(client.buffered(), 0u);
}

TEST_P(StreamTest, OneReadAtATime) {
  auto b = backend();
  auto [ct, st] = b->connected_pair();
  Stream server(b->loop(), std::move(st));
  int calls = 0;
  EXPECT_EQ(server.read([&](Errc, ByteView) { ++calls; }), Errc::none);
  EXPECT_EQ(server.read([&](Errc, ByteView) { ADD_FAILURE() << "second read ran"; }), Errc::io_read_pending);
  const auto data = pattern(10, 1);
  ct->write(view(data), nullptr);
  ASSERT_TRUE(b->run());
  EXPECT_EQ(calls, 1);
  ct->close(nullptr);
  server.close();
  ASSERT_TRUE(b->run());
}

TEST_P(StreamTest, HighWaterAndDrain) {
  auto b = backend();
  auto [ct, st] = b->connected_pair();
  StreamOptions options;
  options.high_water = 32'768;
  options.low_water = 8'192;
  Stream client(b->loop(), std::move(ct), {}, options), server(b->loop(), std::move(st));
  const auto block = pattern(10'000, 3);
  // A producer that respects the signal: write until over_high_water, resume on drain.
  std::size_t written = 0, peak = 0, drains = 0;
  const std::size_t total = 50;
  std::function<void()> produce = [&] {
    while (written < total) {
      const WriteStatus w = client.write(view(block));
      ASSERT_NE(w, WriteStatus::refused);
      ++written;
      peak = std::max(peak, client.buffered());
      if (w == WriteStatus::over_high_water) return;
    }
    client.shutdown();
  };
  client.on_drain([&] {
    ++drains;
    EXPECT_LE(client.buffered(), options.low_water);
    produce();
  });
  produce();
  Reader r{server};
  r.next();
  ASSERT_TRUE(b->run());
  EXPECT_EQ(r.out.size(), total * block.size());
  EXPECT_GT(drains, 0u);
  EXPECT_LE(peak, options.high_water + block.size());  // the bound: high-water mark + one write
}

TEST_P(StreamTest, AProducerIgnoringTheSignalMeetsTheCap) {
  auto b = backend();
  auto [ct, st] = b->connected_pair();
  Limits limits;
  limits.stream_max_buffered_bytes = 100'000;
  Stream client(b->loop(), std::move(ct), limits), server(b->loop(), std::move(st));
  const auto block = pattern(10'000, 5);
  int refused = 0;
  for (int i = 0; i < 20; ++i) {  // nobody reads: nothing can drain
    if (client.write(view(block)) == WriteStatus::refused) {
      ++refused;
      EXPECT_EQ(client.last_write_error(), Errc::limit_stream_buffered_bytes);
    }
    EXPECT_LE(client.buffered(), limits.stream_max_buffered_bytes);
  }
  EXPECT_EQ(refused, 10);  // at the limit (10 x 10,000) accepted, limit + 1 refused
  client.close();
  server.close();
  ASSERT_TRUE(b->run());
}

TEST_P(StreamTest, CloseCancelsAndNothingRunsAfter) {
  auto b = backend();
  auto [ct, st] = b->connected_pair();
  Stream client(b->loop(), std::move(ct)), server(b->loop(), std::move(st));
  bool client_closed = false, server_closed = false;
  int late = 0;  // callbacks of a stream after its own close callback
  Errc read_error = Errc::none;
  ASSERT_EQ(server.read([&](Errc e, ByteView) {
    read_error = e;
    late += server_closed;
  }),
            Errc::none);
  std::vector<Errc> write_errors;
  const auto big = pattern(500'000, 9);  // more than the pipe holds: some of it is still queued
  client.write(view(big), [&](Errc e) {
    write_errors.push_back(e);
    late += client_closed;
  });
  client.close([&] { client_closed = true; });
  server.close([&] { server_closed = true; });
  EXPECT_EQ(client.write(view(big)), WriteStatus::refused);
  EXPECT_EQ(client.last_write_error(), Errc::io_closed);
  EXPECT_EQ(client.read([](Errc, ByteView) {}), Errc::io_closed);
  ASSERT_TRUE(b->run());
  EXPECT_TRUE(client_closed);
  EXPECT_TRUE(server_closed);
  EXPECT_EQ(late, 0);
  EXPECT_EQ(read_error, Errc::io_cancelled);
  ASSERT_EQ(write_errors.size(), 1u);
  // libuv may have handed all of it to the kernel before close; the simulator's pipe is smaller.
  if (sim()) EXPECT_EQ(write_errors[0], Errc::io_cancelled);
  else EXPECT_TRUE(write_errors[0] == Errc::io_cancelled || write_errors[0] == Errc::none) << name(write_errors[0]);
}

TEST_P(StreamTest, WriteAfterShutdownIsRefused) {
  auto b = backend();
  auto [ct, st] = b->connected_pair();
  Stream client(b->loop(), std::move(ct)), server(b->loop(), std::move(st));
  client.shutdown();
  const auto data = pattern(4, 0);
  EXPECT_EQ(client.write(view(data)), WriteStatus::refused);
  EXPECT_EQ(client.last_write_error(), Errc::io_write_after_shutdown);
  Reader r{server};  // the peer reads the end, and can still write back
  r.next();
  ASSERT_TRUE(b->run());
  EXPECT_EQ(r.ends, 1);
}

TEST_P(StreamTest, WritesFromCompletionsKeepTheirOrder) {
  auto b = backend();
  auto [ct, st] = b->connected_pair();
  Stream client(b->loop(), std::move(ct)), server(b->loop(), std::move(st));
  const std::vector<std::uint8_t> a(1, 'a'), bb(1, 'b'), c(1, 'c'), d(1, 'd');
  client.write(view(a), [&](Errc) { client.write(view(c)); });  // written while b and d wait
  client.write(view(bb), [&](Errc) {
    client.write(view(d));
    client.shutdown();
  });
  Reader r{server};
  r.next();
  ASSERT_TRUE(b->run());
  EXPECT_EQ(std::string(r.out.begin(), r.out.end()), "abcd");
}

INSTANTIATE_TEST_SUITE_P(Backends, StreamTest,
                         ::testing::Values(BackendParam{"uv", 0}, BackendParam{"sim", 1}, BackendParam{"sim", 2},
                                           BackendParam{"sim", 3}, BackendParam{"sim", 42},
                                           BackendParam{"sim", 20261130}),
                         [](const auto& p) { return std::string(p.param.backend) + std::to_string(p.param.seed); });

// ---- simulator-only: faults and determinism ---------------------------------------------------

// Simulator only: over TCP the kernel's buffers hide the pause, and a stuck writer keeps libuv busy.
TEST(StreamSim, NothingIsLostWhileNobodyReads) {
  test::SimBackend sb(17);
  Backend* b = &sb;
  auto [ct, st] = b->connected_pair();
  Stream client(b->loop(), std::move(ct)), server(b->loop(), std::move(st));
  const auto data = pattern(200'000, 7);
  ASSERT_NE(client.write(view(data)), WriteStatus::refused);
  client.shutdown();
  // Read one chunk, then nothing for a while: the writer must wait, nothing may be dropped.
  std::vector<std::uint8_t> got;
  ASSERT_EQ(server.read([&](Errc e, ByteView bytes) {
    ASSERT_EQ(e, Errc::none);
    got.insert(got.end(), bytes.begin(), bytes.end());
  }),
            Errc::none);
  ASSERT_TRUE(b->run());
  EXPECT_GT(client.buffered(), 0u) << "the paused reader did not hold the writer back";
  Reader r{server};
  r.next();
  ASSERT_TRUE(b->run());
  got.insert(got.end(), r.out.begin(), r.out.end());
  EXPECT_EQ(got, data);
  EXPECT_EQ(r.ends, 1);
}

TEST(StreamSim, AResetReachesTheCurrentReadOrTheNext) {
  test::SimBackend b(3);
  auto [ct, st] = b.connected_pair();
  Transport* const client_end = ct.get();
  Stream client(b.loop(), std::move(ct)), server(b.loop(), std::move(st));
  Errc current = Errc::none, next = Errc::none;
  ASSERT_EQ(server.read([&](Errc e, ByteView) { current = e; }), Errc::none);  // waiting when it breaks
  b.sim().reset(*client_end);
  ASSERT_TRUE(b.run());
  EXPECT_EQ(current, Errc::io_reset);
  // The client read nothing when it broke: its next read gets the reset, and so does the one after.
  ASSERT_EQ(client.read([&](Errc e, ByteView) { next = e; }), Errc::none);
  ASSERT_TRUE(b.run());
  EXPECT_EQ(next, Errc::io_reset);
  next = Errc::none;
  ASSERT_EQ(client.read([&](Errc e, ByteView) { next = e; }), Errc::none);
  ASSERT_TRUE(b.run());
  EXPECT_EQ(next, Errc::io_reset);
}

TEST(StreamSim, SameSeedSameTrace) {
  const auto scenario = [](std::uint64_t seed) {
    io::SeededChoices choices(seed);
    io::SimLoop loop(choices);
    auto [ct, st] = loop.pipe();
    std::uint64_t hash = 0;
    {
      Stream client(loop, std::move(ct)), server(loop, std::move(st));
      const auto data = pattern(300'000, 11);
      client.write(view(data));
      client.shutdown();
      Reader r{server};
      r.next();
      loop.run();
      EXPECT_EQ(r.out, data);
      hash = loop.trace_hash();
    }
    loop.run();
    return hash;
  };
  EXPECT_EQ(scenario(5), scenario(5));
  EXPECT_EQ(scenario(6), scenario(6));
  EXPECT_NE(scenario(5), scenario(6));  // the choices do steer the run
}

// Every counted operation of an echo exchange fails in turn: each run must end (no hang), report
// the failure as a named error, and leave nothing open, queued or pending.
TEST(StreamSim, FailTheNthOperation) {
  std::uint64_t total = 0;
  for (std::uint64_t n = 1;; ++n) {
    io::SeededChoices choices(n);
    io::SimOptions options;
    options.fail_op = n;
    io::SimLoop loop(choices, options);
    std::vector<Errc> errors;
    bool finished = false;
    {
      auto [ct, st] = loop.pipe();
      Stream client(loop, std::move(ct)), server(loop, std::move(st));
      const auto data = pattern(20'000, 13);
      // The server echoes until the end, then shuts down; the client reads the echo back.
      std::function<void()> echo = [&] {
        server.read([&](Errc e, ByteView bytes) {
          if (e != Errc::none) return errors.push_back(e);
          if (bytes.empty())
            return server.shutdown([&](Errc se) {
              if (se != Errc::none) errors.push_back(se);
            });
          if (server.write(bytes, [&](Errc we) {
                if (we != Errc::none) errors.push_back(we);
              }) == WriteStatus::refused)
            errors.push_back(server.last_write_error());
          echo();
        });
      };
      echo();
      client.write(view(data), [&](Errc e) {
        if (e != Errc::none) errors.push_back(e);
      });
      client.shutdown([&](Errc e) {
        if (e != Errc::none) errors.push_back(e);
      });
      Reader r{client};
      r.done = [&] { finished = true; };
      r.next();
      loop.run(1'000'000);
      if (r.error != Errc::none) errors.push_back(r.error);
      if (n > loop.operations()) {  // no operation failed: the clean run, and the end of the loop
        EXPECT_TRUE(errors.empty()) << "op " << n;
        EXPECT_EQ(r.out, data);
        total = n - 1;
        client.close();
        server.close();
        loop.run();
        break;
      }
      EXPECT_FALSE(errors.empty()) << "operation " << n << " failed silently";
      for (Errc e : errors) EXPECT_EQ(condition(e), Condition::io) << "op " << n << ": " << name(e);
      client.close();
      server.close();
      loop.run();
    }
    loop.run();
    EXPECT_TRUE(finished || !errors.empty());
    EXPECT_EQ(loop.open_transports(), 0u) << "op " << n;
    EXPECT_EQ(loop.pending_timers(), 0u) << "op " << n;
    EXPECT_EQ(loop.bytes_in_transit(), 0u) << "op " << n;
  }
  EXPECT_GT(total, 10u);  // the exchange has that many operations to fail
}

// Counts the writes that reach a transport.
class CountingTransport final : public Transport {
 public:
  explicit CountingTransport(TransportPtr inner) : inner_(std::move(inner)) {}
  void set_events(TransportEvents* e) noexcept override { inner_->set_events(e); }
  void read_start() override { inner_->read_start(); }
  void read_stop() override { inner_->read_stop(); }
  void write(ByteView bytes, Completion done) override {
    ++writes;
    inner_->write(bytes, std::move(done));
  }
  void shutdown(Completion done) override { inner_->shutdown(std::move(done)); }
  void close(std::function<void()> done) override { inner_->close(std::move(done)); }
  std::string peer() const override { return inner_->peer(); }
  int writes = 0;

 private:
  TransportPtr inner_;
};

TEST(StreamSim, SmallWritesAreGatheredWhileOneIsInFlight) {
  test::SimBackend b(8);
  auto [ct, st] = b.connected_pair();
  auto counting = std::make_unique<CountingTransport>(std::move(ct));
  CountingTransport* counter = counting.get();
  Stream client(b.loop(), std::move(counting)), server(b.loop(), std::move(st));
  std::string expected;
  int completions = 0;
  for (int i = 0; i < 100; ++i) {
    const std::string line = "message " + std::to_string(i) + "\n";
    expected += line;
    client.write(as_bytes(line), [&, i](Errc e) {
      EXPECT_EQ(e, Errc::none);
      EXPECT_EQ(completions++, i);  // each write's own completion, in order
    });
  }
  client.shutdown();
  Reader r{server};
  r.next();
  ASSERT_TRUE(b.run());
  EXPECT_EQ(std::string(r.out.begin(), r.out.end()), expected);
  EXPECT_EQ(completions, 100);
  EXPECT_EQ(counter->writes, 2);  // the first alone, the other 99 together
}

// A promise-style echo server behind a listener, three clients: every counted operation
// (connects, accepts, reads, writes) fails in turn. Each failure surfaces as a named error, the
// other connections are unaffected, and closing everything leaves nothing behind.
TEST(StreamSim, EchoServerFailTheNthOperation) {
  std::uint64_t clean_at = 0;
  for (std::uint64_t n = 1; n < 2'000 && clean_at == 0; ++n) {
    io::SeededChoices choices(n * 7);
    io::SimOptions options;
    options.fail_op = n;
    io::SimLoop loop(choices, options);
    std::vector<Errc> errors;
    int echoed = 0;
    {
      std::vector<std::unique_ptr<Stream>> streams;  // servers' and clients' streams
      std::vector<std::unique_ptr<Reader>> readers;
      std::function<void(Stream&)> serve = [&](Stream& s) {
        const Errc e = s.read([&, sp = &s](Errc err, ByteView bytes) {
          if (err != Errc::none) return errors.push_back(err);
          if (bytes.empty()) return sp->shutdown();
          if (sp->write(bytes, [&](Errc we) {
                if (we != Errc::none) errors.push_back(we);
              }) == WriteStatus::refused)
            errors.push_back(sp->last_write_error());
          serve(*sp);
        });
        if (e != Errc::none) errors.push_back(e);
      };
      Errc listen_error = Errc::none;
      ListenerPtr listener = loop.listen(
          0,
          [&](Errc err, TransportPtr t) {
            if (err != Errc::none) return errors.push_back(err);
            streams.push_back(std::make_unique<Stream>(loop, std::move(t)));
            serve(*streams.back());
          },
          listen_error);
      ASSERT_NE(listener, nullptr);
      const auto message = pattern(3'000, 21);
      for (int i = 0; i < 3; ++i) {
        loop.connect(listener->port(), [&](Errc err, TransportPtr t) {
          if (err != Errc::none) return errors.push_back(err);
          streams.push_back(std::make_unique<Stream>(loop, std::move(t)));
          Stream& c = *streams.back();
          c.write(view(message), [&](Errc we) {
            if (we != Errc::none) errors.push_back(we);
          });
          c.shutdown();
          readers.push_back(std::make_unique<Reader>(c));
          Reader* r = readers.back().get();
          r->done = [&, r] {
            if (r->error != Errc::none) errors.push_back(r->error);
            else if (r->out == message) ++echoed;
          };
          r->next();
        });
      }
      loop.run(1'000'000);
      for (Errc e : errors) EXPECT_EQ(condition(e), Condition::io) << "op " << n << ": " << name(e);
      if (n > loop.operations()) {  // nothing failed
        clean_at = n;
        EXPECT_EQ(echoed, 3);
        EXPECT_TRUE(errors.empty());
      } else {
        EXPECT_FALSE(errors.empty()) << "operation " << n << " failed silently";
        EXPECT_GE(echoed, 1) << "one failure took down every connection (op " << n << ")";
      }
      for (auto& st : streams) st->close();
      listener->close(nullptr);
      loop.run();
      readers.clear();
      streams.clear();
    }
    loop.run();
    EXPECT_EQ(loop.open_transports(), 0u) << "op " << n;
    EXPECT_EQ(loop.bytes_in_transit(), 0u) << "op " << n;
    EXPECT_EQ(loop.pending_timers(), 0u) << "op " << n;
  }
  EXPECT_GT(clean_at, 20u);
}

}  // namespace
}  // namespace sioconf::io
