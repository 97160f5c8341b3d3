// `sioconf driver`: the reference Socket.IO client (impl/include/sioconf/client/socket.h) behind
// the client driver protocol (conformance/DRIVER.md), so that `sioconf client-check` checks the
// reference from the client's end.
//
// One io::UvLoop runs everything: stdin is a transport on it (UvLoop::open_fd), so a command is
// read between the client's own callbacks, never while one runs; reports are written to stdout as
// they happen, one JSON line each, with blocking writes (a report is small and the runner reads).
// What the server sends never ends the process: the library reports it and the driver goes on.
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <iostream>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "cli.h"
#include "sioconf/base64.h"
#include "sioconf/client/socket.h"
#include "sioconf/io/stream.h"
#include "sioconf/io/uv.h"

#ifndef SIOCONF_VERSION
#define SIOCONF_VERSION "0.0.0"
#endif

namespace sioconf::cli {

namespace {

constexpr std::size_t kMaxLine = std::size_t{16} << 20;  // DRIVER.md: a longer line is a flood

void write_all(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(1, bytes.data(), bytes.size());
    if (n > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{1, POLLOUT, 0};
      (void)::poll(&p, 1, 1000);
      continue;
    }
    return;  // the runner is gone: nothing to tell anyone
  }
}

void report(const json& r) { write_all(r.dump() + "\n"); }

// {"$binary": "<base64>"} in a value -> a placeholder, its bytes appended to `attachments`.
json to_wire(const json& v, std::vector<std::vector<std::uint8_t>>& attachments) {
  if (v.is_object() && v.size() == 1 && v.contains("$binary") && v["$binary"].is_string()) {
    std::vector<std::uint8_t> bytes;
    if (!base64_decode(v["$binary"].get<std::string>(), bytes)) throw std::runtime_error("bad $binary base64");
    attachments.push_back(std::move(bytes));
    return json{{"_placeholder", true}, {"num", attachments.size() - 1}};
  }
  if (v.is_array() || v.is_object()) {
    json out = v;
    for (auto it = out.begin(); it != out.end(); ++it) *it = to_wire(*it, attachments);
    return out;
  }
  return v;
}

// Placeholders -> {"$binary": ...} (only in a packet that had attachments: elsewhere an object of
// that shape is plain data).
json from_wire(const json& v, std::span<const ByteView> attachments) {
  if (attachments.empty()) return v;
  if (v.is_object() && v.size() == 2 && v.contains("_placeholder") && v["_placeholder"] == true && v.contains("num") &&
      v["num"].is_number_unsigned() && v["num"].get<std::uint64_t>() < attachments.size())
    return json{{"$binary", base64_encode(attachments[v["num"].get<std::size_t>()])}};
  if (v.is_array() || v.is_object()) {
    json out = v;
    for (auto it = out.begin(); it != out.end(); ++it) *it = from_wire(*it, attachments);
    return out;
  }
  return v;
}

json args_value(std::string_view args_json, std::span<const ByteView> attachments) {
  json args = json::parse(args_json, nullptr, false);
  if (args.is_discarded()) return json::array();
  return from_wire(args, attachments);
}

struct Url {
  std::string host;
  std::uint16_t port = 80;
  std::string nsp = "/";
};

bool parse_url(const std::string& url, Url& out) {
  std::string rest = url;
  if (rest.rfind("http://", 0) == 0) rest = rest.substr(7);
  else if (rest.rfind("ws://", 0) == 0) rest = rest.substr(5);
  else return false;
  const std::size_t slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  out.nsp = slash == std::string::npos ? "/" : rest.substr(slash);
  if (const std::size_t q = out.nsp.find('?'); q != std::string::npos) out.nsp.resize(q);
  if (out.nsp.empty()) out.nsp = "/";
  const std::size_t colon = authority.rfind(':');
  out.host = authority.substr(0, colon);
  if (colon != std::string::npos) {
    const int port = std::atoi(authority.substr(colon + 1).c_str());
    if (port <= 0 || port > 65535) return false;
    out.port = static_cast<std::uint16_t>(port);
  }
  if (out.host == "localhost") out.host = "127.0.0.1";
  return !out.host.empty();
}

class Driver {
 public:
  explicit Driver(io::UvLoop& loop) : loop_(loop) {}

