#include "sioconf/io/uv.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sioconf::io {
namespace {

const std::string kLocalhost = "127.0.0.1";

// Fails the test and stops the loop if the scenario has not ended within 5 s. The scenario's last
// step disarms it; run() then returns only if nothing else was left open.
class Watchdog {
 public:
  explicit Watchdog(UvLoop& loop)
      : loop_(loop), id_(loop.start_timer(5000, [&loop] {
          ADD_FAILURE() << "watchdog: the scenario did not end within 5 s";
          loop.stop();
        })) {}
  void disarm() { EXPECT_TRUE(loop_.cancel_timer(id_)) << "disarmed twice, or it fired"; }

 private:
  UvLoop& loop_;
  TimerId id_;
};

class Recorder : public TransportEvents {
 public:
  std::string received;
  int eofs = 0;
  std::vector<Errc> errors;
  std::function<void()> after_read;  // runs after each arrival is appended
  std::function<void()> at_end;      // runs after on_eof or on_error

  void on_read(ByteView bytes) override {
    EXPECT_FALSE(bytes.empty());
    received.append(as_text(bytes));
    if (after_read) after_read();
  }
  void on_eof() override {
    ++eofs;
    if (at_end) at_end();
  }
  void on_error(Errc error) override {
    errors.push_back(error);
    if (at_end) at_end();
  }
};

struct Connected {
  ListenerPtr listener;
  TransportPtr client;
  TransportPtr server;
};

// Listens on 127.0.0.1:0 and connects to it; `ready` runs once both ends exist.
void connect_pair(UvLoop& loop, Connected& c, std::function<void()> ready) {
  auto arrived = [count = std::make_shared<int>(0), ready = std::move(ready)] {
    if (++*count == 2) ready();
  };
  Errc error = Errc::truncated;
  c.listener = loop.listen(
      kLocalhost, 0,
      [&c, arrived](Errc e, TransportPtr t) {
        EXPECT_EQ(e, Errc::none);
        EXPECT_EQ(c.server, nullptr) << "a second connection arrived";
        ASSERT_NE(t, nullptr);
        c.server = std::move(t);
        arrived();
      },
      error);
  ASSERT_EQ(error, Errc::none);
  ASSERT_NE(c.listener, nullptr);
  ASSERT_NE(c.listener->port(), 0u);
  loop.connect(kLocalhost, c.listener->port(), [&c, arrived](Errc e, TransportPtr t) {
    EXPECT_EQ(e, Errc::none);
    ASSERT_NE(t, nullptr);
    c.client = std::move(t);
    arrived();
  });
}

// Closes whatever of `c` is there (again, if it was closed already); `done` runs after the last.
void close_all(Connected& c, std::function<void()> done) {
  auto left = std::make_shared<int>(1);
  auto one_closed = [left, done = std::move(done)] {
    if (--*left == 0) done();
  };
  if (c.client) ++*left;
  if (c.server) ++*left;
  if (c.client) c.client->close(one_closed);
  if (c.server) c.server->close(one_closed);
  c.listener->close(one_closed);
}

// Byte k of a test stream: no period that a lost, doubled or swapped chunk could hide in.
std::string stream_bytes(std::size_t size) {
  std::string bytes(size, '\0');
  for (std::size_t k = 0; k < size; ++k) bytes[k] = static_cast<char>((k * 131 + k / 251) % 256);
  return bytes;
}

ByteView slice(const std::string& s, std::size_t offset, std::size_t size) {
  return as_bytes(std::string_view(s).substr(offset, size));
}

TEST(UvTcp, EchoOverLoopback) {
  UvLoop loop;
  Watchdog watchdog(loop);
  const std::vector<std::size_t> sizes = {1, 2, 100, 1000, 4096, 65535, 65536, 65537, 100000, 262144, 484625};
  std::size_t total = 0;
  for (std::size_t size : sizes) total += size;
  ASSERT_EQ(total, 1u << 20);
  const std::string sent = stream_bytes(total);

  Connected c;
  Recorder client_events;
  Recorder server_events;
  std::vector<std::pair<std::size_t, Errc>> client_writes;
  std::vector<Errc> echo_writes;
  Errc shutdown_result = Errc::truncated;
  int closes = 0;

  connect_pair(loop, c, [&] {
    EXPECT_EQ(c.client->peer(), kLocalhost + ":" + std::to_string(c.listener->port()));
    EXPECT_EQ(c.server->peer().rfind(kLocalhost + ":", 0), 0u) << c.server->peer();
    c.server->set_events(&server_events);
    c.server->read_start();
    c.client->set_events(&client_events);
    c.client->read_start();
    std::size_t offset = 0;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
      c.client->write(slice(sent, offset, sizes[i]), [&, i](Errc e) { client_writes.emplace_back(i, e); });
      offset += sizes[i];
    }
  });
  std::size_t echoed = 0;
  server_events.after_read = [&] {
    const std::string_view fresh = std::string_view(server_events.received).substr(echoed);
    echoed = server_events.received.size();
    c.server->write(as_bytes(fresh), [&](Errc e) { echo_writes.push_back(e); });
  };
  server_events.at_end = [&] { c.server->close([&] { ++closes; }); };
  client_events.after_read = [&] {
    if (client_events.received.size() == sent.size()) {
      c.client->shutdown([&](Errc e) { shutdown_result = e; });
    }
  };
  client_events.at_end = [&] {
    c.client->close([&] {
      ++closes;
      c.listener->close([&] {
        ++closes;
        watchdog.disarm();
      });
    });
  };
  loop.run();

