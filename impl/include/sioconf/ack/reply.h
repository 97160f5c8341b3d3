// sioconf/ack/reply.h — answering an incoming EVENT that carries an ack id.
//
//   ack::ReplyChannel replies(send_ack);          // one per socket and namespace, owned by it
//   ...                                           // EVENT 21["ask",1] arrived (ack id 1):
//   ack::Reply reply = replies.reply(1);
//   emitter.emit("ask", "[1]", &reply);           // a handler may call it or keep a copy
//   ...
//   reply("[\"yes\"]");                           // send_ack(1, "[\"yes\"]"): ACK 31["yes"]
//   reply("[\"again\"]");                         // false: sent already, counted, nothing sent
//   ...
//   replies.close();                              // the socket disconnected: replies send nothing
//
// socket.io's server hands a handler the function `socket.ack(id)`, which guards a second call with
// a `sent` flag ("prevent double callbacks") and sends through the socket. Reply is that function:
//   - it sends at most once, however many copies of it are called, and however often;
//   - after the socket disconnected (ReplyChannel::close(), or the channel destroyed) it sends
//     nothing: a handler that answers late cannot write to a dead connection;
//   - it owns what it needs (shared with its channel), so a copy kept by a handler may be called
//     after the socket, its AckTable and its channel are gone: it then returns false.
// Calls that send nothing are counted on the channel, so a test or a report can see handlers that
// answer twice or too late.
//
// Threading: one thread, the loop's. Not thread-safe (plain counters, no atomics).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string_view>

#include "sioconf/bytes.h"

namespace sioconf::ack {

namespace detail {
struct ReplyChannelState;
struct ReplyState;
}  // namespace detail

/// Writes the ACK for `id` carrying `args_json` (a JSON array text, e.g. `["yes"]`; the view is
/// valid only during the call). Called at most once per id, and never after close().
using SendAck =
    std::function<void(std::uint64_t id, std::string_view args_json, std::span<const ByteView> attachments)>;

/// The reply to one incoming EVENT (one ack id). Copyable; copies share one "sent" flag.
class Reply {
 public:
  /// Sends the ACK with `args_json` (passed through to SendAck unchanged; the caller encodes it).
  /// Returns true if it was sent, false if nothing was sent because
  ///   - this reply (or a copy) was already called: counted in repeated_replies();
  ///   - the channel was closed or destroyed first: counted in replies_after_close() (when the
  ///     channel is gone, nobody can read that count any more; the call is still a no-op).
  /// A call from inside SendAck (re-entrant) counts as already called. If SendAck throws, the
  /// exception propagates and the reply counts as sent.
  /// `attachments`: binary values that placeholders in args_json name (a BINARY_ACK).
  bool operator()(std::string_view args_json, std::span<const ByteView> attachments = {}) const;

  /// The ack id this reply answers.
  std::uint64_t id() const noexcept;
  /// True once this reply or a copy was called (whether or not it could send).
  bool used() const noexcept;

 private:
  friend class ReplyChannel;
  explicit Reply(std::shared_ptr<detail::ReplyState> state) noexcept;
  std::shared_ptr<detail::ReplyState> state_;
};

/// Makes the replies of one socket and namespace, and holds what they share: the send function,
/// the "socket alive" flag and the counters. Owned by the socket; not copyable or movable (replies
/// point to it through shared state, not to the object).
class ReplyChannel {
 public:
  /// `send` writes one ACK packet; it is called only while the channel is open. An empty `send`
  /// makes a channel that is closed from the start.
  explicit ReplyChannel(SendAck send);
  /// Closes the channel (see close()).
  ~ReplyChannel();
  ReplyChannel(const ReplyChannel&) = delete;
  ReplyChannel& operator=(const ReplyChannel&) = delete;

  /// A reply for the incoming EVENT with ack `id`. Made after close(), it sends nothing.
  Reply reply(std::uint64_t id) const;

  /// The socket disconnected: every reply of this channel, made before or after, sends nothing
  /// from now on. Releases `send` (and what it captured) at once, or, when called from inside
  /// `send`, as soon as that call returns. Calling it again does nothing.
  void close() noexcept;
  bool is_open() const noexcept;

  /// ACKs sent.
  std::uint64_t replies_sent() const noexcept;
  /// Calls of a reply that was already called (socket.io drops them silently).
  std::uint64_t repeated_replies() const noexcept;
  /// First calls of a reply that came after close().
  std::uint64_t replies_after_close() const noexcept;

 private:
  std::shared_ptr<detail::ReplyChannelState> state_;
};

}  // namespace sioconf::ack