  // One command line. Nothing the runner sends ends the process but `bye` and the end of input.
  void handle(std::string_view line) {
    json c = json::parse(line, nullptr, false);
    if (c.is_discarded() || !c.is_object() || !c.contains("op") || !c["op"].is_string())
      return report({{"report", "error"}, {"message", "a command that is not a JSON object with an op"}});
    const std::string op = c["op"].get<std::string>();
    try {
      if (op == "hello") return report({{"report", "hello"}, {"name", "sioconf"}, {"version", SIOCONF_VERSION}});
      if (op == "connect") return connect(c);
      if (op == "emit") return emit(c);
      if (op == "disconnect") {
        if (socket_) socket_->disconnect();
        return;
      }
      if (op == "bye") return bye();
      report({{"report", "unsupported"}, {"what", "command " + op}});
    } catch (const json::exception& e) {
      report({{"report", "error"}, {"message", std::string("bad command: ") + e.what()}});
    } catch (const std::runtime_error& e) {
      report({{"report", "error"}, {"message", std::string("bad command: ") + e.what()}});
    }
  }

  bool done() const noexcept { return done_; }
  void bye() {
    done_ = true;
    if (socket_) socket_->disconnect();
    // A moment for the DISCONNECT and the close packet to leave, then the loop stops.
    loop_.start_timer(20, [this] { loop_.stop(); });
  }

 private:
  void connect(const json& c) {
    if (socket_) return report({{"report", "unsupported"}, {"what", "a second connect"}});
    Url url;
    if (!c.contains("url") || !c["url"].is_string() || !parse_url(c["url"].get<std::string>(), url))
      return report({{"report", "error"}, {"message", "connect: a url http://HOST:PORT/[namespace] is needed"}});
    client::SocketOptions o;
    o.nsp = url.nsp;
    o.engine.host = url.host + ":" + std::to_string(url.port);
    std::random_device device;
    o.engine.seed = (std::uint64_t{device()} << 32) ^ device();
    if (c.contains("auth") && !c["auth"].is_null()) o.auth_json = c["auth"].dump();
    const json options = c.value("options", json::object());
    for (auto it = options.begin(); it != options.end(); ++it) {
      const std::string& k = it.key();
      const json& v = it.value();
      if (k == "transports") {
        o.engine.transports.clear();
        for (const json& t : v) {
          if (t == "polling") o.engine.transports.push_back(client::TransportKind::polling);
          else if (t == "websocket") o.engine.transports.push_back(client::TransportKind::websocket);
          else return report({{"report", "unsupported"}, {"what", "transport " + t.dump()}});
        }
      } else if (k == "upgrade") {
        o.engine.upgrade = v.get<bool>();
      } else if (k == "reconnection") {
        o.reconnection = v.get<bool>();
      } else if (k == "reconnectionAttempts") {
        o.reconnection_attempts = v.get<std::uint64_t>();
      } else if (k == "reconnectionDelay") {
        o.reconnection_delay_ms = v.get<std::uint64_t>();
      } else if (k == "reconnectionDelayMax") {
        o.reconnection_delay_max_ms = v.get<std::uint64_t>();
      } else if (k == "randomizationFactor") {
        o.randomization_factor = v.get<double>();
      } else if (k == "timeout") {
        o.timeout_ms = v.get<std::uint64_t>();
      } else {
        return report({{"report", "unsupported"}, {"what", "option " + k}});
      }
    }
    const std::string host = url.host;
    const std::uint16_t port = url.port;
    socket_ = std::make_unique<client::Socket>(
        loop_, [this, host, port](io::ConnectHandler done) { loop_.connect(host, port, std::move(done)); }, Limits{},
        o);
    client::SocketHandlers& h = socket_->handlers();
    h.on_connect = [](const std::string& sid) { report({{"report", "connected"}, {"sid", sid}}); };
    h.on_connect_error = [](std::string_view message, std::string_view data) {
      json r{{"report", "connect_error"}, {"message", message}};
      if (!data.empty()) {
        json d = json::parse(data, nullptr, false);
        if (!d.is_discarded()) r["data"] = d;
      }
      report(r);
    };
    h.on_event = [](const client::ReceivedEvent& e) {
      json r{{"report", "event"}, {"event", e.name}, {"args", args_value(e.args_json, e.attachments)}};
      if (e.ack) r["ack"] = true;
      report(r);
      // DRIVER.md: the driver answers at once with the event's own arguments.
      if (e.ack) (void)e.ack(e.args_json, e.attachments);
    };
    h.on_disconnect = [](client::DisconnectReason reason, Errc) {
      report({{"report", "disconnected"}, {"reason", client::name(reason)}});
    };
    h.on_reconnect_attempt = [](std::uint64_t n) { report({{"report", "reconnect_attempt"}, {"attempt", n}}); };
    h.on_reconnect_failed = [] { report({{"report", "reconnect_failed"}}); };
    socket_->connect();
  }

