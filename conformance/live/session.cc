#include "session.h"

#include <algorithm>

#include "sioconf/base64.h"
#include "sioconf/http/websocket.h"

namespace sioconf::live {

namespace {

constexpr char kSeparator = '\x1e';  // between the packets of a polling body

// The random key of an upgrade request, and the request.
std::string websocket_request(const RunContext& run, const std::string& query, std::string& key) {
  key = "c2lvY29uZi1saXZlLWtleQ==";  // any base64 of 16 bytes will do; the accept is checked
  return run.request("GET", query, {},
                     "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                     "Sec-WebSocket-Key: " +
                         key + "\r\n");
}

}  // namespace

std::string RunContext::request(const std::string& method, const std::string& query, const std::string& body,
                                const std::string& extra_headers) const {
  std::string r = method + " " + path + "?" + query + " HTTP/1.1\r\nHost: " + host + "\r\n" + extra_headers;
  if (!body.empty() || method == "POST")
    r += "Content-Type: text/plain;charset=UTF-8\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  return r + "\r\n" + body;
}

Session::Session(RunContext& run, std::string actor, TransportKind kind, bool auto_pong, std::string query)
    : run_(run), actor_(std::move(actor)), kind_(kind), auto_pong_(auto_pong), query_(std::move(query)) {}

Session::Session(RunContext& run, std::string actor, std::unique_ptr<Connection> websocket, bool auto_pong)
    : run_(run), actor_(std::move(actor)), kind_(TransportKind::websocket), auto_pong_(auto_pong) {
  ws_ = std::move(websocket);
  ws_->on_change = [this] { on_change(); };
  opened_ = ws_accepted_ = attached_ = probe_done_ =
      true;  // nothing to probe: the WebSocket is the session's from the start
}

void Session::start() {
  if (ws_ != nullptr) return on_change();
  if (kind_ == TransportKind::websocket) {
    ws_ = run_.connection(actor_);
    probe_done_ = true;
    std::string key;
    ws_->write(websocket_request(run_, "EIO=4&transport=websocket" + query_, key),
               "GET (websocket) EIO=4&transport=websocket" + query_);
    ws_->websocket_key = key;
  } else {
    poller_ = run_.connection(actor_);
    get_pending_ = true;
    poller_->write(run_.request("GET", "EIO=4&transport=polling" + query_), "GET EIO=4&transport=polling" + query_);
  }
  for (Connection* c : {poller_.get(), ws_.get()})
    if (c != nullptr) c->on_change = [this] { on_change(); };
}

void Session::fail(std::string why) {
  if (failure_.empty()) {
    failure_ = std::move(why);
    run_.log.add(actor_, "*", "protocol failure: " + failure_);
  }
}

void Session::end(std::string how) {
  if (closed_) return;
  closed_ = true;
  closed_how_ = std::move(how);
  run_.log.add(actor_, "*", "session closed: " + closed_how_);
}

// Takes the open packet: "0" + an object with the five keys of engine.io-protocol v4.
bool Session::take_open(const Packet& packet) {
  const json j = packet.binary || packet.bytes.empty() || packet.bytes[0] != '0'
                     ? json(nullptr)
                     : json::parse(packet.bytes.substr(1), nullptr, false);
  if (!j.is_object() || !j.contains("sid") || !j["sid"].is_string() || !j.contains("upgrades") ||
      !j["upgrades"].is_array() || !j.contains("pingInterval") || !j["pingInterval"].is_number() ||
      !j.contains("pingTimeout") || !j["pingTimeout"].is_number() || !j.contains("maxPayload") ||
      !j["maxPayload"].is_number()) {
    fail("the first packet is not an open packet with sid, upgrades, pingInterval, pingTimeout and maxPayload: " +
         describe(packet));
    return false;
  }
  handshake_ = j;
  sid_ = j["sid"].get<std::string>();
  ping_interval_ms = j["pingInterval"].get<double>();
  ping_timeout_ms = j["pingTimeout"].get<double>();
  return true;
}

void Session::deliver(Packet packet, bool over_websocket) {
  if (!packet.binary && packet.bytes == "6") return;  // noop: nothing for the client
  if (!packet.binary && packet.bytes == "2" && auto_pong_) {
    if (over_websocket) ws_->write_frame(ws::Opcode::text, "3");
    else post("3", {}, true);
    return;
  }
  if (!packet.binary && packet.bytes == "1") {
    inbox.push_back(std::move(packet));
    return end("the server sent a close packet");
  }
  inbox.push_back(std::move(packet));
}

void Session::post(std::string body, std::vector<int> statuses, bool pong) {
  posts_.push_back({std::move(body), std::move(statuses), pong});
  next_post();
}

void Session::next_post() {
  if (post_in_flight_ || posts_.empty() || closed_) return;
  if (!poster_ || poster_->state() == Connection::State::ended) {
    poster_ = run_.connection(actor_ + ".post");
    poster_->on_change = [this] { on_change(); };
  }
  const Post& p = posts_.front();
  post_in_flight_ = true;
  poster_->write(run_.request("POST", "EIO=4&transport=polling&sid=" + sid_, p.body), "POST " + printable(p.body, 300));
}

void Session::send(const std::vector<Packet>& packets, std::vector<int> statuses) {
  send_failure_.clear();
  if (upgraded() || kind_ == TransportKind::websocket) {
    for (const Packet& p : packets) ws_->write_frame(p.binary ? ws::Opcode::binary : ws::Opcode::text, p.bytes);
    return;
  }
  std::string body;
  for (const Packet& p : packets) {
    if (!body.empty()) body += kSeparator;
    body += p.binary ? "b" + base64_encode(as_bytes(p.bytes)) : p.bytes;
  }
  post(std::move(body), std::move(statuses), false);
}

bool Session::sent() const {
  if (upgraded() || kind_ == TransportKind::websocket) return ws_ == nullptr || ws_->written();
  for (const Post& p : posts_)
    if (!p.pong) return false;
  return true;
}

// The upgrade's last step (engine.io-protocol v4 "Upgrade"): once the probe is answered the client
// pauses polling, waits for the pending GET to come back (the server releases it with a noop),
// and only then sends "upgrade"; nothing goes over polling after that.
void Session::finish_upgrade() {
  if (!probe_answered_ || probe_done_ || get_pending_ || closed_) return;
  probe_done_ = true;
  ws_->write_frame(ws::Opcode::text, "5");
  opened_ = true;
}

void Session::poll() {
  if (get_pending_ || closed_ || !reading_ || sid_.empty() || probe_answered_) return;
  if (poller_->state() == Connection::State::ended) {
    poller_ = run_.connection(actor_);
    poller_->on_change = [this] { on_change(); };
  }
  get_pending_ = true;
  poller_->write(run_.request("GET", "EIO=4&transport=polling&sid=" + sid_), "GET sid=" + sid_);
}

void Session::on_change() {
  if (poller_) take_poll_response();
  if (poster_) take_post_response();
  if (ws_) take_websocket();
  run_.poke();
}

void Session::take_poll_response() {
  Connection& c = *poller_;
  if (!c.violation().empty()) {
    fail(c.violation());
    return end("the server broke HTTP");
  }
  while (!c.responses.empty() && !closed_) {
    const http::ReceivedResponse r = std::move(c.responses.front());
    c.responses.pop_front();
    get_pending_ = false;
    if (!r.keep_alive) c.close();  // the server said Connection: close: the next GET takes another
    if (r.status != 200) {
      close_status = r.status;
      if (sid_.empty()) fail("the handshake was answered " + std::to_string(r.status) + " " + printable(r.body, 200));
      return end("a polling GET was answered " + std::to_string(r.status));
    }
    std::string error;
    std::optional<std::vector<Packet>> packets = body_packets(r.body, error);
    if (!packets) {
      fail("a polling body the reference cannot decode: " + error);
      return end("the server broke Engine.IO");
    }
    for (Packet& p : *packets) {
      if (!sid_.empty()) {
        deliver(std::move(p), false);
        continue;
      }
      if (!take_open(p)) return end("no open packet");
      if (kind_ == TransportKind::polling) {
        opened_ = true;
        continue;
      }
      const json& upgrades = handshake_["upgrades"];
      if (std::find(upgrades.begin(), upgrades.end(), "websocket") == upgrades.end()) {
        fail("the handshake offers no upgrade to websocket: " + clip(handshake_));
        return end("no upgrade");
      }
      ws_ = run_.connection(actor_ + ".ws");
      ws_->on_change = [this] { on_change(); };
      std::string key;
      const std::string query = "EIO=4&transport=websocket&sid=" + sid_;
      ws_->write(websocket_request(run_, query, key), "GET (websocket) " + query);
      ws_->websocket_key = key;
    }
  }
  if (c.state() == Connection::State::ended && get_pending_) {
    get_pending_ = false;
    if (sid_.empty()) fail("the connection ended before the handshake was answered (" + c.end_reason() + ")");
    return end("the polling connection ended (" + c.end_reason() + ")");
  }
  finish_upgrade();
  poll();
}

void Session::take_post_response() {
  Connection& c = *poster_;
  while (!c.responses.empty() && post_in_flight_) {
    const http::ReceivedResponse r = std::move(c.responses.front());
    c.responses.pop_front();
    const Post p = std::move(posts_.front());
    posts_.pop_front();
    post_in_flight_ = false;
    if (!r.keep_alive) c.close();  // the next POST takes another connection
    const bool fine = p.statuses.empty()
                          ? r.status == 200 && r.body == "ok"
                          : std::find(p.statuses.begin(), p.statuses.end(), r.status) != p.statuses.end();
    if (!p.pong && !fine) {
      std::string want;
      for (int st : p.statuses) want += (want.empty() ? "" : " or ") + std::to_string(st);
      send_failure_ = "the POST was answered " + std::to_string(r.status) + " " + printable(r.body, 200) +
                      " (expected " + (want.empty() ? "200 ok" : want) + ")";
    }
  }
  if (c.state() == Connection::State::ended && post_in_flight_) {
    const Post p = std::move(posts_.front());
    posts_.pop_front();
    post_in_flight_ = false;
    if (!p.pong) send_failure_ = "the connection ended before the POST was answered (" + c.end_reason() + ")";
  }
  next_post();
}

void Session::take_websocket() {
  Connection& c = *ws_;
  if (!ws_accepted_ && !c.responses.empty()) {
    const http::ReceivedResponse r = std::move(c.responses.front());
    c.responses.pop_front();
    if (r.status != 101) {
      fail("the WebSocket upgrade was answered " + std::to_string(r.status) + " " + printable(r.body, 200));
      return end("no WebSocket");
    }
    if (r.header("sec-websocket-accept") != http::websocket_accept(c.websocket_key)) {
      fail("the 101 has no Sec-WebSocket-Accept for the request's key (RFC 6455 4.2.2)");
      return end("no WebSocket");
    }
    ws_accepted_ = true;
    if (kind_ == TransportKind::upgrade && !probe_sent_) {
      probe_sent_ = true;
      c.write_frame(ws::Opcode::text, "2probe");
    }
  }
  while (ws_accepted_ && !c.messages.empty() && !closed_) {
    Packet p = std::move(c.messages.front());
    c.messages.pop_front();
    if (kind_ == TransportKind::websocket && sid_.empty() && handshake_.is_null() && !attached_) {
      if (!take_open(p)) return end("no open packet");
      opened_ = true;
      continue;
    }
    if (!probe_done_) {
      if (p.binary || p.bytes != "3probe") {
        fail("expected 3probe on the new WebSocket, received " + describe(p));
        return end("the upgrade failed");
      }
      probe_answered_ = true;
      finish_upgrade();
      continue;
    }
    deliver(std::move(p), true);
  }
  if (!c.violation().empty()) {
    fail(c.violation());
    return end("the server broke RFC 6455");
  }
  if (c.close_code && !closed_) {
    close_code = *c.close_code;
    return end("the server sent a close frame" + (*c.close_code ? " " + std::to_string(*c.close_code) : std::string()));
  }
  if (c.state() == Connection::State::ended) {
    if (!ws_accepted_) fail("the connection ended before the WebSocket upgrade was answered (" + c.end_reason() + ")");
    end("the WebSocket connection ended (" + c.end_reason() + ")");
  }
}

void Session::stop_reading() {
  reading_ = false;
  for (Connection* c : {poller_.get(), ws_.get()})
    if (c != nullptr) c->stop_reading();
}

void Session::resume_reading() {
  reading_ = true;
  for (Connection* c : {poller_.get(), ws_.get()})
    if (c != nullptr) c->resume_reading();
  if (poller_) poll();
}

void Session::close() {
  for (Connection* c : {poller_.get(), poster_.get(), ws_.get()})
    if (c != nullptr) c->close();
  end("closed by the client");
}

}  // namespace sioconf::live
