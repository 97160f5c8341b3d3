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

namespace sioconf::test {

class Backend {
 public:
  virtual ~Backend() = default;
  virtual io::Loop& loop() = 0;
  /// Two connected transports (client, server).
  virtual std::pair<io::TransportPtr, io::TransportPtr> connected_pair() = 0;
  /// Runs the loop until nothing is left to do. False if the watchdog had to stop it.
  virtual bool run() = 0;
  virtual std::string name() const = 0;
};

class SimBackend final : public Backend {
 public:
  explicit SimBackend(std::uint64_t seed = 1, io::SimOptions options = {})
      : choices_(seed), loop_(choices_, options) {}
  io::Loop& loop() override { return loop_; }
  std::pair<io::TransportPtr, io::TransportPtr> connected_pair() override { return loop_.pipe(); }
  bool run() override { return loop_.run(10'000'000) < 10'000'000; }
  std::string name() const override { return "sim"; }
  io::SimLoop& sim() { return loop_; }

 private:
  io::SeededChoices choices_;
  io::SimLoop loop_;
};

using BackendFactory = std::function<std::unique_ptr<Backend>()>;

}  // namespace sioconf::test
