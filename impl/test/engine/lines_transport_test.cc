#include "sioconf/engine/lines_transport.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "io/backends.h"
#include "support/raw_client.h"

namespace sioconf::engine {
namespace {

// Records what the transport hands up, as "<type name>:<data>" per packet.
struct Recorder final : TransportSink {
  std::vector<std::string> packets;
  std::vector<Errc> input_ends;
  int drains = 0;
  std::function<void(const eio::Packet&)> also;  // runs after recording a packet
  std::function<void()> drained;                 // runs after counting a drain

  void on_packet(const eio::Packet& p) noexcept override {
    packets.push_back(std::string(eio::name(p.type)) + ":" + std::string(as_text(p.data)));
    if (also) also(p);
  }
  void on_input_end(Errc why) noexcept override { input_ends.push_back(why); }
  void on_drain() noexcept override {
    ++drains;
    if (drained) drained();
  }
};

using Peer = test::RawClient;  // the peer: writes raw bytes, collects what it gets back

eio::Packet message(std::string_view text, MessageKind kind = MessageKind::text) {
  return eio::Packet{eio::PacketType::message, kind, as_bytes(text)};
}

class LinesTransportTest : public ::testing::TestWithParam<const char*> {
 protected:
  void make(const Limits& limits = {}, io::StreamOptions options = {}) {
    transport_.reset();  // before the loop they run on
    peer_.reset();
    if (std::string(GetParam()) == "sim") backend_ = std::make_unique<test::SimBackend>(7);
    else backend_ = std::make_unique<test::UvBackend>();
    auto [c, s] = backend_->connected_pair();
    peer_ = std::make_unique<Peer>(backend_->loop(), std::move(c));
    transport_ = std::make_unique<LinesTransport>(backend_->loop(), std::move(s), limits, options);
  }
  // Closes both ends and runs the loop out: nothing may be left behind.
  void finish() {
    bool closed = false;
    transport_->close(true, [&] { closed = true; });
    peer_->read_all();
    ASSERT_TRUE(backend_->run());
    EXPECT_TRUE(closed);
    peer_->stream.close();
    ASSERT_TRUE(backend_->run());
  }

