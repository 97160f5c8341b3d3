#include "link.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "sioconf/http/websocket.h"
#include "sioconf/ws/frame_encoder.h"
#include "splitmix.h"

namespace sioconf::client::detail {

namespace {

bool equals_ignore_case(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

Link::Link(io::Loop& loop, const Limits& limits, std::uint64_t seed, Events events)
    : loop_(loop), limits_(shared_limits(limits)), rng_(seed), events_(std::move(events)), parser_(limits) {}

Link::~Link() {
  *alive_ = false;
  // Destroying the stream closes it silently: no callback of ours runs again.
}

void Link::start(const Connector& connector, std::string request, std::string websocket_key) {
  key_ = std::move(websocket_key);
  connector([this, alive = alive_, request = std::move(request)](Errc error, io::TransportPtr transport) {
    if (!*alive || ended_) {
      if (transport) transport->close([t = std::shared_ptr<io::Transport>(std::move(transport))] {});
      return;
    }
    if (error != Errc::none || !transport) return end(error == Errc::none ? Errc::io_connect_failed : error);
    stream_ = std::make_unique<io::Stream>(loop_, std::move(transport), *limits_);
    if (stream_->write(as_bytes(request)) == io::WriteStatus::refused) return end(stream_->last_write_error());
    read_more();
  });
}

ws::MaskKey Link::next_mask() noexcept {
  const std::uint64_t r = sioconf::detail::SplitMix::step(rng_);
  ws::MaskKey key{};
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(r >> (8 * i));
  return key;
}

void Link::send_frame(ws::Opcode opcode, ByteView payload) {
  if (!websocket_ || ended_ || closing_ || !stream_) return;
  std::vector<std::uint8_t> frame;
  if (ws::encode_frame(frame, ws::Role::client, opcode, payload, true, next_mask()) != Errc::none) return;
  // A queue past Limits::stream_max_buffered_bytes means the server stopped reading: the link
  // ends with that limit rather than grow.
  if (stream_->write(frame) == io::WriteStatus::refused) {
    const Errc why = stream_->last_write_error();
    loop_.post([this, alive = alive_, why] {
      if (*alive) end(why);
    });
  }
}

void Link::close_gracefully() {
  if (ended_ || closing_) return;
  closing_ = true;
  if (!stream_) return abort();
  if (websocket_) {
    std::vector<std::uint8_t> frame;
    if (ws::encode_close(frame, ws::Role::client, std::uint16_t{1000}, "", next_mask()) == Errc::none)
      (void)stream_->write(frame);
  }
  stream_->shutdown();
}

void Link::abort() {
  if (ended_) return;
  ended_ = true;
  if (stream_) stream_->close();
}

void Link::read_more() {
  if (ended_ || !stream_) return;
  (void)stream_->read([this, alive = alive_](Errc error, ByteView bytes) {
    if (!*alive || ended_) return;
    if (error != Errc::none) return end(error == Errc::io_cancelled ? Errc::client_transport_closed : error);
    if (bytes.empty()) {
      // The end of the stream completes a response whose body runs to it.
      if (!websocket_ && !responded_ && parser_.finish(*this) == Status::error) return end(parser_.error().code);
      if (!*alive || ended_) return;
      return end(Errc::client_transport_closed);
    }
    on_bytes(bytes);
    if (*alive) read_more();
  });
}

void Link::on_bytes(ByteView bytes) {
  const std::shared_ptr<bool> alive = alive_;
  if (!websocket_) {
    while (!bytes.empty() && !websocket_ && !ended_) {
      if (responded_) return;  // one request per connection: what follows its answer is not ours
      const Fed r = parser_.feed(bytes, *this);
      if (!*alive || ended_) return;
      if (r.status == Status::error) return end(parser_.error().code);
      bytes = bytes.subspan(r.consumed);
      if (r.consumed == 0 && !parser_.upgraded()) return;
    }
    if (!websocket_ || bytes.empty()) return;
  }
  const Fed r = frames_->feed(bytes, *this);
  if (!*alive || ended_) return;
  if (r.status == Status::error) {
    const Errc why = frames_->error().code;
    // RFC 6455 7.1.7: fail the connection, telling the server why when a code says it.
    std::vector<std::uint8_t> frame;
    if (const std::uint16_t code = ws_close_code(why);
        code != 0 && stream_ && ws::encode_close(frame, ws::Role::client, code, "", next_mask()) == Errc::none)
      (void)stream_->write(frame);
    end(why);
  }
}

void Link::on_response(http::ReceivedResponse& response) noexcept {
  responded_ = true;
  if (response.status == 101 && parser_.upgraded()) {
    const bool upgrade_ok = equals_ignore_case(response.header("upgrade"), "websocket") && !key_.empty() &&
                            response.header("sec-websocket-accept") == http::websocket_accept(key_);
    if (!upgrade_ok) {
      loop_.post([this, alive = alive_] {
        if (*alive) end(Errc::client_bad_handshake);
      });
      return;
    }
    websocket_ = true;
    frames_ = std::make_unique<ws::MessageAssembler>(ws::Role::client, *limits_);
  }
  if (events_.on_response) events_.on_response(response);
}

void Link::on_message(ws::Opcode opcode, ByteView message) noexcept {
  if (!ended_ && events_.on_message) events_.on_message(opcode, message);
}

void Link::on_control(ws::Opcode opcode, ByteView payload) noexcept {
  if (opcode == ws::Opcode::ping) send_frame(ws::Opcode::pong, payload);
}

void Link::on_close(std::optional<std::uint16_t>, std::string_view) noexcept {
  // RFC 6455 5.5.1: answer the close frame with one; the server then ends the connection.
  if (!closing_ && stream_) {
    std::vector<std::uint8_t> frame;
    if (ws::encode_close(frame, ws::Role::client, std::nullopt, "", next_mask()) == Errc::none)
      (void)stream_->write(frame);
  }
  closing_ = true;
  loop_.post([this, alive = alive_] {
    if (*alive) end(Errc::client_transport_closed);
  });
}

void Link::end(Errc why) {
  if (ended_) return;
  ended_ = true;
  if (stream_) stream_->close();
  if (events_.on_end) events_.on_end(why);
}

}  // namespace sioconf::client::detail
