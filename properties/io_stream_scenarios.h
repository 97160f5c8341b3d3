// properties/io_stream_scenarios.h — the two stream scenarios that io_backpressure_prop.cc and
// io_reads_prop.cc run on the simulator and io_uv_prop.cc runs on libuv: the same producer, consumer
// and checks over any io::Loop and a connected pair of transports. The property files bring the
// backend, the generated inputs and the fault schedule.
//
// A scenario never throws from inside the loop: a callback that sees a rule broken records it
// (first one wins) and the run goes on. An RC_ASSERT thrown through a stream's completion would
// leave the stream half-way through its bookkeeping, and the loop's queued tasks would then outlive
// the objects they point at. The property checks violation() once the loop is idle again.
#pragma once

#include <rapidcheck.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "sioconf/errc.h"
#include "sioconf/io/loop.h"
#include "sioconf/io/sim.h"
#include "sioconf/io/stream.h"
#include "sioconf/io/transport.h"
#include "sioconf/limits.h"

namespace sioconf::io::scenario {

/// The simulator's decisions for a property: the generated list first (RapidCheck shrinks it), then
/// a generated seed. io::ListChoices alone answers 0 once its list is used up, which means 1-byte
/// reads and pipe moves and a stall at every delivery: a few KiB would cost thousands of steps per
/// case, where the rate requirement is 5,000 cases/s.
class ListThenSeeded final : public Choices {
 public:
  ListThenSeeded(std::vector<std::size_t> list, std::uint64_t seed)
      : length_(list.size()), list_(std::move(list)), tail_(seed) {}
  std::size_t choose(std::size_t n) override { return list_.used() < length_ ? list_.choose(n) : tail_.choose(n); }

 private:
  std::size_t length_;
  ListChoices list_;
  SeededChoices tail_;
};

/// A list of at most about size/`divisor` elements, each generated at the full size: the pieces
/// still reach their largest sizes while the list stays short (the rate depends on the bytes moved).
template <typename T>
rc::Gen<std::vector<T>> short_list(rc::Gen<T> element, int divisor) {
  return rc::gen::withSize([element, divisor](int size) {
    return rc::gen::resize(size / divisor, rc::gen::container<std::vector<T>>(rc::gen::resize(size, element)));
  });
}

/// `n` bytes whose every position has its own value pattern (a hash of the offset): a chunk that is
/// dropped, doubled or moved shows up in the comparison, not only in the length.
inline std::vector<std::uint8_t> message(std::size_t n) {
  std::vector<std::uint8_t> bytes(n);
  for (std::size_t i = 0; i < n; ++i)
    bytes[i] = static_cast<std::uint8_t>((static_cast<std::uint32_t>(i) * 0x9E3779B1u) >> 24);
  return bytes;
}

/// One write of the producer: `size` bytes, `gap_ms` after the previous one (0: in the same burst).
struct Write {
  std::size_t size = 1;
  int gap_ms = 0;
};

inline void showValue(const Write& w, std::ostream& os) {
  os << w.size;
  if (w.gap_ms > 0) os << " after " << w.gap_ms << " ms";
}

inline std::size_t total_size(const std::vector<Write>& writes) {
  std::size_t n = 0;
  for (const Write& w : writes) n += w.size;
  return n;
}

/// The first rule a run broke, as text for the counterexample report.
class Violations {
 public:
  void fail(std::string what) {
    if (first_.empty()) first_ = std::move(what);
  }
  bool any() const noexcept { return !first_.empty(); }
  const std::string& first() const noexcept { return first_; }

 private:
  std::string first_;
};

inline std::string describe_mismatch(const std::vector<std::uint8_t>& got, const std::vector<std::uint8_t>& sent) {
  const auto diff = std::mismatch(got.begin(), got.end(), sent.begin(), sent.end());
  return "received " + std::to_string(got.size()) + " of " + std::to_string(sent.size()) +
         " bytes, first difference at offset " + std::to_string(diff.first - got.begin());
}

/// Timers a scenario started, cancelled when it closes so that none runs into a destroyed scenario
/// (a run cut short by a watchdog leaves some behind).
class Timers {
 public:
  explicit Timers(Loop& loop) : loop_(loop) {}
  /// Runs `task` after `ms` (a timer), or from a posted task if no timer can be had (the simulator's
  /// fault schedule may refuse one: a pause must not turn into a hang of the test itself).
  void after(int ms, Task task) {
    const TimerId id = loop_.start_timer(static_cast<std::uint64_t>(ms), task);
    if (id != 0) ids_.push_back(id);
    else loop_.post(std::move(task));
  }
  void cancel_all() noexcept {
    for (const TimerId id : ids_) loop_.cancel_timer(id);
    ids_.clear();
  }

