#include "sioconf/engine/polling_transport.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sioconf/eio/packet_encoder.h"
#include "sioconf/eio/payload_decoder.h"

namespace sioconf::engine {

http::Response engine_refusal(Errc why) {
  int code = 3;
  std::string_view message = "Bad request";
  switch (why) {
    case Errc::engine_unknown_transport: code = 0, message = "Transport unknown"; break;
    case Errc::engine_unknown_sid: code = 1, message = "Session ID unknown"; break;
    case Errc::engine_bad_handshake_method: code = 2, message = "Bad handshake method"; break;
    case Errc::engine_unsupported_version: code = 5, message = "Unsupported protocol version"; break;
    default: break;
  }
  return {400,
          {{"content-type", "application/json"}},
          R"({"code":)" + std::to_string(code) + R"(,"message":")" + std::string(message) + R"("})"};
}

namespace {

const std::vector<http::Header> kPayloadHeaders = {{"content-type", "text/plain; charset=UTF-8"}};

QueuedPacket owned(const eio::Packet& p) {
  return {p.type, p.data_kind, std::vector<std::uint8_t>(p.data.begin(), p.data.end())};
}

// The bytes a packet adds to a payload: its record and a separator.
std::size_t record_bytes(const eio::Packet& p) noexcept {
  if (p.data_kind == MessageKind::binary) return 2 + (p.data.size() + 2) / 3 * 4;
  return 2 + p.data.size();
}

}  // namespace

struct PollingTransport::State final : eio::PacketSink, std::enable_shared_from_this<State> {
  State(io::Loop& l, const Limits& lim, PollingOptions opt) : loop(l), limits(lim), options(opt), payload(lim) {}

  io::Loop& loop;
  Limits limits;
  PollingOptions options;
  eio::PayloadDecoder payload;
  TransportSink* sink = nullptr;
  std::vector<QueuedPacket> queue;
  std::size_t queued_bytes = 0;
  std::optional<http::Exchange> get;   // the held GET
  std::optional<http::Exchange> post;  // a POST held while paused
  io::TimerId close_timer = 0;
  std::vector<std::function<void()>> close_done;
  bool paused = false, input_ended = false, closing = false, closed = false, flush_posted = false,
       waiting_for_drain = false, client_closed = false;

  void handle(http::Exchange ex) {
    if (closed || (input_ended && !closing)) return void(ex.respond(engine_refusal(Errc::engine_unknown_sid)));
    const std::string& method = ex.request().method;
    if (method == "GET") return on_get(std::move(ex));
    if (method == "POST") return on_post(std::move(ex));
    (void)ex.respond(engine_refusal(Errc::engine_bad_request));
  }

  void on_get(http::Exchange ex) {
    if (get) {  // engine.io: the held GET gets the close packet, this one 400, the session ends
      queue.push_back({eio::PacketType::close, MessageKind::text, {}});
      flush();
      (void)ex.respond(engine_refusal(Errc::engine_bad_request));
      return end_input(Errc::engine_duplicate_poll);
    }
    get.emplace(std::move(ex));
    std::weak_ptr<State> weak = weak_from_this();
    get->on_close([weak] {
      if (const auto self = weak.lock(); self && self->get && self->get->closed()) {
        self->get.reset();
        self->end_input(Errc::engine_transport_gone);
      }
    });
    if (!queue.empty()) flush();
  }

  // A POST is read on the next turn of the loop, not at once: a GET that arrived with it (on
  // another connection, in the same read) is then held first, and gets the noop if the body
  // holds the client's close packet, as with engine.io, which reads bodies asynchronously.
  void on_post(http::Exchange ex) {
    if (post) {
      (void)ex.respond(engine_refusal(Errc::engine_bad_request));
      return end_input(Errc::engine_post_overlap);
    }
    post.emplace(std::move(ex));
    if (!paused) schedule_post();
  }

  void schedule_post() {
    std::weak_ptr<State> weak = weak_from_this();
    loop.post([weak] {
      const auto self = weak.lock();
      if (!self || self->paused || !self->post || self->closed) return;
      http::Exchange ex = std::move(*self->post);
      self->post.reset();
      self->read_post(std::move(ex));
    });
  }

  // The body's packets go up in order; the client's close packet stops them and flushes a held
  // GET with a noop, as engine.io does.
  void read_post(http::Exchange ex) {
    const std::string body = std::move(ex.request().body);
    const auto self = shared_from_this();  // the sink may close and drop the transport
    if (payload.decode_whole(as_bytes(body), *this) == Status::error) {
      const Errc why = payload.error().code;
      payload.reset();
      (void)ex.respond(engine_refusal(why));
      return end_input(why);
    }
    (void)ex.respond({200, {{"content-type", "text/html"}}, "ok"});
  }

  void on_packet(const eio::Packet& packet) noexcept override {
    if (input_ended || client_closed || sink == nullptr) return;
    if (packet.type == eio::PacketType::close) {
      client_closed = true;
      if (get) {
        (void)get->respond({200, kPayloadHeaders, "6"});
        get.reset();
      }
    }
    sink->on_packet(packet);
  }

