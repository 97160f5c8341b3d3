#include <signal.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sioconf/io/uv.h"

namespace sioconf::io {
namespace {

using Process = UvLoop::Process;
using ProcessExit = UvLoop::ProcessExit;

constexpr std::uint64_t kBound = 5000;  // ms: every scenario ends well before, or fails

// Reads one pipe to its end (or error), then closes it.
class Drain : public TransportEvents {
 public:
  std::string text;
  int eofs = 0;
  std::vector<Errc> errors;
  bool closed = false;
  std::function<void()> after_read;  // runs after each arrival is appended
  std::function<void()> at_end;      // runs after on_eof or on_error, before the close

  void start(Transport& transport) {
    transport_ = &transport;
    transport.set_events(this);
    transport.read_start();
  }
  void on_read(ByteView bytes) override {
    EXPECT_FALSE(bytes.empty());
    text.append(as_text(bytes));
    if (after_read) after_read();
  }
  void on_eof() override {
    ++eofs;
    end();
  }
  void on_error(Errc error) override {
    errors.push_back(error);
    end();
  }

 private:
  void end() {
    if (at_end) at_end();
    transport_->close([this] { closed = true; });
  }
  Transport* transport_ = nullptr;
};

// Records the exit callback's calls.
struct Exits {
  std::vector<ProcessExit> seen;
  UvLoop::ExitHandler handler() {
    return [this](ProcessExit e) { seen.push_back(e); };
  }
};

std::unique_ptr<Process> spawn_ok(UvLoop& loop, UvLoop::Command command, UvLoop::ExitHandler on_exit) {
  Errc error = Errc::truncated;
  std::unique_ptr<Process> process = loop.spawn(command, std::move(on_exit), error);
  EXPECT_EQ(error, Errc::none);
  EXPECT_NE(process, nullptr);
  if (process) {
    EXPECT_GT(process->pid(), 0);
    EXPECT_NE(process->stdin_pipe, nullptr);
    EXPECT_NE(process->stdout_pipe, nullptr);
    EXPECT_NE(process->stderr_pipe, nullptr);
    EXPECT_FALSE(process->exited());
  }
  return process;
}

// No such process (reaped, not a zombie) and no such group: what kill(2) says of a dead child.
bool gone(int pid) { return ::kill(pid, 0) == -1 && errno == ESRCH; }

TEST(UvProcess, EchoThroughCat) {
  UvLoop loop;
  Exits exits;
  std::unique_ptr<Process> cat = spawn_ok(loop, {.argv = {"cat"}}, exits.handler());
  ASSERT_NE(cat, nullptr);
  const std::string pid = std::to_string(cat->pid());
  EXPECT_EQ(cat->stdin_pipe->peer(), "process:" + pid + ":stdin");
  EXPECT_EQ(cat->stdout_pipe->peer(), "process:" + pid + ":stdout");
  EXPECT_EQ(cat->stderr_pipe->peer(), "process:" + pid + ":stderr");

  // JSON lines, as a driver gets them, and one block far larger than a pipe's buffer.
  std::string sent;
  std::vector<std::size_t> done_writes;
  for (std::size_t i = 0; i < 200; ++i) {
    const std::string line = R"({"case":)" + std::to_string(i) + R"(,"pad":")" + std::string(i * 7, 'x') + "\"}\n";
    sent += line;
    cat->stdin_pipe->write(as_bytes(line), [&, i](Errc e) {
      EXPECT_EQ(e, Errc::none);
      done_writes.push_back(i);
    });
  }
  const std::string block(1u << 20, 'b');
  sent += block;
  cat->stdin_pipe->write(as_bytes(block), [&](Errc e) {
    EXPECT_EQ(e, Errc::none);
    done_writes.push_back(200);
  });
  Errc shut = Errc::truncated;
  bool stdin_closed = false;
  cat->stdin_pipe->shutdown([&](Errc e) {
    shut = e;
    cat->stdin_pipe->close([&] { stdin_closed = true; });
  });
  Drain out;
  Drain err;
  out.start(*cat->stdout_pipe);
  err.start(*cat->stderr_pipe);