 private:
  Loop& loop_;
  std::vector<TimerId> ids_;
};

/// Backpressure: a producer writes `writes` into a Stream with a high-water mark
/// and, if it obeys, stops at over_high_water and resumes from on_drain; a consumer reads the other
/// end, pausing `pauses[k]` ms before re-arming after its k-th chunk (0 once the list is used up).
/// Checked as it runs and by finish():
///   (a) buffered() <= high_water + the largest write, after every write and in every completion
///       and drain;
///   (b) the consumer receives exactly the concatenation of the writes, then the end once, after
///       shutdown();
///   (c) every completion runs once, in write order, without error;
///   (d) on_drain runs once per over-high-water episode (a write answered over_high_water, none
///       open), only then, with buffered() <= low_water, and no later than the completion that
///       brought buffered() there; at the end no episode is open.
class Backpressure {
 public:
  Backpressure(Loop& loop, TransportPtr producer_end, TransportPtr consumer_end, std::vector<Write> writes,
               std::vector<int> pauses, StreamOptions options, bool obey_high_water)
      : loop_(loop),
        writes_(std::move(writes)),
        pauses_(std::move(pauses)),
        options_(options),
        obey_(obey_high_water),
        sent_(message(total_size(writes_))),
        timers_(loop),
        producer_(loop, std::move(producer_end), unlimited(), options),
        consumer_(loop, std::move(consumer_end)) {
    std::size_t largest = 0;
    for (const Write& w : writes_) largest = std::max(largest, w.size);
    bound_ = options_.high_water + largest;
  }
  Backpressure(const Backpressure&) = delete;
  Backpressure& operator=(const Backpressure&) = delete;

  void start() {
    producer_.on_drain([this] { drained(); });
    produce();
    read_next();
  }

  /// The checks of the end state; `idle` says whether the loop ran out of work (not cut short).
  void finish(bool idle) {
    if (!idle) violations_.fail("the run did not end (cut after its step or time budget)");
    if (next_ < writes_.size() || !shut_) {
      violations_.fail("the producer wrote " + std::to_string(next_) + " of " + std::to_string(writes_.size()) +
                       " writes and " + (shut_ ? "shut down" : "never shut down") +
                       (waiting_for_drain_ ? ": still waiting for on_drain" : ""));
    }
    if (received_ != sent_) violations_.fail("(b) " + describe_mismatch(received_, sent_));
    if (ends_ != 1) violations_.fail("(b) the end arrived " + std::to_string(ends_) + " times");
    if (completions_ != writes_.size())
      violations_.fail("(c) " + std::to_string(completions_) + " completions for " + std::to_string(writes_.size()) +
                       " writes");
    if (drains_ != episodes_ || episode_open_)
      violations_.fail("(d) " + std::to_string(drains_) + " drains for " + std::to_string(episodes_) +
                       " over-high-water episodes" + (episode_open_ ? ", one still open" : ""));
    if (producer_.buffered() != 0)
      violations_.fail("buffered() is " + std::to_string(producer_.buffered()) + " at the end");
    if (shutdown_result_ != Errc::none)
      violations_.fail("shutdown completed with " + std::string(name(shutdown_result_)));
  }

  /// Closes both streams; run the loop until idle afterwards.
  void close() {
    timers_.cancel_all();
    producer_.close();
    consumer_.close();
  }

  const Violations& violations() const noexcept { return violations_; }
  std::size_t episodes() const noexcept { return episodes_; }
  std::size_t peak() const noexcept { return peak_; }

 private:
  static Limits unlimited() {
    Limits limits;
    // Far above any generated total: for a producer that ignores the signal it is the high-water
    // mark, not this cap, that must be seen to be broken.
    limits.stream_max_buffered_bytes = std::uint64_t{1} << 40;
    return limits;
  }

  void check_bound(const char* where) {
    const std::size_t b = producer_.buffered();
    peak_ = std::max(peak_, b);
    if (b > bound_) {
      violations_.fail("(a) buffered() = " + std::to_string(b) + " " + where + ", over high_water " +
                       std::to_string(options_.high_water) + " + largest write = " + std::to_string(bound_));
    }
  }

