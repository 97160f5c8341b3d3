// sioconf/io/stream.h — a connection as its user wants it: pull reads, a bounded write queue with
// a high-water mark and drain, and clean close. The C++ twin of a promise-style Node socket
// (pauseOnConnect; read() resumes it for one 'data' event; write() resolves once sent).
//
//   io::Stream s(loop, std::move(transport), limits);
//   s.read([&](Errc e, ByteView bytes) { ... s.read(...) again to get more ... });
//   if (s.write(reply) == io::WriteStatus::over_high_water) s.on_drain([&] { resume(); });
//   s.close([&] { ... nothing of `s` runs after this ... });
//
// Reading is pulled: at most one read is outstanding, and while none is the transport is paused
// (read_stop), so a slow consumer slows the peer down instead of buffering without bound (the
// reading side of backpressure, as `pauseOnConnect` in a Node server). A read's handler runs
// once, from the loop, with one of:
//   (none, bytes)      bytes.size() > 0; the view is valid only during the call
//   (none, empty)      the end of the stream: the peer shut down its writing side. Once.
//   (io_reset, empty)  the connection failed
//   (io_cancelled, empty)  the stream was closed before anything arrived
// Bytes, the end or an error that arrive while no read is outstanding are kept, in order, for the
// next read: nothing is lost between pause and resume.
//
// Writing is bounded: write() copies the bytes into the queue and says whether the queue is now
// over the high-water mark. A producer that stops on over_high_water and resumes on on_drain keeps
// buffered() at most high_water + one write. One that ignores the signal is stopped by
// Limits::stream_max_buffered_bytes: the write is refused with limit_stream_buffered_bytes instead
// of growing memory (Node's socket.write() always succeeds and queues without bound).
// Completions run in write order.
//
// Closing: close() cancels the outstanding read and the writes not yet done (io_cancelled), runs its
// own callback last, and after that nothing of this stream runs again, whatever the transport
// does. Destroying a stream that was not closed closes it silently (no user callback runs).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "sioconf/bytes.h"
#include "sioconf/errc.h"
#include "sioconf/io/loop.h"
#include "sioconf/io/transport.h"
#include "sioconf/limits.h"

namespace sioconf::io {

/// write()'s answer (cf. uWS SendStatus, Node's write() == false).
enum class WriteStatus : std::uint8_t {
  queued,           // queued; the queue is at or under the high-water mark
  over_high_water,  // queued; the queue is over the high-water mark: wait for on_drain
  refused,          // not queued, `done` will not run: see last_write_error()
};

struct StreamOptions {
  std::size_t high_water = 65'536;  // write() answers over_high_water above this (Node: 16 KiB;
                                    // 64 KiB keeps libuv's writes large)
  std::size_t low_water = 16'384;   // on_drain runs when buffered() falls to this or below
};

struct StreamCore;  // private; outlives the stream until the transport's callbacks are done

class Stream {
 public:
  using ReadHandler = std::function<void(Errc error, ByteView bytes)>;
  using Done = std::function<void(Errc error)>;

  /// Takes the transport. Of `limits` the stream uses stream_max_buffered_bytes.
  Stream(Loop& loop, TransportPtr transport, const Limits& limits = {}, StreamOptions options = {});
  ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  /// Asks for the next bytes (see above). Returns none, or — and then `handler` never runs —
  /// io_read_pending (a read is outstanding), io_read_after_eof (the end was already delivered),
  /// io_closed (close() was called).
  Errc read(ReadHandler handler);

  /// Queues a copy of `bytes`; `done` (may be empty) runs once, in write order, with none or the
  /// transport's error (io_write_failed, io_cancelled). refused when the stream is closing
  /// (io_closed), after shutdown() (io_write_after_shutdown), or when the queue would pass
  /// Limits::stream_max_buffered_bytes (limit_stream_buffered_bytes).
  WriteStatus write(ByteView bytes, Done done = {});
  /// Why the last write() was refused (Errc::none if it was not).
  Errc last_write_error() const noexcept;

  /// Bytes written and not yet completed.
  std::size_t buffered() const noexcept;
  /// Runs `callback` (once per over-high-water episode) when, after a write answered
  /// over_high_water, buffered() falls to low_water or below. Replaces an earlier callback.
  void on_drain(std::function<void()> callback);

  /// Ends the writing side after the queued writes (the peer reads the end); reading goes on.
  /// `done` runs once with none or io_shutdown_failed / io_cancelled / io_closed.
  void shutdown(Done done = {});

  /// Ends the stream (see above). A second call only adds its `done`.
  void close(std::function<void()> done = {});
  /// The same, with a TCP reset instead of the FIN (Transport::reset).
  void reset(std::function<void()> done = {});
  bool closing() const noexcept;

  std::string peer() const;

 private:
  std::shared_ptr<StreamCore> core_;
};

}  // namespace sioconf::io