  EXPECT_TRUE(server_events.received == sent) << server_events.received.size() << " bytes";
  EXPECT_TRUE(client_events.received == sent) << client_events.received.size() << " bytes";
  ASSERT_EQ(client_writes.size(), sizes.size());
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    EXPECT_EQ(client_writes[i], std::make_pair(i, Errc::none));
  }
  EXPECT_EQ(echo_writes, std::vector<Errc>(echo_writes.size(), Errc::none));
  EXPECT_FALSE(echo_writes.empty());
  EXPECT_EQ(shutdown_result, Errc::none);
  EXPECT_EQ(server_events.eofs, 1);
  EXPECT_EQ(client_events.eofs, 1);
  EXPECT_TRUE(server_events.errors.empty());
  EXPECT_TRUE(client_events.errors.empty());
  EXPECT_EQ(closes, 3);
  EXPECT_EQ(loop.pending_timers(), 0u);
}

TEST(UvTcp, ConnectToAPortNobodyListensOnFails) {
  UvLoop loop;
  Watchdog watchdog(loop);
  Errc error = Errc::truncated;
  ListenerPtr listener = loop.listen(
      kLocalhost, 0, [](Errc, TransportPtr) { ADD_FAILURE() << "nothing connects"; }, error);
  ASSERT_NE(listener, nullptr);
  const std::uint16_t port = listener->port();
  int calls = 0;
  Errc result = Errc::none;
  bool got_transport = true;
  // The port is free again once the listener closed.
  listener->close([&] {
    loop.connect(kLocalhost, port, [&](Errc e, TransportPtr t) {
      ++calls;
      result = e;
      got_transport = t != nullptr;
      watchdog.disarm();
    });
  });
  loop.run();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(result, Errc::io_connect_failed);
  EXPECT_FALSE(got_transport);
}

TEST(UvTcp, ConnectToABadAddressFailsFromTheLoop) {
  UvLoop loop;
  int calls = 0;
  Errc result = Errc::none;
  loop.connect("not an address", 80, [&](Errc e, TransportPtr t) {
    ++calls;
    result = e;
    EXPECT_EQ(t, nullptr);
  });
  EXPECT_EQ(calls, 0);  // not inside connect()
  loop.run();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(result, Errc::io_connect_failed);
}

TEST(UvTcp, ListenOnAPortInUseFails) {
  UvLoop loop;
  Watchdog watchdog(loop);
  auto refuse = [](Errc, TransportPtr) { ADD_FAILURE() << "nothing connects"; };
  Errc first_error = Errc::truncated;
  ListenerPtr first = loop.listen(kLocalhost, 0, refuse, first_error);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first_error, Errc::none);
  Errc second_error = Errc::none;
  ListenerPtr second = loop.listen(kLocalhost, first->port(), refuse, second_error);
  EXPECT_EQ(second, nullptr);
  EXPECT_EQ(second_error, Errc::io_listen_failed);
  first->close([&] { watchdog.disarm(); });
  loop.run();
  EXPECT_EQ(loop.pending_timers(), 0u);
}

TEST(UvTcp, ListenOnABadAddressFails) {
  UvLoop loop;
  Errc error = Errc::none;
  ListenerPtr listener = loop.listen(
      "127.0.0.300", 0, [](Errc, TransportPtr) {}, error);
  EXPECT_EQ(listener, nullptr);
  EXPECT_EQ(error, Errc::io_listen_failed);
  loop.run();
}