  // Writes until an over_high_water answer (an obedient producer then waits for on_drain) or a
  // write with a gap (a timer resumes it); after the last write, shuts down.
  void produce() {
    while (next_ < writes_.size()) {
      const Write& w = writes_[next_];
      if (w.gap_ms > 0 && !gap_waited_) {
        gap_waited_ = true;
        timers_.after(w.gap_ms, [this] { produce(); });
        return;
      }
      gap_waited_ = false;
      const std::size_t i = next_++;
      const WriteStatus status =
          producer_.write(ByteView(sent_.data() + offset_, w.size), [this, i](Errc e) { completed(i, e); });
      offset_ += w.size;
      if (status == WriteStatus::refused) {
        violations_.fail("write " + std::to_string(i) + " refused: " + std::string(name(producer_.last_write_error())));
        return;
      }
      check_bound("after a write");
      if (status == WriteStatus::over_high_water) {
        if (!episode_open_) {
          episode_open_ = true;
          ++episodes_;
        }
        if (obey_) {
          waiting_for_drain_ = true;
          return;
        }
      }
    }
    if (!shut_) {
      shut_ = true;
      producer_.shutdown([this](Errc e) { shutdown_result_ = e; });
    }
  }

  void completed(std::size_t i, Errc e) {
    if (i != completions_)
      violations_.fail("(c) completion of write " + std::to_string(i) + " ran as number " +
                       std::to_string(completions_));
    ++completions_;
    if (e != Errc::none) violations_.fail("(c) write " + std::to_string(i) + " completed with " + std::string(name(e)));
    check_bound("in a completion");
    if (episode_open_ && producer_.buffered() <= options_.low_water && !drain_check_posted_) {
      // on_drain is due now: by the time a task posted from here runs, it must have run.
      drain_check_posted_ = true;
      loop_.post([this, episode = episodes_] {
        drain_check_posted_ = false;
        if (drains_ < episode)
          violations_.fail("(d) buffered() fell to low_water " + std::to_string(options_.low_water) +
                           " and on_drain did not run");
      });
    }
  }

  void drained() {
    ++drains_;
    if (!episode_open_) violations_.fail("(d) on_drain ran without a write that answered over_high_water");
    else if (producer_.buffered() > options_.low_water)
      violations_.fail("(d) on_drain ran at buffered() = " + std::to_string(producer_.buffered()) + " > low_water " +
                       std::to_string(options_.low_water));
    episode_open_ = false;
    check_bound("in on_drain");
    if (waiting_for_drain_) {
      waiting_for_drain_ = false;
      produce();
    }
  }

  void read_next() {
    const Errc e = consumer_.read([this](Errc error, ByteView bytes) { arrived(error, bytes); });
    if (e != Errc::none) violations_.fail("read() refused: " + std::string(name(e)));
  }

  void arrived(Errc error, ByteView bytes) {
    if (error != Errc::none) return violations_.fail("(b) the consumer read " + std::string(name(error)));
    if (bytes.empty()) {
      ++ends_;
      if (!shut_) violations_.fail("(b) the end arrived before the producer shut down");
      return;
    }
    received_.insert(received_.end(), bytes.begin(), bytes.end());
    const int pause = chunks_ < pauses_.size() ? pauses_[chunks_] : 0;
    ++chunks_;
    if (pause == 0) read_next();
    else timers_.after(pause, [this] { read_next(); });
  }

  Loop& loop_;
  const std::vector<Write> writes_;
  const std::vector<int> pauses_;
  const StreamOptions options_;
  const bool obey_;
  const std::vector<std::uint8_t> sent_;
  std::size_t bound_ = 0;
  Timers timers_;
  Violations violations_;

  // The producer.
  std::size_t next_ = 0, offset_ = 0, completions_ = 0, peak_ = 0;
  bool gap_waited_ = false, waiting_for_drain_ = false, shut_ = false;
  Errc shutdown_result_ = Errc::limit_memory;  // anything but none until the shutdown completes
  std::size_t episodes_ = 0, drains_ = 0;
  bool episode_open_ = false, drain_check_posted_ = false;

  // The consumer.
  std::vector<std::uint8_t> received_;
  std::size_t chunks_ = 0;
  int ends_ = 0;

  Stream producer_, consumer_;  // last: destroyed (closed) before the state their callbacks use
};

/// What a Reads run must end with, given the faults the backend injected.
enum class ReadsExpect {
  everything,     // no fault struck: every byte, then the end
  prefix_end,     // the writer closed early: a prefix of the bytes, then the end
  prefix_either,  // the connection broke: a prefix, then the end or io_reset
};

/// Reads: a writer writes `writes` and shuts down; a reader pulls with read(), pausing
/// `pauses[k]` ms before re-arming after its k-th chunk. Checked as it runs and by finish():
///   - one read at a time: a second read() while one is outstanding returns io_read_pending, and
///     its handler never runs;
///   - the end at most once and nothing after it: a read() after the end returns io_read_after_eof
///     and no handler runs after the end or an error;
///   - the run ends with the end or io_reset (never hangs, never another error);
///   - the bytes read are a prefix of the bytes written: all of them when no fault struck.
class Reads {
 public:
  Reads(Loop& loop, TransportPtr writer_end, TransportPtr reader_end, std::vector<Write> writes,
        std::vector<int> pauses)
      : writes_(std::move(writes)),
        pauses_(std::move(pauses)),
        sent_(message(total_size(writes_))),
        timers_(loop),
        writer_(loop, std::move(writer_end)),
        reader_(loop, std::move(reader_end)) {}
  Reads(const Reads&) = delete;
  Reads& operator=(const Reads&) = delete;

