// sioconf/ack/ack_table.h — the acks one socket waits for, in one namespace.
//
//   ack::AckTable acks(loop, limits);
//   std::uint64_t id;
//   if (Errc e = acks.add(on_answer, 5000, id); e != Errc::none) return fail(e);
//   send_event_with_ack_id(id, ...);                    // 2["ask",...] with id, e.g. "21["ask"]"
//   ...
//   acks.settle(packet.id, packet.args_json);           // an ACK packet arrived: 31["yes"]
//   ...
//   acks.disconnect();                                  // the socket is gone: everyone hears it
//
// What socket.io does (socket.io/lib/socket.js): `this.acks[this.nsp.ids] = fn;
// packet.id = this.nsp.ids++`, and onack calls `this.acks[id]` and deletes it. That map has no
// bound: a peer that never answers makes the server hold every callback until disconnect (the ack
// leak). This table is the same map with the leak closed:
//   - at most Limits::max_pending_acks entries wait at once (limit_pending_acks past it);
//   - each entry may carry a timeout (a loop timer), after which it is settled with ack_timeout;
//   - disconnect() settles every entry with ack_disconnected, so no callback waits forever.
//
// Every entry is settled exactly once: by its ACK (Errc::none), its timeout (ack_timeout) or the
// disconnect (ack_disconnected), whichever comes first. The entry is removed and its timer
// cancelled *before* its callback runs, so a callback never runs twice, never after its entry was
// settled, and may call back into the table (add, settle, disconnect) or even destroy it.
//
// Threading: one thread, the loop's (io/loop.h). Nothing here blocks. The loop must outlive the
// table; a table's timers never outlive the table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string_view>

#include "sioconf/errc.h"
#include "sioconf/io/loop.h"
#include "sioconf/limits.h"

namespace sioconf::ack {

/// Called once per entry.
///   error == Errc::none:         the ACK arrived; `args_json` is its JSON array text (e.g.
///                                `["yes",1]`), a view valid only during the call (copy to keep);
///   error == ack_timeout:        the entry's timeout passed first; `args_json` is empty;
///   error == ack_disconnected:   disconnect() came first; `args_json` is empty.
/// A callback should not throw; if one does, the exception reaches the caller of settle() /
/// disconnect() / the loop, and the table stays consistent (see disconnect()).
using AckCallback = std::function<void(Errc error, std::string_view args_json)>;

class AckTable {
 public:
  /// Of `limits`, max_pending_acks and max_ack_id are used; they are copied. `loop` (for the
  /// timeouts) is borrowed and must outlive the table.
  AckTable(io::Loop& loop, const Limits& limits);

  /// Cancels the timers of pending entries and drops their callbacks WITHOUT calling them. A socket
  /// calls disconnect() first when its callbacks must learn the outcome; destruction is for a
  /// table whose owner no longer cares (and never runs user code from a destructor).
  ~AckTable();

  AckTable(const AckTable&) = delete;
  AckTable& operator=(const AckTable&) = delete;

  /// Registers `cb` for the next ack id and writes that id to `id`. Ids start at 0 and increase by
  /// one per successful add (socket.io's `nsp.ids++`); a refused add consumes no id.
  /// `timeout_ms` 0: no timeout, the entry waits for its ACK or disconnect(). Otherwise a loop
  /// timer settles the entry with ack_timeout once loop.now() reaches now + timeout_ms (never
  /// before).
  /// Returns (nothing is added and `id` is left unchanged unless it is none):
  ///   none                 added;
  ///   ack_disconnected     disconnect() was called: the socket is gone;
  ///   limit_pending_acks   Limits::max_pending_acks entries are already pending;
  ///   limit_ack_id         the next id would be above Limits::max_ack_id (2^53-1 by default,
  ///                        what a JavaScript peer holds exactly; its decoder would refuse it);
  ///   io_timer_failed      the loop could not start the timer (start_timer returned 0).
  /// An empty `cb` is allowed: the entry counts and settles like any other, and nothing is called.
  Errc add(AckCallback cb, std::uint64_t timeout_ms, std::uint64_t& id);

  /// An ACK with `id` arrived carrying `args_json` (its JSON array text, passed through to the
  /// callback unchanged). If `id` is pending: removes the entry, cancels its timer, calls its
  /// callback with Errc::none, and returns true. Otherwise returns false and calls nothing:
  ///   - an id this table never issued (>= next_id()) counts in unknown_acks();
  ///   - an id already settled (an ACK twice, an ACK after the timeout, anything after
  ///     disconnect()) counts in duplicate_acks().
  /// A peer can send both kinds at will; they are counted, never an error of the table.
  bool settle(std::uint64_t id, std::string_view args_json);

  /// The socket disconnected. Every pending entry is removed and its timer cancelled, then the
  /// callbacks run with ack_disconnected, in id order. From the first moment of the call, size()
  /// is 0, add() returns ack_disconnected and settle() returns false, also from inside those
  /// callbacks. Calling it again does nothing. If a callback throws, the exception propagates and
  /// the entries after it are dropped without being called (their timers are already cancelled).
  void disconnect();

  /// The socket is back: a client joined the namespace again after disconnect() (socket.io makes a
  /// new socket for it, with a fresh ack map). add() works again. Ids go on from next_id(), as
  /// socket.io's per-namespace counter does, so an ACK meant for an entry of the earlier
  /// connection counts as a duplicate and never settles a new entry. Does nothing unless
  /// disconnected() (the table is empty then).
  void reopen() noexcept { disconnected_ = false; }

  /// Entries pending (added, not yet settled).
  std::size_t size() const noexcept { return pending_.size(); }
  /// The id the next successful add() will issue.
  std::uint64_t next_id() const noexcept { return next_id_; }
  /// True once disconnect() was called.
  bool disconnected() const noexcept { return disconnected_; }
  /// settle() calls for ids never issued.
  std::uint64_t unknown_acks() const noexcept { return unknown_acks_; }
  /// settle() calls for ids issued and already settled.
  std::uint64_t duplicate_acks() const noexcept { return duplicate_acks_; }
  /// Entries settled by their timeout.
  std::uint64_t timeouts() const noexcept { return timeouts_; }

 private:
  struct Entry {
    AckCallback callback;
    io::TimerId timer = 0;  // 0: no timeout
  };
  void expire(std::uint64_t id);

  io::Loop& loop_;
  std::uint32_t max_pending_;
  std::uint64_t max_ack_id_;
  std::map<std::uint64_t, Entry> pending_;  // by id: disconnect() settles in id order
  std::uint64_t next_id_ = 0;
  bool disconnected_ = false;
  std::uint64_t unknown_acks_ = 0;
  std::uint64_t duplicate_acks_ = 0;
  std::uint64_t timeouts_ = 0;
};

}  // namespace sioconf::ack
