// The io tests run the same scenarios on every backend. A Backend gives a loop, a connected pair
// of transports, and a way to run until done, with a watchdog so that a broken scenario fails
// instead of hanging.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "sioconf/io/loop.h"
#include "sioconf/io/sim.h"
#include "sioconf/io/transport.h"
#include "sioconf/io/uv.h"

namespace sioconf::test {

class Backend {
 public:
  virtual ~Backend() = default;
  virtual io::Loop& loop() = 0;
  /// Two connected transports (client, server).
  virtual std::pair<io::TransportPtr, io::TransportPtr> connected_pair() = 0;
  /// Runs the loop until nothing is left to do. False if the watchdog had to stop it.
  virtual bool run() = 0;
  /// Runs until done() is true or `ms` of loop time passed (virtual on the simulator, where it
  /// goes a millisecond at a time so that no timer past the bound runs); done() is called once
  /// per step (it may take what it waits for). Returns done()'s last answer.
  virtual bool run_until(const std::function<bool()>& done, std::uint64_t ms = 3'000) = 0;
  virtual std::string name() const = 0;
};

class SimBackend final : public Backend {
 public:
  explicit SimBackend(std::uint64_t seed = 1, io::SimOptions options = {}) : choices_(seed), loop_(choices_, options) {}
  io::Loop& loop() override { return loop_; }
  std::pair<io::TransportPtr, io::TransportPtr> connected_pair() override { return loop_.pipe(); }
  bool run() override { return loop_.run(10'000'000) < 10'000'000; }
  bool run_until(const std::function<bool()>& done, std::uint64_t ms = 3'000) override {
    const std::uint64_t until = loop_.now() + ms;
    bool met = false;
    for (std::uint64_t t = loop_.now(); !(met = done()) && t <= until; ++t) loop_.run_until(t);
    return met;
  }
  std::string name() const override { return "sim"; }
  io::SimLoop& sim() { return loop_; }

 private:
  io::SeededChoices choices_;
  io::SimLoop loop_;
};

// Real TCP over 127.0.0.1. Each run has a 5-second watchdog: a scenario that does not finish
// fails instead of hanging.
class UvBackend final : public Backend {
 public:
  io::Loop& loop() override { return loop_; }
  std::pair<io::TransportPtr, io::TransportPtr> connected_pair() override {
    io::TransportPtr client, server;
    Errc e = Errc::none;
    io::ListenerPtr listener = loop_.listen(
        "127.0.0.1", 0,
        [&](Errc, io::TransportPtr t) {
          server = std::move(t);
          if (client) loop_.stop();
        },
        e);
    EXPECT_EQ(e, Errc::none);
    if (!listener) return {};
    loop_.connect("127.0.0.1", listener->port(), [&](Errc err, io::TransportPtr t) {
      EXPECT_EQ(err, Errc::none);
      client = std::move(t);
      if (server) loop_.stop();
    });
    EXPECT_TRUE(loop_.run(5'000)) << "connect did not finish";  // stop() ends this run
    listener->close(nullptr);
    return {std::move(client), std::move(server)};
  }
  bool run() override { return loop_.run(5'000); }
  bool run_until(const std::function<bool()>& done, std::uint64_t ms = 3'000) override {
    const std::uint64_t until = loop_.now() + ms;
    bool met = false;
    std::function<void()> check = [&] {
      if ((met = done()) || loop_.now() >= until) return loop_.stop();
      loop_.start_timer(1, check);
    };
    loop_.post(check);
    (void)loop_.run(ms + 2'000);
    return met;
  }
  std::string name() const override { return "uv"; }

 private:
  io::UvLoop loop_;
};

using BackendFactory = std::function<std::unique_ptr<Backend>()>;

}  // namespace sioconf::test