TEST(UvTcp, CloseCancelsUnsentWritesAndItsDoneRunsLast) {
  UvLoop loop;
  Watchdog watchdog(loop);
  // The server never reads, so the kernel's buffers (a few MiB on loopback) fill up long before
  // 32 MiB are out.
  constexpr std::size_t kWrites = 32;
  const std::string block(1u << 20, 'x');
  Connected c;
  Recorder client_events;
  std::vector<Errc> results;
  std::vector<std::string> after_close;  // anything the client reports once close's done ran
  bool closed = false;
  connect_pair(loop, c, [&] {
    c.client->set_events(&client_events);
    c.client->read_start();
    for (std::size_t i = 0; i < kWrites; ++i) {
      c.client->write(as_bytes(block), [&](Errc e) {
        if (closed) after_close.push_back("write " + std::string(name(e)));
        results.push_back(e);
      });
    }
    c.client->close([&] {
      EXPECT_FALSE(closed) << "close's done ran twice";
      closed = true;
      EXPECT_EQ(results.size(), kWrites) << "close's done ran before every write completed";
      close_all(c, [&] { watchdog.disarm(); });
    });
  });
  client_events.after_read = [&] { after_close.push_back("read"); };
  client_events.at_end = [&] { after_close.push_back("eof or error"); };
  loop.run();

  EXPECT_TRUE(closed);
  EXPECT_TRUE(after_close.empty()) << after_close.front();
  ASSERT_EQ(results.size(), kWrites);
  // Writes the kernel took complete with none, the rest with io_cancelled: never the other way.
  std::size_t flushed = 0;
  while (flushed < kWrites && results[flushed] == Errc::none) ++flushed;
  EXPECT_LT(flushed, kWrites) << "every write was flushed: nothing was left to cancel";
  for (std::size_t i = flushed; i < kWrites; ++i) EXPECT_EQ(results[i], Errc::io_cancelled) << "write " << i;
  EXPECT_EQ(loop.pending_timers(), 0u);
}

TEST(UvTcp, WriteAndShutdownAfterCloseCompleteWithClosedFromTheLoop) {
  UvLoop loop;
  Watchdog watchdog(loop);
  Connected c;
  std::vector<Errc> results;
  bool in_call = false;
  auto record = [&](Errc e) {
    EXPECT_FALSE(in_call) << "completion ran inside the call";
    results.push_back(e);
  };
  int close_dones = 0;
  connect_pair(loop, c, [&] {
    in_call = true;
    c.client->close([&] {
      ++close_dones;
      in_call = true;
      c.client->write(as_bytes("after close"), record);
      c.client->shutdown(record);
      c.client->close([&] { ++close_dones; });  // closed already: its done still runs, later
      in_call = false;
      close_all(c, [&] { watchdog.disarm(); });
    });
    c.client->write(as_bytes("while closing"), record);
    c.client->close([&] { ++close_dones; });  // a second close only adds its done
    in_call = false;
  });
  loop.run();
  EXPECT_EQ(results, (std::vector<Errc>{Errc::io_closed, Errc::io_closed, Errc::io_closed}));
  EXPECT_EQ(close_dones, 3);
}

TEST(UvTcp, WriteAfterShutdownCompletesWithClosedAndThePeerSeesEofOnce) {
  UvLoop loop;
  Watchdog watchdog(loop);
  Connected c;
  Recorder server_events;
  std::vector<std::string> results;
  auto record = [&](const char* what) {
    return [&results, what](Errc e) { results.push_back(what + std::string(" ") + std::string(name(e))); };
  };
  connect_pair(loop, c, [&] {
    c.server->set_events(&server_events);
    c.server->read_start();
    c.client->write(as_bytes("last words"), record("write"));
    c.client->shutdown(record("shutdown"));
    c.client->write(as_bytes("too late"), record("late write"));
    c.client->shutdown(record("second shutdown"));
  });
  server_events.at_end = [&] {
    // After EOF there is nothing more to report, not even an error; 10 ms leave the loop time to
    // poll the socket again.
    c.server->read_start();
    loop.start_timer(10, [&] { close_all(c, [&] { watchdog.disarm(); }); });
  };
  loop.run();
  // Refused calls complete through the loop's queue, accepted ones through libuv: each kind in
  // call order, with no order promised between the two.
  auto position = [&](const std::string& what) { return std::find(results.begin(), results.end(), what); };
  ASSERT_EQ(results.size(), 4u);
  EXPECT_LT(position("write none"), position("shutdown none"));
  EXPECT_LT(position("late write io_closed"), position("second shutdown io_closed"));
  EXPECT_NE(position("shutdown none"), results.end());
  EXPECT_NE(position("second shutdown io_closed"), results.end());
  EXPECT_EQ(server_events.received, "last words");
  EXPECT_EQ(server_events.eofs, 1);
  EXPECT_TRUE(server_events.errors.empty());
}

