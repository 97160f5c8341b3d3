#include "sioconf/ack/reply.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace sioconf::ack {
namespace {

// Every ACK the channel wrote, as "<id> <args>".
struct Wire {
  std::vector<std::string> acks;
  SendAck sender() {
    return [this](std::uint64_t id, std::string_view args, std::span<const ByteView> attachments) {
      acks.push_back(std::to_string(id) + " " + std::string(args) +
                     (attachments.empty() ? "" : " +" + std::to_string(attachments.size())));
    };
  }
};

TEST(Reply, SendsOnceAndCountsTheRest) {
  Wire wire;
  ReplyChannel channel(wire.sender());
  const Reply reply = channel.reply(7);
  EXPECT_EQ(reply.id(), 7u);
  EXPECT_FALSE(reply.used());
  EXPECT_TRUE(reply("[\"yes\"]"));
  EXPECT_TRUE(reply.used());
  EXPECT_FALSE(reply("[\"again\"]"));
  EXPECT_FALSE(reply("[]"));
  EXPECT_EQ(wire.acks, (std::vector<std::string>{"7 [\"yes\"]"}));
  EXPECT_EQ(channel.replies_sent(), 1u);
  EXPECT_EQ(channel.repeated_replies(), 2u);
  EXPECT_EQ(channel.replies_after_close(), 0u);
}

TEST(Reply, BinaryArgumentsGoWithTheAck) {
  Wire wire;
  ReplyChannel channel(wire.sender());
  const std::uint8_t bytes[] = {1, 2, 3};
  const ByteView attachment(bytes, sizeof bytes);
  EXPECT_TRUE(channel.reply(4)(R"([{"_placeholder":true,"num":0}])", std::span<const ByteView>(&attachment, 1)));
  EXPECT_EQ(wire.acks, (std::vector<std::string>{R"(4 [{"_placeholder":true,"num":0}] +1)"}));
}

TEST(Reply, CopiesShareOneSentFlag) {
  Wire wire;
  ReplyChannel channel(wire.sender());
  const Reply original = channel.reply(3);
  const Reply copy = original;  // a handler kept a copy
  Reply assigned = channel.reply(99);
  assigned = original;
  EXPECT_TRUE(copy("[1]"));
  EXPECT_TRUE(original.used());
  EXPECT_FALSE(original("[2]"));
  EXPECT_FALSE(assigned("[3]"));
  EXPECT_EQ(wire.acks, (std::vector<std::string>{"3 [1]"}));
  EXPECT_EQ(channel.repeated_replies(), 2u);
}

TEST(Reply, EachIdIsAnsweredByItsOwnReply) {
  Wire wire;
  ReplyChannel channel(wire.sender());
  const Reply a = channel.reply(0);
  const Reply b = channel.reply(1);
  const Reply c = channel.reply(1);  // the peer reused an id: a separate reply, sent separately
  EXPECT_TRUE(b("[\"b\"]"));
  EXPECT_TRUE(a("[\"a\"]"));
  EXPECT_TRUE(c("[\"c\"]"));
  EXPECT_EQ(wire.acks, (std::vector<std::string>{"1 [\"b\"]", "0 [\"a\"]", "1 [\"c\"]"}));
  EXPECT_EQ(channel.replies_sent(), 3u);
}

TEST(Reply, AfterCloseSendsNothing) {
  Wire wire;
  ReplyChannel channel(wire.sender());
  const Reply before = channel.reply(1);
  const Reply answered = channel.reply(2);
  EXPECT_TRUE(answered("[]"));
  EXPECT_TRUE(channel.is_open());
  channel.close();
  EXPECT_FALSE(channel.is_open());
  const Reply after = channel.reply(3);
  EXPECT_FALSE(before("[\"late\"]"));
  EXPECT_FALSE(after("[\"later\"]"));
  EXPECT_FALSE(answered("[]"));  // a repeat stays a repeat
  EXPECT_FALSE(before("[]"));
  EXPECT_EQ(wire.acks, (std::vector<std::string>{"2 []"}));
  EXPECT_EQ(channel.replies_after_close(), 2u);
  EXPECT_EQ(channel.repeated_replies(), 2u);
  channel.close();  // again: nothing
  EXPECT_EQ(channel.replies_sent(), 1u);
}

TEST(Reply, CloseReleasesWhatSendCaptured) {
  auto socket = std::make_shared<int>(0);  // stands for the socket a SendAck keeps alive
  ReplyChannel channel([socket](std::uint64_t, std::string_view, std::span<const ByteView>) {});
  const Reply kept = channel.reply(1);
  EXPECT_EQ(socket.use_count(), 2);
  channel.close();
  EXPECT_EQ(socket.use_count(), 1);
  EXPECT_FALSE(kept("[]"));
}

TEST(Reply, CallableAfterTheChannelIsGone) {
  Wire wire;
  std::optional<Reply> kept;
  {
    ReplyChannel channel(wire.sender());
    kept = channel.reply(5);
  }
  EXPECT_FALSE((*kept)("[]"));
  EXPECT_TRUE(kept->used());
  EXPECT_FALSE((*kept)("[]"));
  EXPECT_TRUE(wire.acks.empty());
}

TEST(Reply, EmptySendMakesAClosedChannel) {
  ReplyChannel channel(SendAck{});
  EXPECT_FALSE(channel.is_open());
  EXPECT_FALSE(channel.reply(0)("[]"));
  EXPECT_EQ(channel.replies_after_close(), 1u);
}

TEST(Reply, ReentrantCallFromInsideSendIsARepeat) {
  std::vector<std::string> log;
  std::optional<Reply> reply;
  ReplyChannel channel([&](std::uint64_t id, std::string_view args, std::span<const ByteView>) {
    log.push_back(std::to_string(id) + " " + std::string(args));
    EXPECT_FALSE((*reply)("[\"inner\"]"));
  });
  reply = channel.reply(4);
  EXPECT_TRUE((*reply)("[\"outer\"]"));
  EXPECT_EQ(log, (std::vector<std::string>{"4 [\"outer\"]"}));
  EXPECT_EQ(channel.repeated_replies(), 1u);
}

TEST(Reply, CloseFromInsideSendReleasesItAfterTheCall) {
  // The socket disconnects while writing the ACK (a write error). `send` must survive until it
  // returns (ASan would see its captures freed under it), then be released.
  auto socket = std::make_shared<int>(0);
  std::optional<ReplyChannel> channel;
  std::optional<Reply> other;
  std::vector<long> uses_inside;
  channel.emplace([&, socket](std::uint64_t, std::string_view, std::span<const ByteView>) {
    channel->close();
    uses_inside.push_back(socket.use_count());  // reads a capture after close(): still alive
    EXPECT_FALSE((*other)("[]"));               // other replies are already closed
  });
  other = channel->reply(2);
  EXPECT_TRUE(channel->reply(1)("[]"));
  EXPECT_EQ(uses_inside, (std::vector<long>{2}));
  EXPECT_EQ(socket.use_count(), 1);
  EXPECT_EQ(channel->replies_after_close(), 1u);
}

TEST(Reply, SendMayDestroyTheReplyAndTheChannel) {
  Wire wire;
  const SendAck write = wire.sender();
  std::unique_ptr<ReplyChannel> channel;
  std::unique_ptr<Reply> reply;
  channel = std::make_unique<ReplyChannel>([&](std::uint64_t id, std::string_view args, std::span<const ByteView>) {
    reply.reset();
    channel.reset();
    write(id, args, {});  // `args` and this function are still valid after both are gone
  });
  reply = std::make_unique<Reply>(channel->reply(9));
  EXPECT_TRUE((*reply)("[\"bye\"]"));
  EXPECT_EQ(reply, nullptr);
  EXPECT_EQ(channel, nullptr);
  EXPECT_EQ(wire.acks, (std::vector<std::string>{"9 [\"bye\"]"}));
}

TEST(Reply, AThrowingSendStillCountsAsSent) {
  auto socket = std::make_shared<int>(0);
  ReplyChannel channel([socket](std::uint64_t, std::string_view, std::span<const ByteView>) {
    throw std::runtime_error("write failed");
  });
  const Reply reply = channel.reply(1);
  EXPECT_THROW(reply("[]"), std::runtime_error);
  EXPECT_TRUE(reply.used());
  EXPECT_EQ(channel.replies_sent(), 1u);
  EXPECT_FALSE(reply("[]"));
  EXPECT_EQ(socket.use_count(), 2);
  channel.close();  // the throw left no call "in progress", so `send` is released at once
  EXPECT_EQ(socket.use_count(), 1);
}

}  // namespace
}  // namespace sioconf::ack