  void emit(const json& c) {
    if (!socket_) return report({{"report", "error"}, {"message", "emit before connect"}});
    const std::string event = c.at("event").get<std::string>();
    std::vector<std::vector<std::uint8_t>> attachments;
    const json args = to_wire(c.value("args", json::array()), attachments);
    std::vector<ByteView> views(attachments.begin(), attachments.end());
    client::AckHandler ack;
    const json id = c.value("id", json());
    if (c.value("ack", false)) {
      ack = [id](Errc e, std::string_view args_json, std::span<const ByteView> att) {
        if (e == Errc::none) return report({{"report", "ack"}, {"id", id}, {"args", args_value(args_json, att)}});
        json r{{"report", "ack_timeout"}, {"id", id}};
        if (e == Errc::ack_disconnected) r["reason"] = "disconnected";
        report(r);
      };
    }
    client::EmitOptions options;
    options.is_volatile = c.value("volatile", false);
    options.timeout_ms = c.value("timeout", std::uint64_t{0});
    const Errc e = socket_->emit(event, args.dump(), views, std::move(ack), options);
    // A volatile emit dropped while disconnected is the library doing its job: nothing to report.
    if (e != Errc::none && e != Errc::client_volatile_dropped)
      report({{"report", "error"}, {"message", "emit refused: " + std::string(name(e))}});
  }

  io::UvLoop& loop_;
  std::unique_ptr<client::Socket> socket_;
  bool done_ = false;
};

}  // namespace

int run_client_driver() {
  std::signal(SIGPIPE, SIG_IGN);  // a runner that went away must not kill us mid-report
  io::UvLoop loop;
  Errc error = Errc::none;
  io::TransportPtr in = loop.open_fd(0, error);
  if (!in) {
    std::cerr << "sioconf driver: stdin is not a pipe or a socket (" << name(error) << ")\n";
    return 1;
  }
  Driver driver(loop);
  io::Stream input(loop, std::move(in));
  std::string pending;
  std::function<void()> read_more;
  read_more = [&] {
    (void)input.read([&](Errc e, ByteView bytes) {
      if (e != Errc::none || bytes.empty()) {
        // The end of the commands: as `bye`.
        if (!driver.done()) driver.bye();
        return;
      }
      pending.append(as_text(bytes));
      for (std::size_t nl; !driver.done() && (nl = pending.find('\n')) != std::string::npos;) {
        std::string line = pending.substr(0, nl);
        pending.erase(0, nl + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty()) driver.handle(line);
      }
      if (pending.size() > kMaxLine) {
        report({{"report", "error"}, {"message", "a command line longer than 16 MiB"}});
        pending.clear();
      }
      if (!driver.done()) read_more();
    });
  };
  read_more();
  loop.run();
  input.close();
  return 0;
}

}  // namespace sioconf::cli