TEST(UvTcp, ReadStopHoldsBackBytesAndEofUntilReadStart) {
  UvLoop loop;
  Watchdog watchdog(loop);
  Connected c;
  Recorder server_events;
  connect_pair(loop, c, [&] {
    c.server->set_events(&server_events);
    c.server->read_start();
    c.server->read_stop();
    c.client->write(as_bytes("held"), [&](Errc e) { EXPECT_EQ(e, Errc::none); });
    c.client->shutdown([&](Errc e) {
      EXPECT_EQ(e, Errc::none);
      // Long enough for the bytes and the FIN to arrive, were the server reading.
      loop.start_timer(50, [&] {
        EXPECT_EQ(server_events.received, "");
        EXPECT_EQ(server_events.eofs, 0);
        c.server->read_start();
      });
    });
  });
  server_events.at_end = [&] { close_all(c, [&] { watchdog.disarm(); }); };
  loop.run();
  EXPECT_EQ(server_events.received, "held");
  EXPECT_EQ(server_events.eofs, 1);
}

TEST(UvTcp, DestroyingAnOpenTransportClosesIt) {
  UvLoop loop;
  Watchdog watchdog(loop);
  Connected c;
  auto client_events = std::make_unique<Recorder>();
  Recorder server_events;
  connect_pair(loop, c, [&] {
    c.client->set_events(client_events.get());
    c.client->read_start();
    c.client->write(as_bytes("bye"), [](Errc) { ADD_FAILURE() << "a destroyed transport's write completed"; });
    c.client.reset();
    client_events.reset();  // a callback into it would be a use after free (ASan)
    c.server->set_events(&server_events);
    c.server->read_start();
    c.server->write(as_bytes("anyone there?"), [](Errc) {});
  });
  server_events.at_end = [&] { close_all(c, [&] { watchdog.disarm(); }); };
  loop.run();
  EXPECT_EQ(c.client, nullptr);
  EXPECT_EQ(server_events.eofs + static_cast<int>(server_events.errors.size()), 1);
}

// reset() ends with an RST, not a FIN: the peer reads io_reset, never an end of stream; and a
// close() is a FIN, for contrast.
TEST(UvTcp, ResetEndsWithAResetAndCloseWithAnEnd) {
  for (const bool reset : {true, false}) {
    SCOPED_TRACE(reset ? "reset" : "close");
    UvLoop loop;
    Watchdog watchdog(loop);
    Connected c;
    Recorder server_events;
    bool client_closed = false;
    connect_pair(loop, c, [&] {
      c.server->set_events(&server_events);
      c.server->read_start();
      auto done = [&] { client_closed = true; };
      if (reset) c.client->reset(done);
      else c.client->close(done);
    });
    server_events.at_end = [&] { close_all(c, [&] { watchdog.disarm(); }); };
    loop.run();
    EXPECT_TRUE(client_closed);
    EXPECT_EQ(server_events.eofs, reset ? 0 : 1);
    EXPECT_EQ(server_events.errors, reset ? std::vector<Errc>{Errc::io_reset} : std::vector<Errc>{});
  }
}

TEST(UvTcp, LoopDestructorClosesHandlesWhoseOwnersOutliveIt) {
  Connected c;  // outlives the loop
  int write_dones = 0;
  {
    UvLoop loop;
    Watchdog watchdog(loop);  // left pending: the destructor drops it
    connect_pair(loop, c, [&] {
      c.client->write(as_bytes(std::string(8u << 20, 'x')), [&](Errc) { ++write_dones; });
      loop.stop();
    });
    loop.run();
    ASSERT_NE(c.client, nullptr);
    ASSERT_NE(c.server, nullptr);
  }
  EXPECT_EQ(write_dones, 0);  // the destructor runs no owner callback
  EXPECT_EQ(c.client->peer().rfind(kLocalhost + ":", 0), 0u);
}

TEST(UvTcp, LoopDestructorClosesHandlesLeftOpen) {
  UvLoop loop;
  Connected c;  // destroyed before the loop, never closed
  Watchdog watchdog(loop);
  connect_pair(loop, c, [&] { loop.stop(); });
  loop.run();
  ASSERT_NE(c.client, nullptr);
  ASSERT_NE(c.server, nullptr);
  watchdog.disarm();
}

}  // namespace
}  // namespace sioconf::io
