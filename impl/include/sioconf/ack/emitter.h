// sioconf/ack/emitter.h — the event emitter of one socket: named listeners, catch-all listeners,
// and the listener accounting Node's EventEmitter does (the leak warning).
//
//   ack::Emitter events;
//   events.on("chat", [](const ack::Event& e) { ... e.args_json ... });
//   events.once("ready", [](const ack::Event& e) { ... });
//   events.on_any([](const ack::Event& e) { log(e.name); });       // before the named listeners
//   ...
//   events.emit("chat", "[\"hi\"]", &reply);    // reply: nullptr when the EVENT had no ack id
//   events.emit("disconnect", "[]");            // emit_reserved_event: only the library may
//   events.emit_reserved("disconnect", "[\"transport close\"]");  // the library's own path
//
// Order of calls for one emit (socket.io/lib/socket.ts onevent(), which calls the onAny listeners
// before dispatching to the named ones; Node's EventEmitter for the named ones):
//   1. the on_any listeners, in the order they were added;
//   2. the listeners of `name`, in the order they were added (on and once alike).
//
// Snapshot rule (Node copies the listener array before calling it): who is called by one emit is
// fixed when the emit starts. A listener added during the emit is first called by the next emit;
// a listener removed during the emit is still called by this one, unless it is a `once` listener
// that already ran (a once listener runs at most once, ever). One difference from socket.io: there
// the named listeners are copied only after the onAny listeners ran, so a named listener that an
// onAny listener adds is called; here both lists are fixed at the start.
//
// once: the listener is removed BEFORE it runs, so an emit of the same name from inside it does
// not call it again, and listener_count() inside it no longer counts it.
//
// Leak warning (a listener added per request, never removed; Node's defaultMaxListeners): when
// adding a listener makes more than max_listeners() listeners for one name, the warning hook is
// called once for that name, with the name and the new count, and the listener is still added. The
// warning is given again for that name only after all its listeners were removed. on_any listeners
// are not counted. Every warning is counted in leak_warnings(), hook or not.
//
// Re-entrancy: listeners and the warning hook may call anything here (on, once, off, emit,
// remove_all, ...). They must not destroy the emitter. Exceptions thrown by a listener propagate
// out of emit(); the listeners after it are not called for that emit, and the emitter stays
// consistent.
//
// Threading: one thread, the loop's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sioconf/ack/reply.h"
#include "sioconf/errc.h"

namespace sioconf::ack {

/// One event as listeners see it. Views are valid only during the listener call; copy to keep.
struct Event {
  std::string_view name;       ///< the event name (the first element of the EVENT array)
  std::string_view args_json;  ///< the arguments as a JSON array text, e.g. `["hi",1]`
  Reply* reply;                ///< the EVENT's ack reply, or nullptr when it had no ack id; a
                               ///< listener may call it or copy it to answer later
  /// A BINARY_EVENT's attachments: attachments[i] is what {"_placeholder":true,"num":i} in
  /// args_json names. Valid during the call.
  std::span<const ByteView> attachments = {};
};

using Listener = std::function<void(const Event&)>;

/// Names one added listener, for off(). Ids count up from 1 and are never reused; 0 is never a
/// valid id.
using ListenerId = std::uint64_t;

/// Called when a name passes max_listeners(): the name and its listener count after the add. The
/// view is valid only during the call.
using LeakWarning = std::function<void(std::string_view name, std::size_t count)>;

class Emitter {
 public:
  /// Node's defaultMaxListeners.
  static constexpr std::size_t default_max_listeners = 10;

  Emitter();
  ~Emitter();
  Emitter(const Emitter&) = delete;
  Emitter& operator=(const Emitter&) = delete;

  /// Adds `listener` for `name` (any name, reserved ones included: listening to "disconnect" is
  /// how a user hears it). Returns its id, or 0 (nothing added) when `listener` is empty.
  ListenerId on(std::string_view name, Listener listener);
  /// Like on(), but the listener is removed just before its first call.
  ListenerId once(std::string_view name, Listener listener);
  /// Adds a catch-all listener: called for every emit, before the named listeners. Returns its id,
  /// or 0 when `listener` is empty. socket.io's onAny.
  ListenerId on_any(Listener listener);
  /// Removes the listener `id` (named, once or catch-all). True if it was there; false for 0, an
  /// unknown id, or one already removed (a once listener that ran is removed).
  bool off(ListenerId id);

  /// Calls the listeners for `name` with `args_json` and `reply` (see "Order" and "Snapshot").
  /// Returns emit_reserved_event, calling nothing, when `name` is reserved for the library:
  /// connect, connect_error, disconnect, disconnecting, newListener, removeListener
  /// (socket.io's RESERVED_EVENTS; exact, case-sensitive match). Otherwise none, also when no
  /// listener was called.
  Errc emit(std::string_view name, std::string_view args_json, Reply* reply = nullptr);
  /// The same with a whole event (a BINARY_EVENT's attachments go with it).
  Errc emit(const Event& event);
  /// emit() without the reserved-name check: how the library itself emits "connect",
  /// "disconnect", ...
  void emit_reserved(std::string_view name, std::string_view args_json, Reply* reply = nullptr);
  /// True for the six reserved names above.
  static bool is_reserved(std::string_view name) noexcept;

  /// Listeners of `name` (on and once not yet run).
  std::size_t listener_count(std::string_view name) const noexcept;
  /// Catch-all listeners.
  std::size_t listener_count_any() const noexcept;
  /// All listeners: every name plus the catch-all ones.
  std::size_t listener_count_total() const noexcept { return by_id_.size(); }

  /// Removes every listener of `name`; returns how many.
  std::size_t remove_all(std::string_view name);
  /// Removes every listener, named and catch-all; returns how many.
  std::size_t remove_all();

  /// The most listeners one name may have before the leak warning; 0: unlimited (no warning).
  /// Applies to adds from now on.
  void set_max_listeners(std::size_t max) noexcept { max_listeners_ = max; }
  std::size_t max_listeners() const noexcept { return max_listeners_; }
  /// The hook called on a warning (replaces the previous one; empty: none, still counted).
  void set_leak_warning(LeakWarning hook) { leak_warning_ = std::move(hook); }
  /// Warnings given so far.
  std::uint64_t leak_warnings() const noexcept { return leak_warnings_; }

 private:
  struct Record;
  using List = std::vector<std::shared_ptr<Record>>;
  struct Named {
    List listeners;
    bool warned = false;
  };

  ListenerId add(std::string_view name, Listener listener, bool once);
  void dispatch(const Event& event);
  void run(const std::shared_ptr<Record>& record, const Event& event);

  std::map<std::string, Named, std::less<>> named_;
  List any_;
  // Where each live listener is: the key of its name in named_ (stable while the name has
  // listeners), or nullptr for a catch-all listener.
  std::unordered_map<ListenerId, const std::string*> by_id_;
  ListenerId next_id_ = 1;
  std::size_t max_listeners_ = default_max_listeners;
  LeakWarning leak_warning_;
  std::uint64_t leak_warnings_ = 0;
};

}  // namespace sioconf::ack
