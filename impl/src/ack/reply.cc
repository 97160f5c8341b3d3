#include "sioconf/ack/reply.h"

#include <utility>

namespace sioconf::ack {

namespace detail {

struct ReplyChannelState {
  SendAck send;
  bool open = true;
  int sending = 0;  // SendAck calls in progress: close() must not destroy `send` under them
  std::uint64_t sent = 0;
  std::uint64_t repeated = 0;
  std::uint64_t after_close = 0;

  void release_send() noexcept {
    // Moved out first, so whatever its captures do when they die sees a consistent state.
    SendAck dropped = std::move(send);
    send = nullptr;
  }
};

struct ReplyState {
  std::shared_ptr<ReplyChannelState> channel;
  std::uint64_t id;
  bool used = false;
};

}  // namespace detail

namespace {

// Keeps the count right when SendAck throws, and finishes a close() that came from inside it.
class SendingScope {
 public:
  explicit SendingScope(detail::ReplyChannelState& channel) noexcept : channel_(channel) { ++channel_.sending; }
  ~SendingScope() {
    if (--channel_.sending == 0 && !channel_.open) channel_.release_send();
  }
  SendingScope(const SendingScope&) = delete;
  SendingScope& operator=(const SendingScope&) = delete;

 private:
  detail::ReplyChannelState& channel_;
};

}  // namespace

Reply::Reply(std::shared_ptr<detail::ReplyState> state) noexcept : state_(std::move(state)) {}

bool Reply::operator()(std::string_view args_json, std::span<const ByteView> attachments) const {
  // Local owners: SendAck may destroy this Reply (a handler dropping its copy) or the channel.
  const std::shared_ptr<detail::ReplyState> self = state_;
  const std::shared_ptr<detail::ReplyChannelState> channel = self->channel;
  if (self->used) {
    ++channel->repeated;  // socket.io: "prevent double callbacks"
    return false;
  }
  self->used = true;  // before sending, so a re-entrant call counts as a repeat
  if (!channel->open) {
    ++channel->after_close;
    return false;
  }
  ++channel->sent;
  const SendingScope scope(*channel);
  channel->send(self->id, args_json, attachments);
  return true;
}

std::uint64_t Reply::id() const noexcept { return state_->id; }
bool Reply::used() const noexcept { return state_->used; }

ReplyChannel::ReplyChannel(SendAck send) : state_(std::make_shared<detail::ReplyChannelState>()) {
  state_->send = std::move(send);
  if (!state_->send) state_->open = false;  // nothing to send with: every reply is a no-op
}

ReplyChannel::~ReplyChannel() { close(); }

Reply ReplyChannel::reply(std::uint64_t id) const {
  return Reply(std::make_shared<detail::ReplyState>(detail::ReplyState{state_, id, false}));
}

void ReplyChannel::close() noexcept {
  state_->open = false;
  if (state_->sending == 0) state_->release_send();
}

bool ReplyChannel::is_open() const noexcept { return state_->open; }
std::uint64_t ReplyChannel::replies_sent() const noexcept { return state_->sent; }
std::uint64_t ReplyChannel::repeated_replies() const noexcept { return state_->repeated; }
std::uint64_t ReplyChannel::replies_after_close() const noexcept { return state_->after_close; }

}  // namespace sioconf::ack
