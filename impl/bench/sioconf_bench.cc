// sioconf_bench — the C++ half of ci/bench (a benchmark, not a test).
//
//   sioconf_bench --write-mix FILE [--seed N] [--packets N]   generate the packet mix (mix.h)
//   sioconf_bench --decode FILE [--min-seconds S] [--min-rounds N]
//
// --decode times sioconf::sio::PacketDecoder over every message of the mix, one pass per round,
// after one warm-up pass; rounds repeat until both minimums are met and the best (fastest) round
// is reported. Every round must report exactly the mix's packet count, so the work cannot be
// skipped. Output: one JSON line on stdout (ci/bench reads it), a summary on stderr.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "json_fast.h"
#include "mix.h"
#include "sioconf/sio/packet_decoder.h"

namespace {

using sioconf::bench::Mix;

class CountingSink : public sioconf::sio::PacketSink {
 public:
  std::uint64_t packets = 0;
  std::uint64_t attachments = 0;
  std::uint64_t payload_bytes = 0;
  void on_packet(const sioconf::sio::Packet& p) noexcept override {
    ++packets;
    attachments += p.attachments.size();
    payload_bytes += p.payload.size();
  }
};

int usage() {
  std::fputs(
      "usage: sioconf_bench --write-mix FILE [--seed N] [--packets N]\n"
      "       sioconf_bench --decode FILE [--min-seconds S] [--min-rounds N]\n",
      stderr);
  return 2;
}

int write(const std::string& path, std::uint64_t seed, std::uint32_t packets) {
  const Mix mix = sioconf::bench::generate_mix(seed, packets);
  std::string why;
  if (!sioconf::bench::write_mix(mix, path, why)) {
    std::fprintf(stderr, "sioconf_bench: %s\n", why.c_str());
    return 1;
  }
  std::fprintf(stderr, "mix: seed %llu, %u packets, %zu messages, %.2f MB -> %s\n",
               static_cast<unsigned long long>(seed), mix.packets, mix.messages.size(),
               static_cast<double>(mix.bytes()) / 1e6, path.c_str());
  return 0;
}

int decode(const std::string& path, double min_seconds, int min_rounds) {
  Mix mix;
  std::string why;
  if (!sioconf::bench::read_mix(path, mix, why)) {
    std::fprintf(stderr, "sioconf_bench: %s\n", why.c_str());
    return 1;
  }
  std::vector<sioconf::Message> messages;
  messages.reserve(mix.messages.size());
  for (const auto& m : mix.messages)
    messages.push_back(
        {m.binary ? sioconf::MessageKind::binary : sioconf::MessageKind::text, sioconf::as_bytes(m.bytes)});

  sioconf::sio::PacketDecoder decoder;  // default Limits: the server-side configuration
  CountingSink sink;
  // One pass; false (after printing why) if the decoder refused a message or miscounted.
  const auto pass = [&]() -> bool {
    decoder.reset();
    sink = CountingSink{};
    for (std::size_t i = 0; i < messages.size(); ++i) {
      if (decoder.feed(messages[i], sink) == sioconf::Status::error) {
        const sioconf::DecodeError e = decoder.error();
        std::fprintf(stderr, "sioconf_bench: message %zu refused: %s @%llu\n", i,
                     std::string(sioconf::name(e.code)).c_str(), static_cast<unsigned long long>(e.offset));
        return false;
      }
    }
    if (decoder.finish() == sioconf::Status::error) {
      std::fprintf(stderr, "sioconf_bench: finish: %s\n", std::string(sioconf::name(decoder.error().code)).c_str());
      return false;
    }
    if (sink.packets != mix.packets) {
      std::fprintf(stderr, "sioconf_bench: decoded %llu packets, the mix has %u\n",
                   static_cast<unsigned long long>(sink.packets), mix.packets);
      return false;
    }
    return true;
  };

  using clock = std::chrono::steady_clock;
  if (!pass()) return 1;  // warm-up: caches, the decoder's buffers
  std::vector<double> rounds;
  const auto start = clock::now();
  while (static_cast<int>(rounds.size()) < min_rounds ||
         std::chrono::duration<double>(clock::now() - start).count() < min_seconds) {
    const auto t0 = clock::now();
    const bool ok = pass();
    const auto t1 = clock::now();
    if (!ok) return 1;
    rounds.push_back(std::chrono::duration<double>(t1 - t0).count());
  }
  std::vector<double> sorted = rounds;
  std::sort(sorted.begin(), sorted.end());
  const double best = sorted.front();
  const double median = sorted[sorted.size() / 2];
  const double bytes = static_cast<double>(mix.bytes());
  std::printf(
      "{\"impl\":\"sioconf\",\"decoder\":\"sioconf::sio::PacketDecoder\",\"json_block_check\":\"%s\","
      "\"packets\":%u,\"messages\":%zu,"
      "\"bytes\":%.0f,\"attachments\":%llu,\"rounds\":%zu,\"best_s\":%.6f,\"median_s\":%.6f,"
      "\"packets_per_s\":%.0f,\"mb_per_s\":%.2f}\n",
      sioconf::detail::json_fast_isa(), mix.packets, messages.size(), bytes,
      static_cast<unsigned long long>(sink.attachments), rounds.size(), best, median, mix.packets / best,
      bytes / best / 1e6);
  std::fprintf(stderr, "sioconf: %zu rounds, best %.2f ms, %.0f packets/s, %.1f MB/s\n", rounds.size(), best * 1e3,
               mix.packets / best, bytes / best / 1e6);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string write_path, decode_path;
  std::uint64_t seed = 20261122;
  std::uint32_t packets = 20000;
  double min_seconds = 1.0;
  int min_rounds = 5;
  if (argc % 2 == 0) return usage();  // every option takes one value
  for (int i = 1; i + 1 < argc; i += 2) {
    const char* a = argv[i];
    const char* v = argv[i + 1];
    if (!std::strcmp(a, "--write-mix")) {
      write_path = v;
    } else if (!std::strcmp(a, "--decode")) {
      decode_path = v;
    } else if (!std::strcmp(a, "--seed")) {
      seed = std::strtoull(v, nullptr, 10);
    } else if (!std::strcmp(a, "--packets")) {
      packets = static_cast<std::uint32_t>(std::strtoul(v, nullptr, 10));
    } else if (!std::strcmp(a, "--min-seconds")) {
      min_seconds = std::strtod(v, nullptr);
    } else if (!std::strcmp(a, "--min-rounds")) {
      min_rounds = std::atoi(v);
    } else {
      return usage();
    }
  }
  if (write_path.empty() == decode_path.empty()) return usage();
  if (!write_path.empty()) return write(write_path, seed, packets);
  return decode(decode_path, min_seconds, min_rounds);
}
