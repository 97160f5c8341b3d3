// Rooms across server sockets, on both backends: a broadcast reaches each member of the rooms
// named once, never a member of the except-set, with the packet encoded once; memberships end
// with the namespace and with the connection; a member that stops reading is cut off at its
// bound and the others still get every packet.
#include "sioconf/session/rooms.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "io/backends.h"
#include "sioconf/session/server_socket.h"
#include "support/raw_client.h"

namespace sioconf::session {
namespace {

// A client over Engine.IO lines and its server socket, in `rooms`.
struct Member {
  Member(test::Backend& backend, Rooms& rooms, std::string sid, const Limits& limits = {}) {
    auto [c, s] = backend.connected_pair();
    client = std::make_unique<test::RawClient>(backend.loop(), std::move(c));
    ServerSocketOptions options;
    options.sid = std::move(sid);
    options.rooms = &rooms;
    socket = std::make_unique<ServerSocket>(backend.loop(), std::move(s), limits, options);
    socket->of("/");
    socket->of("/admin");
    socket->on_close([this](Errc why) { closed = why; });
    socket->start();
  }
  void send(std::string_view line) { client->write(std::string(line) + "\n"); }
  void read_all() { client->read_all(); }
  std::vector<std::string> lines() const { return test::complete_lines(client->received); }
  // The lines after the CONNECT answers.
  std::vector<std::string> events() const {
    std::vector<std::string> out;
    for (const std::string& l : lines())
      if (l.rfind("42", 0) == 0) out.push_back(l);
    return out;
  }
  std::unique_ptr<test::RawClient> client;
  std::unique_ptr<ServerSocket> socket;
  std::optional<Errc> closed;
};

class RoomsTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    if (std::string(GetParam()) == "sim") backend_ = std::make_unique<test::SimBackend>(3);
    else backend_ = std::make_unique<test::UvBackend>();
  }
  // Members a, b, c, each connected to "/" and reading.
  void three() {
    for (const char* sid : {"a", "b", "c"}) {
      members_.push_back(std::make_unique<Member>(*backend_, rooms_, sid));
      members_.back()->read_all();
      members_.back()->send("40");
    }
    ASSERT_TRUE(run_until([&] { return connected() == 3; }));
  }
  std::size_t connected() const {
    std::size_t n = 0;
    for (const auto& member : members_)
      n += !member->lines().empty() && member->lines()[0] == R"(40{"sid":")" + member->socket->sid() + R"("})";
    return n;
  }
  // Runs until done() or 3 s: every connection stays open, so the loop never runs dry.
  bool run_until(const std::function<bool()>& done) { return backend_->run_until(done); }
  void settle() {
    (void)backend_->run_until([] { return false; }, 50);
  }
  Member& m(std::size_t i) { return *members_[i]; }
  // The sockets go, then their closes finish on the loop (they hold their state until then).
  void TearDown() override {
    members_.clear();
    settle();
    EXPECT_EQ(rooms_.memberships(), 0u);
  }

  std::unique_ptr<test::Backend> backend_;
  Rooms rooms_;
  std::vector<std::unique_ptr<Member>> members_;
};

TEST_P(RoomsTest, ABroadcastReachesEachMemberOnceButNotTheExceptSet) {
  three();
  EXPECT_EQ(rooms_.members("/", "a"), 1u);  // each socket is in the room of its own sid
  EXPECT_EQ(m(0).socket->join("/", "red"), Errc::none);
  EXPECT_EQ(m(0).socket->join("/", "blue"), Errc::none);
  EXPECT_EQ(m(0).socket->join("/", "red"), Errc::none);  // twice is once
  EXPECT_EQ(m(1).socket->join("/", "red"), Errc::none);
  EXPECT_EQ(rooms_.members("/", "red"), 2u);
  EXPECT_EQ(m(2).socket->join("/admin", "red"), Errc::sio_bad_namespace);  // not connected there

  const std::vector<std::string> red_blue = {"red", "blue"}, none, b = {"b"}, a = {"a"};
  EXPECT_EQ(rooms_.broadcast("/", red_blue, none, "one", "[1]"), Errc::none);      // a once, b
  EXPECT_EQ(rooms_.broadcast("/", red_blue, b, "two", "[2]"), Errc::none);         // a: b is excepted
  EXPECT_EQ(rooms_.broadcast("/", none, a, "three", R"([{"x":3}])"), Errc::none);  // all but a
  EXPECT_EQ(rooms_.broadcast("/admin", none, none, "four", "[]"), Errc::none);     // nobody there
  EXPECT_EQ(rooms_.broadcast("/", none, none, "connect", "[]"), Errc::sio_reserved_event_name);
  // Arguments that are no array are refused as ServerSocket::emit refuses them.
  for (const std::string_view args : {R"({"x":1})", "1", "", " [ "}) {
    EXPECT_EQ(rooms_.broadcast("/", none, none, "bad", args), Errc::sio_event_not_array) << args;
    EXPECT_EQ(m(0).socket->emit("/", "bad", args), Errc::sio_event_not_array) << args;
  }
  EXPECT_EQ(rooms_.broadcast("/", none, b, "four", " [4] "), Errc::none);  // blanks around it are fine
  ASSERT_TRUE(
      run_until([&] { return m(0).events().size() == 3 && m(1).events().size() == 2 && m(2).events().size() == 2; }));
  settle();  // and nothing more comes
  EXPECT_EQ(m(0).events(), (std::vector<std::string>{R"(42["one",1])", R"(42["two",2])", R"(42["four",4])"}));
  EXPECT_EQ(m(1).events(), (std::vector<std::string>{R"(42["one",1])", R"(42["three",{"x":3}])"}));
  EXPECT_EQ(m(2).events(), (std::vector<std::string>{R"(42["three",{"x":3}])", R"(42["four",4])"}));
  EXPECT_EQ(rooms_.counts().encoded, 5u);  // once per broadcast, not once per member
  EXPECT_EQ(rooms_.counts().delivered, 7u);
  EXPECT_EQ(rooms_.counts().refused, 0u);
}

