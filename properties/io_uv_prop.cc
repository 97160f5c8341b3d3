// The stream properties again on the real backend: io::UvLoop, TCP over 127.0.0.1 (an ephemeral
// port per case), the kernel's chunking, pauses and handler durations as real timers of a few ms.
// Each property runs 1/40 of the cases (prop::check_fewer: 25 at the default 1000), and each case
// is bounded in time (test::UvBackend runs the loop under a 5 s watchdog). What they check:
//   UvBackpressure: scenario::Backpressure (io_stream_scenarios.h) with randomized write sizes and
//     marks: buffered() <= high_water + the largest write, every byte once and in order, then the
//     end; completions in write order; on_drain once per over-high-water episode.
//   UvReads: scenario::Reads: one read at a time, the end once and nothing after it, the bytes a
//     prefix of what was sent (all of it unless the writer closed early, at a generated moment).
//   UvOrdering: an io::OrderedDispatcher fed with the chunks a stream reads, each handler taking 0-3
//     ms of real time: handlers start and finish in arrival order, never two at once, and the
//     chunks they handled are the bytes sent.
// Twins: the naive dispatcher (at run time) breaks UvOrdering; planted/stream_no_high_water.patch
// breaks UvBackpressure and planted/stream_pause_drop.patch UvReads (patched builds, as in
// io_backpressure_prop.cc and io_reads_prop.cc, which also plant eager drain and completion order).
#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <numeric>
#include <vector>

#include "io/backends.h"
#include "io_stream_scenarios.h"
#include "prop.h"
#include "sioconf/io/dispatcher.h"
#include "sioconf/io/stream.h"
#include "support/naive_dispatcher.h"