  std::unique_ptr<test::Backend> backend_;
  std::unique_ptr<Peer> peer_;
  std::unique_ptr<LinesTransport> transport_;
  Recorder sink_;
};

TEST_P(LinesTransportTest, EachLineIsOnePacketAndTheCleanEndIsSaid) {
  make();
  transport_->start(sink_);
  peer_->write("2\n4hello\n6\n");
  peer_->write("4[\"split across\n");  // a line cut between two writes is still one packet
  peer_->stream.shutdown();
  ASSERT_TRUE(backend_->run());
  EXPECT_EQ(sink_.packets, (std::vector<std::string>{"ping:", "message:hello", "noop:", "message:[\"split across"}));
  EXPECT_EQ(sink_.input_ends, (std::vector<Errc>{Errc::none}));
  finish();
}

TEST_P(LinesTransportTest, ARuleBrokenEndsTheInputWithItsNameAndNothingAfter) {
  struct Row {
    const char* input;
    std::vector<std::string> before;
    Errc why;
  };
  const std::vector<Row> rows = {
      {"4a\n9\n4b\n", {"message:a"}, Errc::eio_bad_packet_type},
      {"4a\n\n4b\n", {"message:a"}, Errc::ndjson_empty_line},
      {"4a\n1x\n", {"message:a"}, Errc::eio_unexpected_data},
      {"4a\n4bc", {"message:a"}, Errc::truncated},  // the end of stream inside a line
      {"4a\n41234567\n", {"message:a"}, Errc::limit_ndjson_line_bytes},
      {"4a\n412345\n", {"message:a"}, Errc::limit_eio_packet_bytes},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.input);
    Limits limits;
    limits.ndjson_max_line_bytes = 7;  // "41234567" (8) is a line too long,
    limits.eio_max_packet_bytes = 5;   // "412345" (6) a packet too long
    make(limits);
    sink_ = Recorder{};
    transport_->start(sink_);
    peer_->write(row.input);
    peer_->stream.shutdown();
    ASSERT_TRUE(backend_->run());
    EXPECT_EQ(sink_.packets, row.before);
    EXPECT_EQ(sink_.input_ends, (std::vector<Errc>{row.why}));
    finish();
  }
}

TEST_P(LinesTransportTest, LimitsHoldAtTheLimitAndRefuseOnePast) {
  Limits limits;
  limits.ndjson_max_line_bytes = 6;
  limits.eio_max_packet_bytes = 6;
  make(limits);
  transport_->start(sink_);
  peer_->write("412345\n");   // 6 bytes: at both limits
  peer_->write("4123456\n");  // 7: one past
  peer_->stream.shutdown();
  ASSERT_TRUE(backend_->run());
  EXPECT_EQ(sink_.packets, (std::vector<std::string>{"message:12345"}));
  EXPECT_EQ(sink_.input_ends, (std::vector<Errc>{Errc::limit_ndjson_line_bytes}));
  finish();
}

TEST_P(LinesTransportTest, PacketsGoOutAsLinesAndBinaryIsRefused) {
  make();
  transport_->start(sink_);
  EXPECT_EQ(transport_->send(message("hi")), Errc::none);
  EXPECT_EQ(transport_->send(eio::Packet{eio::PacketType::pong, MessageKind::text, {}}), Errc::none);
  EXPECT_EQ(transport_->check_send(message("\x01\x02", MessageKind::binary)), Errc::engine_binary_unsupported);
  EXPECT_EQ(transport_->send(message("\x01\x02", MessageKind::binary)), Errc::engine_binary_unsupported);
  EXPECT_EQ(transport_->send(message("\xff")), Errc::eio_bad_utf8);  // the encoder's refusal
  EXPECT_EQ(transport_->send(message("[\"\\u00e9\"]")), Errc::none);
  peer_->stream.shutdown();
  finish();
  EXPECT_EQ(peer_->received, "4hi\n3\n4[\"\\u00e9\"]\n");
  EXPECT_EQ(transport_->send(message("late")), Errc::io_closed);
  EXPECT_EQ(transport_->check_send(message("late")), Errc::io_closed);
}

TEST_P(LinesTransportTest, TheSendQueueIsBoundedAtTheLimitAndOnePast) {
  Limits limits;
  limits.stream_max_buffered_bytes = 10;
  make(limits);
  transport_->start(sink_);
  EXPECT_EQ(transport_->check_send(message("12345678")), Errc::none);  // "412345678\n": 10 bytes
  EXPECT_EQ(transport_->check_send(message("123456789")), Errc::limit_stream_buffered_bytes);
  EXPECT_EQ(transport_->send(message("123456789")), Errc::limit_stream_buffered_bytes);
  EXPECT_EQ(transport_->send(message("12345678")), Errc::none);
  EXPECT_EQ(transport_->check_send(message("")), Errc::limit_stream_buffered_bytes);  // 10 + 2
  peer_->stream.shutdown();
  finish();
  EXPECT_EQ(peer_->received, "412345678\n");
}

TEST_P(LinesTransportTest, PausedItReadsNothingAndLosesNothing) {
  make();
  sink_.also = [&](const eio::Packet&) { transport_->pause(); };  // from inside a delivery, as a session does
  transport_->start(sink_);
  peer_->write("4a\n");
  ASSERT_TRUE(backend_->run());
  EXPECT_EQ(sink_.packets, (std::vector<std::string>{"message:a"}));
  sink_.also = nullptr;
  peer_->write("4b\n4c\n");
  peer_->stream.shutdown();
  ASSERT_TRUE(backend_->run());
  EXPECT_EQ(sink_.packets, (std::vector<std::string>{"message:a"}));
  EXPECT_TRUE(sink_.input_ends.empty());
  transport_->resume();
  ASSERT_TRUE(backend_->run());
  EXPECT_EQ(sink_.packets, (std::vector<std::string>{"message:a", "message:b", "message:c"}));
  EXPECT_EQ(sink_.input_ends, (std::vector<Errc>{Errc::none}));
  finish();
}

TEST_P(LinesTransportTest, OverHighWaterUntilTheQueueDrains) {
  io::StreamOptions options;
  options.high_water = 4;
  options.low_water = 0;
  make({}, options);
  bool over_at_drain = true;
  sink_.drained = [&] {
    over_at_drain = transport_->over_high_water();
    transport_->close(true, {});  // lets the peer's read end, and so the run
  };
  transport_->start(sink_);
  EXPECT_EQ(transport_->send(message("abc")), Errc::none);  // "4abc\n": 5 bytes
  EXPECT_TRUE(transport_->over_high_water());
  EXPECT_EQ(sink_.drains, 0);
  peer_->read_all();
  ASSERT_TRUE(backend_->run());
  EXPECT_EQ(sink_.drains, 1);
  EXPECT_FALSE(over_at_drain);
  EXPECT_EQ(peer_->received, "4abc\n");
  peer_->stream.shutdown();
  finish();  // a second close() after the first completed still runs its callback
}

TEST_P(LinesTransportTest, ClosedFromItsOwnCallbackNothingMoreArrives) {
  make();
  bool closed = false;
  sink_.also = [&](const eio::Packet&) { transport_->close(false, [&] { closed = true; }); };
  transport_->start(sink_);
  peer_->write("4a\n4b\n");
  peer_->read_all();
  ASSERT_TRUE(backend_->run());
  EXPECT_TRUE(closed);
  EXPECT_EQ(sink_.packets, (std::vector<std::string>{"message:a"}));
  EXPECT_TRUE(sink_.input_ends.empty());
  EXPECT_TRUE(peer_->ended);
  peer_->stream.close();
  ASSERT_TRUE(backend_->run());
}

INSTANTIATE_TEST_SUITE_P(Backends, LinesTransportTest, ::testing::Values("sim", "uv"),
                         [](const auto& param_info) { return std::string(param_info.param); });

}  // namespace
}  // namespace sioconf::engine