  void end_input(Errc why) {
    if (input_ended) return;
    input_ended = true;
    if (sink != nullptr) sink->on_input_end(why);
  }

  // Answers the held GET with everything queued. When closing, the close packet (last in the
  // queue) goes alone, in the answer after the others: socket.io-client handles a payload's
  // Socket.IO packets on the next tick, so a DISCONNECT and the close in one answer would read as
  // "transport close", not "io server disconnect".
  void flush() {
    flush_posted = false;
    if (!get || queue.empty()) return;
    const bool hold_close = closing && queue.size() > 1 && !input_ended;
    const std::size_t count = hold_close ? queue.size() - 1 : queue.size();
    std::vector<eio::Packet> views;
    views.reserve(count);
    for (std::size_t i = 0; i < count; ++i) views.push_back(queue[i].view());
    std::string body;
    if (eio::encode_payload(views, body) != Errc::none) body = "1";  // send() checked each one
    queue.erase(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(count));
    queued_bytes = 0;
    http::Exchange ex = std::move(*get);
    get.reset();
    (void)ex.respond({200, kPayloadHeaders, std::move(body)});
    if (waiting_for_drain && !closing) {
      waiting_for_drain = false;
      if (sink != nullptr) sink->on_drain();
    }
    if (closing && queue.empty()) finish();
  }

  Errc check(const eio::Packet& packet) const {
    if (closing || closed) return Errc::io_closed;
    std::string scratch;
    if (const Errc e = eio::encode_payload(std::span<const eio::Packet>(&packet, 1), scratch); e != Errc::none)
      return e;
    if (queued_bytes + record_bytes(packet) > limits.stream_max_buffered_bytes)
      return Errc::limit_stream_buffered_bytes;
    if (queue.size() >= limits.eio_max_queued_packets) return Errc::limit_eio_queued_packets;
    return Errc::none;
  }

  Errc send(const eio::Packet& packet) {
    if (const Errc e = check(packet); e != Errc::none) return e;
    queue.push_back(owned(packet));
    queued_bytes += record_bytes(packet);
    if (queued_bytes > options.high_water) waiting_for_drain = true;
    if (get && !flush_posted) {  // what is sent in this turn of the loop leaves in one answer
      flush_posted = true;
      std::weak_ptr<State> weak = weak_from_this();
      loop.post([weak] {
        if (const auto self = weak.lock(); self && self->flush_posted) self->flush();
      });
    }
    return Errc::none;
  }

  void close(bool graceful, std::function<void()> done) {
    if (closed) {
      if (done) loop.post(std::move(done));
      return;
    }
    if (done) close_done.push_back(std::move(done));
    if (closing) return;
    closing = true;
    if (!graceful) queue.clear();
    // A graceful close sends what is queued first, and the close packet on the poll after it:
    // socket.io-client handles a payload's Socket.IO packets on the next tick, so a DISCONNECT
    // and the close in one answer would read as "transport close", not "io server disconnect".
    queue.push_back({eio::PacketType::close, MessageKind::text, {}});
    if (get) return flush();
    // After the client's side ended no GET will come for the close packet.
    if (!graceful || input_ended) return finish();
    std::weak_ptr<State> weak = weak_from_this();
    close_timer = loop.start_timer(options.close_timeout_ms, [weak] {
      if (const auto self = weak.lock()) {
        self->close_timer = 0;
        self->finish();
      }
    });
    if (close_timer == 0) finish();
  }

  void finish() {
    if (closed) return;
    closed = true;
    if (close_timer != 0) loop.cancel_timer(close_timer);
    close_timer = 0;
    queue.clear();
    if (post) {
      (void)post->respond(engine_refusal(Errc::engine_unknown_sid));
      post.reset();
    }
    for (auto& d : std::exchange(close_done, {})) loop.post(std::move(d));
  }
};

PollingTransport::PollingTransport(io::Loop& loop, const Limits& limits, PollingOptions options)
    : state_(std::make_shared<State>(loop, limits, options)) {}

PollingTransport::~PollingTransport() {
  State& s = *state_;
  s.sink = nullptr;
  if (s.close_timer != 0) s.loop.cancel_timer(s.close_timer);
  s.close_timer = 0;
  s.closed = true;
}

void PollingTransport::handle(http::Exchange exchange) { state_->handle(std::move(exchange)); }

void PollingTransport::start(TransportSink& sink) { state_->sink = &sink; }

void PollingTransport::pause() { state_->paused = true; }

void PollingTransport::resume() {
  state_->paused = false;
  if (state_->post) state_->schedule_post();
}

Errc PollingTransport::send(const eio::Packet& packet) { return state_->send(packet); }

Errc PollingTransport::check_send(const eio::Packet& packet) const noexcept { return state_->check(packet); }

bool PollingTransport::over_high_water() const noexcept { return state_->queued_bytes > state_->options.high_water; }

void PollingTransport::close(bool graceful, std::function<void()> done) { state_->close(graceful, std::move(done)); }

std::vector<QueuedPacket> PollingTransport::take_unsent() {
  State& s = *state_;
  s.queued_bytes = 0;
  return std::exchange(s.queue, {});
}

}  // namespace sioconf::engine