namespace sioconf::io {
namespace {

using scenario::Write;

/// A list of 1 to about `most` * size / 100 elements (never empty: a case without writes costs a
/// connection and checks nothing). The count shrinks towards 1.
template <typename T>
rc::Gen<std::vector<T>> list_of(rc::Gen<T> element, std::size_t most) {
  return rc::gen::mapcat(rc::gen::inRange<std::size_t>(1, most + 1),
                         [element](std::size_t n) { return rc::gen::container<std::vector<T>>(n, element); });
}

rc::Gen<std::vector<Write>> writes(std::size_t largest, std::size_t most) {
  return list_of(rc::gen::build<Write>(rc::gen::set(&Write::size, rc::gen::inRange<std::size_t>(1, largest + 1)),
                                       rc::gen::set(&Write::gap_ms, rc::gen::inRange(0, 3))),
                 most);
}

/// Real milliseconds: a few at most, and only for the first few chunks, so a case stays short.
rc::Gen<std::vector<int>> pauses() { return list_of(rc::gen::inRange(0, 4), 8); }

void check_uv_backpressure() {
  StreamOptions options;
  options.high_water = *rc::gen::inRange<std::size_t>(256, 65'537);
  options.low_water = options.high_water * *rc::gen::inRange<std::size_t>(0, 101) / 100;
  const std::vector<Write> w = *writes(65'536, 20);
  const std::vector<int> p = *pauses();
  prop::Case c(w.size());
  test::UvBackend backend;
  auto [producer_end, consumer_end] = backend.connected_pair();
  RC_ASSERT(producer_end != nullptr && consumer_end != nullptr);
  scenario::Backpressure run(backend.loop(), std::move(producer_end), std::move(consumer_end), w, p, options, true);
  run.start();
  run.finish(backend.run());
  run.close();
  backend.run();
  RC_TAG(run.episodes() == 0 ? "never over high water" : "over high water");
  if (run.violations().any()) RC_FAIL(run.violations().first());
}

TEST(UvBackpressure, BoundedBufferOrderedDeliveryAndDrain) { prop::check_fewer(check_uv_backpressure, 40); }

void check_uv_reads() {
  const std::vector<Write> w = *writes(16'384, 12);
  const std::vector<int> p = *pauses();
  // The writer closes that many ms after the start, or never (0).
  const int close_after_ms = *rc::gen::weightedOneOf<int>({{3, rc::gen::just(0)}, {1, rc::gen::inRange(1, 6)}});
  prop::Case c(w.size() + p.size());
  test::UvBackend backend;
  auto [writer_end, reader_end] = backend.connected_pair();
  RC_ASSERT(writer_end != nullptr && reader_end != nullptr);
  scenario::Reads run(backend.loop(), std::move(writer_end), std::move(reader_end), w, p);
  scenario::ReadsExpect expect = scenario::ReadsExpect::everything;
  if (close_after_ms > 0) {
    RC_ASSERT(backend.loop().start_timer(static_cast<std::uint64_t>(close_after_ms), [&] {
      if (run.over()) return;  // too late to change anything
      run.writer().close();
      expect = scenario::ReadsExpect::prefix_end;
    }) != 0);
  }
  run.start();
  const bool idle = backend.run();
  run.finish(idle, expect);
  run.close();
  backend.run();
  RC_TAG(expect == scenario::ReadsExpect::everything ? "all sent" : "writer closed early");
  if (run.violations().any()) RC_FAIL(run.violations().first());
}

TEST(UvReads, OneAtATimeEndOnceNothingLost) { prop::check_fewer(check_uv_reads, 40); }

// Ordering over a real connection: each chunk read is an item of the dispatcher.
template <template <typename> class Dispatcher>
void check_uv_ordering() {
  const std::vector<Write> w = *writes(4'096, 12);
  // Real milliseconds each handler takes, item by item (0: it finishes at once; later ones: 0).
  const std::vector<int> durations = *list_of(rc::gen::inRange(0, 4), 8);
  prop::Case c(w.size());
  test::UvBackend backend;
  Loop& loop = backend.loop();
  auto [writer_end, reader_end] = backend.connected_pair();
  RC_ASSERT(writer_end != nullptr && reader_end != nullptr);
  const std::vector<std::uint8_t> sent = scenario::message(scenario::total_size(w));
  scenario::Timers timers(loop);
  scenario::Violations violations;
  std::vector<std::vector<std::uint8_t>> chunks;  // item i is chunk i, in arrival order
  std::vector<std::size_t> started, finished;
  std::vector<std::uint8_t> handled;  // the chunks' bytes, in the order their handlers finished
  int in_flight = 0, most_in_flight = 0, ends = 0;
  bool idle = false;
  {
    Stream writer(loop, std::move(writer_end)), reader(loop, std::move(reader_end));
    Dispatcher<std::size_t> dispatcher([&](std::size_t i, Done done) {
      started.push_back(i);
      most_in_flight = std::max(most_in_flight, ++in_flight);
      auto finish = [&, i, done] {
        finished.push_back(i);
        handled.insert(handled.end(), chunks[i].begin(), chunks[i].end());
        --in_flight;
        done();
      };
      const int ms = i < durations.size() ? durations[i] : 0;
      if (ms == 0) finish();
      else timers.after(ms, finish);
    });
    std::function<void()> read_next = [&] {
      const Errc e = reader.read([&](Errc error, ByteView bytes) {
        if (error != Errc::none) return violations.fail("the reader got " + std::string(name(error)));
        if (bytes.empty()) {
          ++ends;
          return;
        }
        chunks.emplace_back(bytes.begin(), bytes.end());
        dispatcher.push(chunks.size() - 1);
        read_next();
      });
      if (e != Errc::none) violations.fail("read() refused: " + std::string(name(e)));
    };
    std::size_t next = 0, offset = 0;
    bool gap_waited = false;
    std::function<void()> write_next = [&] {
      while (next < w.size()) {
        if (w[next].gap_ms > 0 && !gap_waited) {
          gap_waited = true;
          timers.after(w[next].gap_ms, write_next);
          return;
        }
        gap_waited = false;
        if (writer.write(ByteView(sent.data() + offset, w[next].size)) == WriteStatus::refused)
          violations.fail("write refused: " + std::string(name(writer.last_write_error())));
        offset += w[next++].size;
      }
      writer.shutdown();
    };
    write_next();
    read_next();
    idle = backend.run();
    timers.cancel_all();
    writer.close();
    reader.close();
    backend.run();
  }
  RC_TAG(chunks.size() < 2 ? "one chunk or none" : chunks.size() < w.size() ? "chunks merged" : "chunk per write");
  if (violations.any()) RC_FAIL(violations.first());
  RC_ASSERT(idle);
  std::vector<std::size_t> arrived(chunks.size());
  std::iota(arrived.begin(), arrived.end(), std::size_t{0});
  RC_ASSERT(started == arrived);
  RC_ASSERT(finished == arrived);
  RC_ASSERT(most_in_flight <= 1);
  RC_ASSERT(handled == sent);
  RC_ASSERT(ends == 1);
}

TEST(UvOrdering, ChunksHandledInArrivalOrderOneAtATime) { prop::check_fewer(check_uv_ordering<OrderedDispatcher>, 40); }

// The twins. On libuv the kernel, not a shrinkable schedule, decides the chunking, so the shrunk
// size is not promised to be minimal: the bound is the generator's largest case. What they show is
// that these oracles, on the real backend, catch each bug.
TEST(Planted, naive_dispatch) { prop::expect_counterexample(check_uv_ordering<NaiveDispatcher>, 12); }

PLANTED_TWIN(stream_no_high_water) { prop::expect_counterexample(check_uv_backpressure, 20); }

PLANTED_TWIN(stream_pause_drop) { prop::expect_counterexample(check_uv_reads, 12 + 8); }

}  // namespace
}  // namespace sioconf::io
