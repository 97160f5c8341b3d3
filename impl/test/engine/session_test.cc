#include "sioconf/engine/session.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sioconf::engine {
namespace {

// A transport the test drives by hand: it records what the session sends and does.
struct FakeTransport final : Transport {
  TransportSink* sink = nullptr;
  std::vector<std::string> sent;  // "<type name>:<data>"
  bool paused = false, high = false, closed = false, graceful = false;
  Errc refuse = Errc::none;
  std::function<void()> close_done;

  std::string_view name() const noexcept override { return "fake"; }
  void start(TransportSink& s) override { sink = &s; }
  void pause() override { paused = true; }
  void resume() override { paused = false; }
  Errc send(const eio::Packet& p) override {
    if (refuse != Errc::none) return refuse;
    sent.push_back(std::string(eio::name(p.type)) + ":" + std::string(as_text(p.data)));
    return Errc::none;
  }
  Errc check_send(const eio::Packet&) const noexcept override { return refuse; }
  bool over_high_water() const noexcept override { return high; }
  void close(bool g, std::function<void()> done) override {
    closed = true;
    graceful = g;
    close_done = std::move(done);
  }

  void deliver(eio::PacketType type, std::string_view data = {}, MessageKind kind = MessageKind::text) {
    sink->on_packet(eio::Packet{type, kind, as_bytes(data)});
  }
};

struct Recorder final : SessionSink {
  std::vector<std::string> messages;  // "text:..." or "binary:..."
  int input_ends = 0;
  std::vector<Errc> ends;
  void on_message(MessageKind kind, ByteView data) noexcept override {
    messages.push_back(std::string(kind == MessageKind::text ? "text:" : "binary:") + std::string(as_text(data)));
  }
  void on_input_end() noexcept override { ++input_ends; }
  void on_end(Errc why) noexcept override { ends.push_back(why); }
};

struct SessionTest : ::testing::Test {
  SessionTest() {
    auto t = std::make_unique<FakeTransport>();
    transport = t.get();
    session = std::make_unique<Session>(std::move(t), SessionOptions{"abc"});
    session->start(sink);
  }
  FakeTransport* transport;
  Recorder sink;
  std::unique_ptr<Session> session;
};

TEST_F(SessionTest, MessagesGoUpPingsAreAnsweredTheRestIsQuiet) {
  EXPECT_EQ(session->sid(), "abc");
  EXPECT_EQ(session->transport_name(), "fake");
  transport->deliver(eio::PacketType::message, "2[\"a\"]");
  transport->deliver(eio::PacketType::message, "\x01\x02", MessageKind::binary);
  transport->deliver(eio::PacketType::ping);
  transport->deliver(eio::PacketType::pong);
  transport->deliver(eio::PacketType::noop);
  transport->deliver(eio::PacketType::upgrade);
  EXPECT_EQ(sink.messages, (std::vector<std::string>{"text:2[\"a\"]", "binary:\x01\x02"}));
  EXPECT_EQ(transport->sent, (std::vector<std::string>{"pong:"}));
  EXPECT_TRUE(sink.ends.empty());
  EXPECT_EQ(session->counts().packets_in, 6u);
  EXPECT_EQ(session->counts().packets_out, 1u);
}

TEST_F(SessionTest, TheClosePacketEndsTheSessionAndNothingArrivesAfter) {
  transport->deliver(eio::PacketType::close);
  EXPECT_EQ(sink.ends, (std::vector<Errc>{Errc::none}));
  transport->deliver(eio::PacketType::message, "late");
  transport->sink->on_input_end(Errc::io_reset);
  EXPECT_TRUE(sink.messages.empty());
  EXPECT_EQ(sink.ends.size(), 1u);
  EXPECT_EQ(sink.input_ends, 0);
}

TEST_F(SessionTest, TheCleanEndOfInputKeepsTheSessionOpenAnErrorEndsIt) {
  transport->sink->on_input_end(Errc::none);
  EXPECT_EQ(sink.input_ends, 1);
  EXPECT_TRUE(sink.ends.empty());
  EXPECT_EQ(session->send_message(MessageKind::text, as_bytes("3[1]")), Errc::none);
  EXPECT_EQ(transport->sent, (std::vector<std::string>{"message:3[1]"}));
  transport->sink->on_input_end(Errc::eio_bad_packet_type);
  EXPECT_EQ(sink.ends, (std::vector<Errc>{Errc::eio_bad_packet_type}));
}

TEST_F(SessionTest, SendsAreRefusedAsTheTransportRefusesThem) {
  transport->refuse = Errc::engine_binary_unsupported;
  EXPECT_EQ(session->check_message(MessageKind::binary, as_bytes("a")), Errc::engine_binary_unsupported);
  EXPECT_EQ(session->send_message(MessageKind::binary, as_bytes("a")), Errc::engine_binary_unsupported);
  EXPECT_TRUE(transport->sent.empty());
  EXPECT_EQ(session->counts().packets_out, 0u);
  EXPECT_TRUE(sink.ends.empty());  // a refusal that is no limit leaves the session as it was
}

// A client that stops reading is cut off at the bound: the refused send ends the session with
// the limit's error, once, whether the application's message or the pong owed to a ping.
TEST_F(SessionTest, ASendRefusedForALimitEndsTheSession) {
  transport->refuse = Errc::limit_stream_buffered_bytes;
  EXPECT_EQ(session->check_message(MessageKind::text, as_bytes("2[\"a\"]")), Errc::limit_stream_buffered_bytes);
  EXPECT_TRUE(sink.ends.empty());  // checking sends nothing and ends nothing
  EXPECT_EQ(session->send_message(MessageKind::text, as_bytes("2[\"a\"]")), Errc::limit_stream_buffered_bytes);
  EXPECT_EQ(sink.ends, (std::vector<Errc>{Errc::limit_stream_buffered_bytes}));
  EXPECT_EQ(session->send_message(MessageKind::text, as_bytes("2[\"b\"]")), Errc::limit_stream_buffered_bytes);
  EXPECT_EQ(sink.ends.size(), 1u);
  EXPECT_TRUE(session->over());
}

TEST_F(SessionTest, APongRefusedForALimitEndsTheSession) {
  transport->refuse = Errc::limit_eio_queued_packets;
  transport->deliver(eio::PacketType::ping);
  EXPECT_EQ(sink.ends, (std::vector<Errc>{Errc::limit_eio_queued_packets}));
}

TEST_F(SessionTest, OverHighWaterItStopsReadingUntilTheTransportDrains) {
  transport->high = true;
  EXPECT_EQ(session->send_message(MessageKind::text, as_bytes("2[\"a\"]")), Errc::none);
  EXPECT_TRUE(transport->paused);
  transport->high = false;
  transport->sink->on_drain();
  EXPECT_FALSE(transport->paused);
  transport->sink->on_drain();  // a drain nobody waits for changes nothing
  EXPECT_FALSE(transport->paused);
  transport->high = true;  // a pong counts like any packet
  transport->deliver(eio::PacketType::ping);
  EXPECT_TRUE(transport->paused);
}

TEST_F(SessionTest, CloseIsPassedOnAndEndsDelivery) {
  bool done = false;
  session->close(true, [&] { done = true; });
  EXPECT_TRUE(transport->closed);
  EXPECT_TRUE(transport->graceful);
  transport->deliver(eio::PacketType::message, "late");
  EXPECT_TRUE(sink.messages.empty());
  transport->close_done();
  EXPECT_TRUE(done);
}

}  // namespace
}  // namespace sioconf::engine
