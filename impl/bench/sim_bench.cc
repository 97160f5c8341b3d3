// sioconf_sim_bench — how fast the simulator schedules (ci/bench; target >= 1 M steps/s).
//
//   sioconf_sim_bench [--min-seconds S]
//
// The scenario is what the property tests run: 10 connections over simulated pipes, each a
// Stream pair playing ping-pong with 64-byte messages (read, write, completion, drain), with the
// default SimOptions (chunking, short writes, stalls). A step is one scheduled callback. Prints
// one JSON line: {"bench":"simulator","steps":..,"seconds":..,"steps_per_s":..}.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <vector>

#include "sioconf/io/sim.h"
#include "sioconf/io/stream.h"

namespace {

using namespace sioconf;

struct Pair {
  std::unique_ptr<io::Stream> client, server;
  std::vector<std::uint8_t> message = std::vector<std::uint8_t>(64, 'x');
  std::uint64_t exchanges = 0;

  void serve() {
    (void)server->read([this](Errc e, ByteView bytes) {
      if (e != Errc::none || bytes.empty()) return;
      (void)server->write(bytes);
      serve();
    });
  }
  void ping() {
    (void)client->write(ByteView(message.data(), message.size()));
    await_pong(message.size());
  }
  void await_pong(std::size_t left) {
    (void)client->read([this, left](Errc e, ByteView bytes) {
      if (e != Errc::none || bytes.empty()) return;
      if (bytes.size() < left) return await_pong(left - bytes.size());
      ++exchanges;
      ping();
    });
  }
};

}  // namespace

int main(int argc, char** argv) {
  double min_seconds = 1.0;
  for (int i = 1; i + 1 < argc; i += 2)
    if (!std::strcmp(argv[i], "--min-seconds")) min_seconds = std::strtod(argv[i + 1], nullptr);

  io::SeededChoices choices(20261130);
  io::SimLoop loop(choices);
  std::vector<Pair> pairs(10);
  for (Pair& p : pairs) {
    auto [a, b] = loop.pipe();
    p.client = std::make_unique<io::Stream>(loop, std::move(a));
    p.server = std::make_unique<io::Stream>(loop, std::move(b));
    p.serve();
    p.ping();
  }
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  double seconds = 0;
  std::uint64_t steps = 0;
  while (seconds < min_seconds) {
    steps += loop.run(1'000'000);
    seconds = std::chrono::duration<double>(clock::now() - t0).count();
  }
  std::uint64_t exchanges = 0;
  for (const Pair& p : pairs) exchanges += p.exchanges;
  std::printf("{\"bench\":\"simulator\",\"steps\":%llu,\"exchanges\":%llu,\"seconds\":%.3f,\"steps_per_s\":%.0f}\n",
              static_cast<unsigned long long>(steps), static_cast<unsigned long long>(exchanges), seconds,
              static_cast<double>(steps) / seconds);
  for (Pair& p : pairs) {
    p.client->close();
    p.server->close();
  }
  loop.run();
  return exchanges > 0 ? 0 : 1;
}