  void start() {
    write_next();
    arm();
  }

  /// The writer's stream, for faults (close it early).
  Stream& writer() noexcept { return writer_; }
  /// The reader saw the end or an error.
  bool over() const noexcept { return ends_ > 0 || error_ != Errc::none; }

  void finish(bool idle, ReadsExpect expect) {
    if (!idle) violations_.fail("the run did not end (cut after its step or time budget)");
    if (!over()) violations_.fail("the reader got neither the end nor an error: it hangs");
    if (received_.size() > sent_.size() || !std::equal(received_.begin(), received_.end(), sent_.begin()))
      violations_.fail("not a prefix: " + describe_mismatch(received_, sent_));
    if (expect == ReadsExpect::everything) {
      if (received_ != sent_) violations_.fail("lost bytes: " + describe_mismatch(received_, sent_));
      if (error_ != Errc::none) violations_.fail("no fault struck, yet the reader got " + std::string(name(error_)));
    }
    if (expect != ReadsExpect::prefix_either && error_ != Errc::none)
      violations_.fail("the writer only closed, yet the reader got " + std::string(name(error_)));
    if (stray_handlers_ != 0)
      violations_.fail(std::to_string(stray_handlers_) + " handlers of refused read() calls ran");
  }

  void close() {
    timers_.cancel_all();
    writer_.close();
    reader_.close();
  }

  const Violations& violations() const noexcept { return violations_; }
  std::size_t chunks() const noexcept { return chunks_; }
  Errc error() const noexcept { return error_; }

 private:
  void write_next() {
    while (next_ < writes_.size()) {
      const Write& w = writes_[next_];
      if (w.gap_ms > 0 && !gap_waited_) {
        gap_waited_ = true;
        timers_.after(w.gap_ms, [this] { write_next(); });
        return;
      }
      gap_waited_ = false;
      ++next_;
      // Refused only once a fault closed or broke the writer: the reader then sees a prefix.
      if (writer_.write(ByteView(sent_.data() + offset_, w.size)) == WriteStatus::refused) return;
      offset_ += w.size;
    }
    writer_.shutdown();
  }

  void arm() {
    const Errc e = reader_.read([this](Errc error, ByteView bytes) { arrived(error, bytes); });
    if (e != Errc::none) return violations_.fail("read() refused while none was outstanding: " + std::string(name(e)));
    const Errc again = reader_.read([this](Errc, ByteView) { ++stray_handlers_; });
    if (again != Errc::io_read_pending)
      violations_.fail("a second read() while one was outstanding returned " + std::string(name(again)));
  }

  void arrived(Errc error, ByteView bytes) {
    if (over())
      violations_.fail("a read handler ran after " + (ends_ > 0 ? std::string("the end") : std::string(name(error_))));
    if (error != Errc::none) {
      if (error != Errc::io_reset) violations_.fail("the reader got " + std::string(name(error)) + ", not io_reset");
      error_ = error;
      return;
    }
    if (bytes.empty()) {
      ++ends_;
      const Errc after = reader_.read([this](Errc, ByteView) { ++stray_handlers_; });
      if (after != Errc::io_read_after_eof)
        violations_.fail("read() after the end returned " + std::string(name(after)));
      return;
    }
    received_.insert(received_.end(), bytes.begin(), bytes.end());
    const int pause = chunks_ < pauses_.size() ? pauses_[chunks_] : 0;
    ++chunks_;
    if (pause == 0) arm();
    else timers_.after(pause, [this] { arm(); });
  }

  const std::vector<Write> writes_;
  const std::vector<int> pauses_;
  const std::vector<std::uint8_t> sent_;
  Timers timers_;
  Violations violations_;

  std::size_t next_ = 0, offset_ = 0;
  bool gap_waited_ = false;

  std::vector<std::uint8_t> received_;
  std::size_t chunks_ = 0;
  int ends_ = 0, stray_handlers_ = 0;
  Errc error_ = Errc::none;

  Stream writer_, reader_;  // last: destroyed (closed) before the state their callbacks use
};

}  // namespace sioconf::io::scenario