TEST_P(RoomsTest, MembershipsEndWithTheNamespaceAndTheConnection) {
  three();
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(m(i).socket->join("/", "red"), Errc::none);
  m(1).socket->leave("/", "red");
  m(1).socket->leave("/", "nowhere");  // not in it: nothing
  EXPECT_EQ(rooms_.members("/", "red"), 2u);
  EXPECT_EQ(rooms_.memberships(), 5u);  // three own rooms, two reds
  m(0).send("41");                      // a leaves "/": its rooms with it
  m(2).client->stream.close();          // c's connection goes
  ASSERT_TRUE(run_until([&] { return m(2).closed.has_value() && rooms_.members("/", "a") == 0; }));
  EXPECT_TRUE(m(2).closed.has_value());
  EXPECT_EQ(rooms_.members("/", "red"), 0u);
  EXPECT_EQ(rooms_.memberships(), 1u);  // b's own room
  const std::vector<std::string> none;
  EXPECT_EQ(rooms_.broadcast("/", none, none, "left", "[]"), Errc::none);
  ASSERT_TRUE(run_until([&] { return m(1).events().size() == 1; }));
  settle();
  EXPECT_EQ(rooms_.counts().delivered, 1u);  // b only: never a socket that left or closed
  EXPECT_EQ(m(1).events(), (std::vector<std::string>{R"(42["left"])"}));
  EXPECT_TRUE(m(0).events().empty());
  m(0).send("40");  // a joins "/" again: its own room again, not the red one
  ASSERT_TRUE(run_until([&] { return rooms_.members("/", "a") == 1; }));
  EXPECT_EQ(rooms_.members("/", "a"), 1u);
  EXPECT_EQ(rooms_.members("/", "red"), 0u);
  members_.clear();  // every socket goes: no membership outlives its connection
  EXPECT_EQ(rooms_.memberships(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Backends, RoomsTest, ::testing::Values("sim", "uv"));

// A member whose client never reads: its queue reaches its bound, it is cut off with the limit's
// Errc, and the member that reads gets every broadcast, before and after.
TEST(RoomsSim, AMemberThatStopsReadingIsCutOffAndTheOthersGetEverything) {
  io::SimOptions sim;
  sim.pipe_capacity = 512;
  test::SimBackend backend(5, sim);
  Rooms rooms;
  Limits limits;
  limits.stream_max_buffered_bytes = 4096;
  auto owned_reader = std::make_unique<Member>(backend, rooms, "reader", limits);
  auto owned_deaf = std::make_unique<Member>(backend, rooms, "deaf", limits);
  Member &reader = *owned_reader, &deaf = *owned_deaf;
  reader.read_all();
  reader.send("40");
  deaf.send("40");
  ASSERT_TRUE(backend.run());
  const std::vector<std::string> none;
  const std::string args = "[\"" + std::string(100, 'x') + "\"]";
  for (int round = 0; round < 100; ++round) {
    EXPECT_EQ(rooms.broadcast("/", none, none, "news", args), Errc::none);
    backend.sim().run_until(backend.sim().now() + 1);
  }
  ASSERT_TRUE(backend.run());
  EXPECT_EQ(deaf.closed, Errc::limit_stream_buffered_bytes);
  EXPECT_FALSE(reader.closed.has_value());
  EXPECT_EQ(reader.events().size(), 100u);
  EXPECT_EQ(rooms.counts().refused, 1u);  // the broadcast that met the bound; then it was gone
  EXPECT_EQ(rooms.members("/", "deaf"), 0u);
  owned_reader.reset();
  owned_deaf.reset();
  ASSERT_TRUE(backend.run());  // their closes finish
}

}  // namespace
}  // namespace sioconf::session
