#include "sioconf/io/stream.h"

#include <vector>

namespace sioconf::io {

// The stream's state. Shared with the completions handed to the transport, so that it outlives a
// Stream destroyed before its transport finished calling back.
struct StreamCore final : TransportEvents, std::enable_shared_from_this<StreamCore> {
  StreamCore(Loop& l, TransportPtr t, const Limits& limits, StreamOptions o)
      : loop(l), transport(std::move(t)), max_buffered(limits.stream_max_buffered_bytes), options(o) {}

  Loop& loop;
  TransportPtr transport;
  std::uint64_t max_buffered;
  StreamOptions options;

  Stream::ReadHandler pending;
  bool reading = false;  // the transport is between read_start and read_stop
  bool flush_posted = false;
  // Arrived while no read was outstanding (a read or two at most: the transport is paused then).
  // Not a deque, which allocates when made: a server keeps a stream per idle connection.
  std::vector<std::vector<std::uint8_t>> kept;
  bool eof_arrived = false, eof_delivered = false;
  Errc error_arrived = Errc::none;

  std::size_t buffered = 0;
  bool need_drain = false;
  std::function<void()> drain;
  bool shut = false;
  Errc last_write_error = Errc::none;

  // Writes are gathered while one transport write is in flight and sent together when it
  // completes (as Node's writev does): many small replies cost one system call, not one each.
  struct Pending {
    std::size_t size;
    Stream::Done done;
  };
  bool in_flight = false;
  std::vector<Pending> flight;  // the user writes inside the transport write in flight
  std::vector<Pending> batch;   // the user writes waiting for it
  std::vector<std::uint8_t> batch_bytes;
  Stream::Done shutdown_done;
  bool shutdown_due = false;  // shutdown() came while writes were waiting

  bool closing = false, abandoned = false;
  std::vector<std::function<void()>> close_done;

  void start() { transport->set_events(this); }

  void pause() {
    if (reading) transport->read_stop();
    reading = false;
  }

  // Gives the outstanding read what was kept, in arrival order.
  void flush() {
    flush_posted = false;
    if (closing || !pending) return;
    Stream::ReadHandler h = std::move(pending);
    pending = nullptr;
    if (!kept.empty()) {
      const std::vector<std::uint8_t> bytes = std::move(kept.front());
      kept.erase(kept.begin());
      h(Errc::none, ByteView(bytes.data(), bytes.size()));
    } else if (error_arrived != Errc::none) {
      h(error_arrived, {});  // sticky: every later read sees it too
    } else if (eof_arrived) {
      eof_delivered = true;
      h(Errc::none, {});
    }
    if (!pending) pause();
  }

  void on_read(ByteView bytes) override {
    if (closing) return;
    if (!pending) {
      kept.emplace_back(bytes.begin(), bytes.end());
      pause();  // nobody reads: let the transport (and the peer) wait
      return;
    }
    Stream::ReadHandler h = std::move(pending);
    pending = nullptr;
    h(Errc::none, bytes);
    // A handler that reads again keeps the transport running; otherwise it pauses.
    if (!pending) pause();
  }

  void on_eof() override {
    if (closing) return;
    pause();
    if (!pending) {
      eof_arrived = true;
      return;
    }
    Stream::ReadHandler h = std::move(pending);
    pending = nullptr;
    eof_arrived = eof_delivered = true;
    h(Errc::none, {});
  }

  void on_error(Errc error) override {
    if (closing) return;
    pause();
    error_arrived = error;
    if (!pending) return;
    Stream::ReadHandler h = std::move(pending);
    pending = nullptr;
    h(error, {});
  }

  void submit(ByteView bytes, std::vector<Pending> group) {
    in_flight = true;
    flight = std::move(group);
    transport->write(bytes, [self = shared_from_this()](Errc e) { self->completed(e); });
  }

  void completed(Errc error) {
    std::vector<Pending> done_group = std::move(flight);
    flight.clear();
    // in_flight stays set while the callbacks run: what they write joins the batch, in order.
    for (Pending& p : done_group) {
      buffered -= p.size;
      if (!abandoned && p.done) p.done(error);
    }
    in_flight = false;
    if (!batch.empty() && !closing) {
      std::vector<Pending> group = std::move(batch);
      batch.clear();
      submit(ByteView(batch_bytes.data(), batch_bytes.size()), std::move(group));
      // The transport copied them. Freed rather than kept for the next batch: an idle stream
      // keeps no buffer, and a busy one allocates once per batch, not per write.
      std::vector<std::uint8_t>().swap(batch_bytes);
    }
    if (shutdown_due && batch.empty()) {
      shutdown_due = false;
      start_shutdown();
    }
    if (need_drain && buffered <= options.low_water && !closing) {
      need_drain = false;
      if (!abandoned && drain) drain();
    }
  }

