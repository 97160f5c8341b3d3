#include "wire.h"

#include <algorithm>

#include "sioconf/eio/payload_decoder.h"
#include "sioconf/http/websocket.h"
#include "sioconf/ws/frame_encoder.h"

namespace sioconf::live {

void WireLog::add(const std::string& actor, const char* dir, std::string what) {
  if (entries_.size() >= kMaxEntries) {
    ++dropped_;
    return;
  }
  if (what.size() > kMaxText) what = what.substr(0, kMaxText) + "...";
  entries_.push_back({{"t", loop_.now() - start_}, {"on", actor}, {"dir", dir}, {"what", std::move(what)}});
}

json WireLog::to_json() const {
  json out = entries_;
  if (dropped_ > 0)
    out.push_back({{"t", loop_.now() - start_},
                   {"on", ""},
                   {"dir", "*"},
                   {"what", std::to_string(dropped_) + " more entries not kept"}});
  return out;
}

const Limits& client_limits() {
  static const Limits limits = [] {
    Limits l;
    l.http_max_header_bytes = 65'536;
    l.http_max_headers = 200;
    l.http_max_body_bytes = std::uint64_t{16} << 20;
    l.ws_max_frame_bytes = std::uint64_t{16} << 20;
    l.ws_max_message_bytes = std::uint64_t{16} << 20;
    l.ws_max_fragments = 1u << 20;
    l.stream_max_buffered_bytes = std::uint64_t{64} << 20;
    return l;
  }();
  return limits;
}

std::optional<std::vector<Packet>> body_packets(std::string_view body, std::string& error) {
  struct Sink final : eio::PacketSink {
    std::vector<Packet> packets;
    void on_packet(const eio::Packet& p) noexcept override {
      const std::string data(reinterpret_cast<const char*>(p.data.data()), p.data.size());
      packets.push_back(p.data_kind == MessageKind::binary
                            ? Packet{true, data}
                            : Packet{false, std::to_string(static_cast<int>(p.type)) + data});
    }
  } sink;
  eio::PayloadDecoder decoder(client_limits());
  if (decoder.feed(as_bytes(body), sink).status == Status::error || decoder.finish(sink) == Status::error) {
    error = std::string(name(decoder.error().code)) + " at byte " + std::to_string(decoder.error().offset) + " of " +
            printable(body, 200);
    return std::nullopt;
  }
  return std::move(sink.packets);
}

namespace {

// splitmix64: the shaping's cuts and the masking keys, replayable from the case's seed.
std::uint64_t next_random(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Past this many bytes of one write, the bytes shaping goes on in pieces of this size: a 16 MiB
// body one byte at a time would take long and show nothing the first 4 KiB did not.
constexpr std::size_t kByteByByteUpTo = 4096;
constexpr std::size_t kLargestCut = 1500;

std::string head_line(const http::ReceivedResponse& r) {
  std::string line = std::to_string(r.status) + " " + r.reason;
  for (const http::Header& h : r.headers) line += " | " + h.name + ": " + h.value;
  if (!r.body.empty()) line += " || " + printable(r.body, 300);
  return line;
}

}  // namespace

Connection::Connection(io::Loop& loop, WireLog& log, std::string actor, Shaping shaping, std::uint64_t seed)
    : loop_(loop),
      log_(log),
      actor_(std::move(actor)),
      shaping_(shaping),
      rng_(seed),
      responses_parser_(client_limits()) {}

Connection::~Connection() { *alive_ = false; }

// From the loop, never from inside the call that caused it (a write refused at once, a callback
// of the stream), and once per turn however many arrivals there were.
void Connection::changed() {
  if (change_posted_) return;
  change_posted_ = true;
  loop_.post([this, alive = alive_] {
    if (!*alive) return;
    change_posted_ = false;
    if (on_change) on_change();
  });
}

void Connection::connect(const Connector& connector) {
  state_ = State::connecting;
  connector([this, alive = alive_](Errc error, io::TransportPtr transport) {
    if (!*alive) {
      if (transport) transport->close([t = std::shared_ptr<io::Transport>(std::move(transport))] {});
      return;
    }
    if (error != Errc::none || !transport) {
      end("connection refused (" + std::string(name(error)) + ")");
      return;
    }
    stream_ = std::make_unique<io::Stream>(loop_, std::move(transport), client_limits());
    state_ = State::open;
    log_.add(actor_, "*", "connected");
    pump();
    read_more();
    changed();
  });
}

void Connection::write(std::string bytes, std::string what) {
  log_.add(actor_, ">", std::move(what));
  if (state_ == State::ended || bytes.empty()) return;
  queue_.push_back(std::move(bytes));
  pump();
}

std::size_t Connection::next_cut() { return 1 + static_cast<std::size_t>(next_random(rng_) % kLargestCut); }

// Each piece is its own write(2) on a TCP_NODELAY socket, so one byte per write is one segment on
// the wire, not a batch the kernel coalesced. Pieces are handed to the stream at once rather than
// one per completion: a megabyte in 4 KiB pieces and 4,096 single bytes costs milliseconds, and
// the client's own pongs, queued behind, are not late.
void Connection::pump() {
  while (state_ == State::open && !queue_.empty()) {
    std::string bytes = std::move(queue_.front());
    queue_.pop_front();
    for (std::size_t at = 0; at < bytes.size() && state_ == State::open;) {
      std::size_t cut = bytes.size() - at;
      if (shaping_ == Shaping::bytes) cut = at < kByteByByteUpTo ? 1 : std::min(cut, kByteByByteUpTo);
      if (shaping_ == Shaping::cuts) cut = std::min(cut, next_cut());
      ++writing_;
      const io::WriteStatus status =
          stream_->write(as_bytes(std::string_view(bytes).substr(at, cut)), [this, alive = alive_](Errc e) {
            if (!*alive) return;
            --writing_;
            if (e != Errc::none && e != Errc::io_cancelled) end("write failed (" + std::string(name(e)) + ")");
            if (written()) changed();
          });
      if (status == io::WriteStatus::refused) {
        --writing_;
        end("write refused (" + std::string(name(stream_->last_write_error())) + ")");
      }
      at += cut;
    }
  }
}

std::string Connection::frame_bytes(ws::Opcode opcode, std::string_view payload, bool fin, std::uint8_t rsv,
                                    bool masked, std::string* what) {
  ws::FrameHeader header;
  header.fin = fin;
  header.rsv = rsv;
  header.opcode = opcode;
  header.masked = masked;
  const std::uint64_t key = next_random(rng_);
  for (std::size_t i = 0; i < 4; ++i) header.mask[i] = static_cast<std::uint8_t>(key >> (8 * i));
  header.payload_length = payload.size();
  std::vector<std::uint8_t> out;
  ws::encode_header(out, header);
  std::string bytes(out.begin(), out.end());
  for (std::size_t i = 0; i < payload.size(); ++i)
    bytes += static_cast<char>(payload[i] ^ (masked ? header.mask[i % 4] : 0));
  if (what != nullptr) {
    const std::string flags = std::string(fin ? "" : " (not fin)") + (rsv != 0 ? " rsv=" + std::to_string(rsv) : "") +
                              (masked ? "" : " unmasked");
    if (opcode == ws::Opcode::text) *what = "text " + printable(payload) + flags;
    else if (opcode == ws::Opcode::binary) *what = describe({true, std::string(payload)}) + flags;
    else *what = "frame opcode " + std::to_string(static_cast<int>(opcode)) + flags + ": " + printable(payload);
  }
  return bytes;
}

void Connection::write_frame(ws::Opcode opcode, std::string_view payload, bool fin, std::uint8_t rsv, bool masked) {
  std::string what;
  std::string bytes = frame_bytes(opcode, payload, fin, rsv, masked, &what);
  write(std::move(bytes), std::move(what));
}

void Connection::read_more() {
  if (state_ != State::open || !reading_ || read_pending_) return;
  read_pending_ = true;
  const Errc e = stream_->read([this, alive = alive_](Errc error, ByteView bytes) {
    if (!*alive) return;
    read_pending_ = false;
    if (error != Errc::none) return end(error == Errc::io_reset ? "reset by the server" : std::string(name(error)));
    if (bytes.empty()) {
      // The end of the stream completes a body that runs to it (HTTP/1.1 without a length).
      if (!websocket_ && violation_.empty() && responses_parser_.finish(*this) == Status::error)
        violation_ =
            "the connection ended inside an HTTP response (" + std::string(name(responses_parser_.error().code)) + ")";
      return end("end of stream", false);
    }
    on_bytes(bytes);
    read_more();
  });
  if (e != Errc::none) read_pending_ = false;
}

void Connection::on_bytes(ByteView bytes) {
  if (!violation_.empty()) return;
  if (!websocket_) {
    while (!bytes.empty() && !websocket_) {
      const Fed r = responses_parser_.feed(bytes, *this);
      if (r.status == Status::error) {
        violation_ = "the server's HTTP response is malformed: " + std::string(name(responses_parser_.error().code)) +
                     " at byte " + std::to_string(responses_parser_.error().offset);
        log_.add(actor_, "*", violation_);
        changed();
        return;
      }
      bytes = bytes.subspan(r.consumed);
      if (r.consumed == 0 && !responses_parser_.upgraded()) break;
    }
    if (!websocket_) return changed();
  }
  if (!frames_ || bytes.empty()) return changed();
  const Fed r = frames_->feed(bytes, *this);
  if (r.status == Status::error) {
    violation_ = "the server's WebSocket frames break RFC 6455: " + std::string(name(frames_->error().code)) +
                 " at byte " + std::to_string(frames_->error().offset);
    log_.add(actor_, "*", violation_);
  }
  changed();
}

void Connection::on_response(http::ReceivedResponse& response) noexcept {
  log_.add(actor_, "<", head_line(response));
  // A 101 to this connection's own upgrade request turns it into a WebSocket; what follows the
  // head in the same read is its first frames.
  if (response.status == 101 && responses_parser_.upgraded()) {
    websocket_ = true;
    frames_ = std::make_unique<ws::MessageAssembler>(ws::Role::client, client_limits());
  }
  responses.push_back(std::move(response));
}

void Connection::on_message(ws::Opcode opcode, ByteView message) noexcept {
  Packet p{opcode == ws::Opcode::binary, std::string(reinterpret_cast<const char*>(message.data()), message.size())};
  log_.add(actor_, "<", (p.binary ? "" : "text ") + describe(p));
  messages.push_back(std::move(p));
}

void Connection::on_control(ws::Opcode opcode, ByteView payload) noexcept {
  const std::string data(reinterpret_cast<const char*>(payload.data()), payload.size());
  log_.add(actor_, "<", std::string(opcode == ws::Opcode::ping ? "ping " : "pong ") + printable(data));
  if (opcode == ws::Opcode::ping) write_frame(ws::Opcode::pong, data);
}

// The closing handshake (RFC 6455 5.5.1): the client answers with a close frame of its own, and
// the server then ends the TCP connection.
void Connection::on_close(std::optional<std::uint16_t> code, std::string_view reason) noexcept {
  close_code = code.value_or(0);
  log_.add(actor_, "<", "close " + (code ? std::to_string(*code) : std::string("(no code)")) + " " + printable(reason));
  write_frame(ws::Opcode::close, "");
}

void Connection::stop_reading() {
  reading_ = false;
  log_.add(actor_, "*", "the client stops reading");
}

void Connection::resume_reading() {
  reading_ = true;
  read_more();
}

// The client's own choice: nobody is told (the caller knows), so that it is safe from a callback.
void Connection::close() {
  if (state_ == State::ended) return;
  log_.add(actor_, "*", "the client closes the connection");
  state_ = State::ended;
  end_reason_ = "closed by the client";
  queue_.clear();
  if (stream_) stream_->close();
}

// At the server's end of stream the socket stays open (half closed) until the run lets the
// connection go, so that a step may still reset it: an RST after the server's FIN is an input
// of its own (CVE-2022-41940).
void Connection::end(std::string reason, bool close_stream) {
  if (state_ == State::ended) return;
  state_ = State::ended;
  end_reason_ = std::move(reason);
  log_.add(actor_, "*", "connection ended: " + end_reason_);
  queue_.clear();
  if (stream_ && close_stream) stream_->close();
  changed();
}

void Connection::reset() {
  log_.add(actor_, "*", "the client resets the connection (RST)");
  if (state_ != State::ended) {
    state_ = State::ended;
    end_reason_ = "reset by the client";
  }
  queue_.clear();
  if (stream_) stream_->reset();
}

}  // namespace sioconf::live