  EXPECT_TRUE(loop.run(kBound));
  EXPECT_TRUE(out.text == sent) << out.text.size() << " of " << sent.size() << " bytes";
  EXPECT_EQ(err.text, "");
  EXPECT_EQ(out.eofs, 1);
  EXPECT_EQ(err.eofs, 1);
  EXPECT_TRUE(out.errors.empty());
  EXPECT_TRUE(out.closed && err.closed && stdin_closed);
  ASSERT_EQ(done_writes.size(), 201u);
  for (std::size_t i = 0; i < done_writes.size(); ++i) EXPECT_EQ(done_writes[i], i);
  EXPECT_EQ(shut, Errc::none);
  ASSERT_EQ(exits.seen.size(), 1u);
  EXPECT_EQ(exits.seen[0].status, 0);
  EXPECT_EQ(exits.seen[0].signal, 0);
  EXPECT_TRUE(cat->exited());
  EXPECT_FALSE(cat->kill(SIGTERM)) << "signalled a reaped child";
  EXPECT_EQ(loop.pending_timers(), 0u);
}

TEST(UvProcess, StdoutAndStderrAreReadSeparatelyAndTheStatusArrives) {
  UvLoop loop;
  Exits exits;
  auto sh = spawn_ok(loop, {.argv = {"sh", "-c", "echo out; echo err >&2; exit 3"}}, exits.handler());
  ASSERT_NE(sh, nullptr);
  Drain out;
  Drain err;
  out.start(*sh->stdout_pipe);
  err.start(*sh->stderr_pipe);
  EXPECT_TRUE(loop.run(kBound));
  EXPECT_EQ(out.text, "out\n");
  EXPECT_EQ(err.text, "err\n");
  EXPECT_EQ(out.eofs + err.eofs, 2);
  ASSERT_EQ(exits.seen.size(), 1u);
  EXPECT_EQ(exits.seen[0].status, 3);
  EXPECT_EQ(exits.seen[0].signal, 0);
}

TEST(UvProcess, CwdAndEnvironmentEntries) {
  UvLoop loop;
  Exits exits;
  auto sh = spawn_ok(loop,
                     {.argv = {"sh", "-c", R"(echo "$SIOCONF_SPAWN_TEST $HOME"; pwd)"},
                      .cwd = "/",
                      .env = {"SIOCONF_SPAWN_TEST=set", "HOME=/nowhere"}},
                     exits.handler());
  ASSERT_NE(sh, nullptr);
  Drain out;
  out.start(*sh->stdout_pipe);
  EXPECT_TRUE(loop.run(kBound));
  EXPECT_EQ(out.text, "set /nowhere\n/\n");
  ASSERT_EQ(exits.seen.size(), 1u);
  EXPECT_EQ(exits.seen[0].status, 0);
}

TEST(UvProcess, KillReportsTheSignal) {
  UvLoop loop;
  Exits exits;
  auto sleeper = spawn_ok(loop, {.argv = {"sleep", "30"}}, exits.handler());
  ASSERT_NE(sleeper, nullptr);
  EXPECT_TRUE(sleeper->kill(SIGTERM));
  EXPECT_TRUE(loop.run(kBound));
  ASSERT_EQ(exits.seen.size(), 1u);
  EXPECT_EQ(exits.seen[0].signal, SIGTERM);
  EXPECT_EQ(exits.seen[0].status, 0);
  EXPECT_TRUE(sleeper->exited());
  EXPECT_TRUE(gone(sleeper->pid()));
}

// `sh -c` with a background command: the kill reaches the grandchild too. Were it alive, it would
// hold stdout open (no EOF) and the watchdog would end the run.
TEST(UvProcess, KillReachesTheWholeProcessGroup) {
  UvLoop loop;
  std::optional<ProcessExit> ended;
  std::uint64_t exited_at = 0;
  auto sh = spawn_ok(loop, {.argv = {"sh", "-c", "sleep 30 & echo $!; wait"}}, [&](ProcessExit e) {
    ended = e;
    exited_at = loop.now();
  });
  ASSERT_NE(sh, nullptr);
  Drain out;
  std::uint64_t killed_at = 0;
  out.after_read = [&] {
    if (killed_at != 0 || out.text.find('\n') == std::string::npos) return;
    killed_at = loop.now();  // the grandchild runs: its pid was printed after it started
    EXPECT_TRUE(sh->kill(SIGKILL));
  };
  std::uint64_t eof_at = 0;
  out.at_end = [&] { eof_at = loop.now(); };
  out.start(*sh->stdout_pipe);
  EXPECT_TRUE(loop.run(kBound));
  ASSERT_TRUE(ended.has_value());
  EXPECT_EQ(ended->signal, SIGKILL);
  EXPECT_EQ(out.eofs, 1);
  ASSERT_NE(killed_at, 0u);
  EXPECT_LT(exited_at - killed_at, 1000u);
  EXPECT_LT(eof_at - killed_at, 1000u);
  const int grandchild = std::stoi(out.text);
  EXPECT_GT(grandchild, 0);
  EXPECT_NE(grandchild, sh->pid());
}

TEST(UvProcess, SpawnFailuresReturnNullWithTheError) {
  UvLoop loop;
  const std::vector<UvLoop::Command> bad = {
      {.argv = {"sioconf-there-is-no-such-program"}},
      {.argv = {"/nonexistent/sioconf/program"}},
      {.argv = {"sh", "-c", "exit 0"}, .cwd = "/nonexistent/sioconf/dir"},
      {.argv = {}},
  };
  for (const UvLoop::Command& command : bad) {
    SCOPED_TRACE(command.argv.empty() ? "(empty argv)" : command.argv[0] + " in " + command.cwd);
    Errc error = Errc::none;
    auto process = loop.spawn(
        command, [](ProcessExit) { ADD_FAILURE() << "nothing was started"; }, error);
    EXPECT_EQ(process, nullptr);
    EXPECT_EQ(error, Errc::io_spawn_failed);
  }
  EXPECT_TRUE(loop.run(kBound));
}

TEST(UvProcess, DestroyingARunningProcessKillsItAndItsExitNeverRuns) {
  UvLoop loop;
  auto sleeper = spawn_ok(loop, {.argv = {"sleep", "30"}}, [](ProcessExit) { ADD_FAILURE() << "exit after destroy"; });
  ASSERT_NE(sleeper, nullptr);
  const int pid = sleeper->pid();
  bool destroyed = false;
  // From the loop, with its pipes never closed: they go with it.
  loop.post([&] {
    sleeper.reset();
    destroyed = true;
  });
  // The loop runs until the killed child was reaped, promptly.
  const std::uint64_t start = loop.now();
  EXPECT_TRUE(loop.run(kBound));
  EXPECT_TRUE(destroyed);
  EXPECT_LT(loop.now() - start, 1000u);
  EXPECT_TRUE(gone(pid)) << "pid " << pid << " still exists (running, or a zombie)";
}

// libuv writes with write(2): with SIGPIPE at its default action this test binary would die.
TEST(UvProcess, WritingToAnExitedChildFailsAndRaisesNoSigpipe) {
  struct sigaction before {};
  ASSERT_EQ(sigaction(SIGPIPE, nullptr, &before), 0);
  signal(SIGPIPE, SIG_DFL);  // as a program starts: spawn() must take care of it
  {
    UvLoop loop;
    std::vector<Errc> results;
    std::unique_ptr<Process> child;
    child = spawn_ok(loop, {.argv = {"true"}}, [&](ProcessExit e) {
      EXPECT_EQ(e.status, 0);
      // It exited: nobody holds the other end of its stdin any more.
      child->stdin_pipe->write(as_bytes("anyone?\n"), [&](Errc r) { results.push_back(r); });
      child->stdin_pipe->write(as_bytes("still?\n"), [&](Errc r) { results.push_back(r); });
    });
    ASSERT_NE(child, nullptr);
    EXPECT_TRUE(loop.run(kBound));
    ASSERT_EQ(results.size(), 2u);
    for (Errc r : results) EXPECT_TRUE(r == Errc::io_write_failed || r == Errc::io_closed) << name(r);
    struct sigaction now {};
    ASSERT_EQ(sigaction(SIGPIPE, nullptr, &now), 0);
    EXPECT_EQ(now.sa_handler, SIG_IGN);
  }
  sigaction(SIGPIPE, &before, nullptr);
}

TEST(UvProcess, RunReturnsOnceTheChildExitedAndItsPipesAreIdle) {
  UvLoop loop;
  Exits exits;
  // Nobody reads or closes its pipes: they do not keep the loop running, the child does.
  auto child = spawn_ok(loop, {.argv = {"sh", "-c", "sleep 0.1; echo unread"}}, exits.handler());
  ASSERT_NE(child, nullptr);
  EXPECT_TRUE(loop.run(kBound));
  ASSERT_EQ(exits.seen.size(), 1u);
  EXPECT_EQ(exits.seen[0].status, 0);
  // Its pipes still work after the exit: what it wrote is there to read.
  Drain out;
  out.start(*child->stdout_pipe);
  EXPECT_TRUE(loop.run(kBound));
  EXPECT_EQ(out.text, "unread\n");
  EXPECT_TRUE(out.closed);
}

TEST(UvProcess, LoopDestructorKillsAndReapsAChildWhoseProcessOutlivesIt) {
  std::unique_ptr<Process> sleeper;  // outlives the loop
  int pid = 0;
  {
    UvLoop loop;
    sleeper = spawn_ok(loop, {.argv = {"sh", "-c", "sleep 30"}}, [](ProcessExit) { ADD_FAILURE() << "exit ran"; });
    ASSERT_NE(sleeper, nullptr);
    pid = sleeper->pid();
    // More than the pipe holds, never read: pending when the loop ends, and never completed then.
    sleeper->stdin_pipe->write(as_bytes(std::string(8u << 20, 'x')),
                               [](Errc) { ADD_FAILURE() << "an owner callback ran"; });
    EXPECT_FALSE(loop.run(20));  // the child keeps it running: the watchdog ends this run
  }
  EXPECT_TRUE(gone(pid));
  EXPECT_TRUE(sleeper->exited());
  EXPECT_FALSE(sleeper->kill(SIGTERM));
  EXPECT_EQ(sleeper->stdout_pipe->peer(), "process:" + std::to_string(pid) + ":stdout");
}

}  // namespace
}  // namespace sioconf::io