  void start_shutdown() {
    transport->shutdown([self = shared_from_this()](Errc e) {
      Stream::Done done = std::move(self->shutdown_done);
      self->shutdown_done = nullptr;
      if (!self->abandoned && done) done(e);
    });
  }

  void close(std::function<void()> done, bool reset = false) {
    if (done) close_done.push_back(std::move(done));
    if (closing) return;
    closing = true;
    pause();
    auto closed = [self = shared_from_this()] {
      // The transport has cancelled our writes; the read still outstanding is cancelled now, and
      // the close callbacks run last.
      if (self->pending) {
        Stream::ReadHandler h = std::move(self->pending);
        self->pending = nullptr;
        if (!self->abandoned) h(Errc::io_cancelled, {});
      }
      std::vector<Pending> never_sent = std::move(self->batch);
      self->batch.clear();
      for (Pending& p : never_sent) {
        self->buffered -= p.size;
        if (!self->abandoned && p.done) p.done(Errc::io_cancelled);
      }
      if (self->shutdown_due) {
        self->shutdown_due = false;
        Stream::Done shut_done = std::move(self->shutdown_done);
        if (!self->abandoned && shut_done) shut_done(Errc::io_cancelled);
      }
      std::vector<std::function<void()>> callbacks = std::move(self->close_done);
      self->close_done.clear();
      if (!self->abandoned)
        for (auto& cb : callbacks) cb();
      self->drain = nullptr;
      // Freed from a later task: the transport may still be inside this callback.
      self->loop.post([self] {});
    };
    if (reset) transport->reset(std::move(closed));
    else transport->close(std::move(closed));
  }
};

Stream::Stream(Loop& loop, TransportPtr transport, const Limits& limits, StreamOptions options)
    : core_(std::make_shared<StreamCore>(loop, std::move(transport), limits, options)) {
  core_->start();
}

Stream::~Stream() {
  core_->abandoned = true;  // no user callback runs from now on
  core_->close(nullptr);
}

Errc Stream::read(ReadHandler handler) {
  StreamCore& c = *core_;
  if (c.closing) return Errc::io_closed;
  if (c.pending) return Errc::io_read_pending;
  if (c.eof_delivered) return Errc::io_read_after_eof;
  c.pending = std::move(handler);
  if (!c.kept.empty() || c.eof_arrived || c.error_arrived != Errc::none) {
    if (!c.flush_posted) {
      c.flush_posted = true;
      c.loop.post([core = core_] { core->flush(); });
    }
  } else if (!c.reading) {
    c.reading = true;
    c.transport->read_start();
  }
  return Errc::none;
}

WriteStatus Stream::write(ByteView bytes, Done done) {
  StreamCore& c = *core_;
  if (c.closing) c.last_write_error = Errc::io_closed;
  else if (c.shut) c.last_write_error = Errc::io_write_after_shutdown;
  else if (c.buffered + bytes.size() > c.max_buffered) c.last_write_error = Errc::limit_stream_buffered_bytes;
  else c.last_write_error = Errc::none;
  if (c.last_write_error != Errc::none) return WriteStatus::refused;
  const std::size_t size = bytes.size();
  c.buffered += size;
  if (c.in_flight) {
    c.batch_bytes.insert(c.batch_bytes.end(), bytes.begin(), bytes.end());
    c.batch.push_back({size, std::move(done)});
  } else {
    std::vector<StreamCore::Pending> group;
    group.push_back({size, std::move(done)});
    c.submit(bytes, std::move(group));
  }
  if (c.buffered <= c.options.high_water) return WriteStatus::queued;
  c.need_drain = true;
  return WriteStatus::over_high_water;
}

Errc Stream::last_write_error() const noexcept { return core_->last_write_error; }
std::size_t Stream::buffered() const noexcept { return core_->buffered; }
void Stream::on_drain(std::function<void()> callback) { core_->drain = std::move(callback); }

void Stream::shutdown(Done done) {
  StreamCore& c = *core_;
  if (c.closing || c.shut) {
    if (done) c.loop.post([done = std::move(done)] { done(Errc::io_closed); });
    return;
  }
  c.shut = true;
  c.shutdown_done = std::move(done);
  if (c.batch.empty()) c.start_shutdown();  // the transport orders it after the write in flight
  else c.shutdown_due = true;               // after the gathered writes are handed over
}

void Stream::close(std::function<void()> done) { core_->close(std::move(done)); }
void Stream::reset(std::function<void()> done) { core_->close(std::move(done), true); }
bool Stream::closing() const noexcept { return core_->closing; }
std::string Stream::peer() const { return core_->transport->peer(); }

}  // namespace sioconf::io
