#include "sioconf/ack/emitter.h"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace sioconf::ack {
namespace {

// Listeners that log "<tag> <name> <args>" when called.
struct Log {
  std::vector<std::string> lines;
  Listener listener(std::string tag) {
    return [this, tag](const Event& e) {
      lines.push_back(tag + " " + std::string(e.name) + " " + std::string(e.args_json));
    };
  }
  std::vector<std::string> take() { return std::exchange(lines, {}); }
};

using Lines = std::vector<std::string>;

TEST(Emitter, NamedListenersRunInTheOrderTheyWereAdded) {
  Emitter events;
  Log log;
  const ListenerId a = events.on("chat", log.listener("a"));
  const ListenerId b = events.on("chat", log.listener("b"));
  const ListenerId c = events.on("other", log.listener("c"));
  EXPECT_NE(a, 0u);
  EXPECT_NE(a, b);
  EXPECT_NE(b, c);
  EXPECT_EQ(events.emit("chat", "[\"hi\"]"), Errc::none);
  EXPECT_EQ(log.take(), (Lines{"a chat [\"hi\"]", "b chat [\"hi\"]"}));
  EXPECT_EQ(events.emit("nobody", "[]"), Errc::none);  // no listener: nothing, and no error
  EXPECT_TRUE(log.take().empty());
  EXPECT_EQ(events.emit("other", "[1]"), Errc::none);
  EXPECT_EQ(log.take(), (Lines{"c other [1]"}));
}

TEST(Emitter, TheEventCarriesItsReply) {
  Emitter events;
  std::vector<std::string> wire;
  ReplyChannel channel([&](std::uint64_t id, std::string_view args, std::span<const ByteView>) {
    wire.push_back(std::to_string(id) + " " + std::string(args));
  });
  std::vector<Reply> kept;
  int without_reply = 0;
  events.on("ask", [&](const Event& e) {
    if (e.reply == nullptr) {
      ++without_reply;
      return;
    }
    kept.push_back(*e.reply);  // answered later, from a copy
    EXPECT_TRUE((*e.reply)("[\"now\"]"));
  });
  Reply reply = channel.reply(12);
  EXPECT_EQ(events.emit("ask", "[]", &reply), Errc::none);
  EXPECT_EQ(events.emit("ask", "[]"), Errc::none);
  EXPECT_EQ(without_reply, 1);
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_FALSE(kept[0]("[\"later\"]"));  // the copy shares the sent flag
  EXPECT_EQ(wire, (Lines{"12 [\"now\"]"}));
}

TEST(Emitter, ReservedNamesAreRefusedUnlessTheLibraryEmitsThem) {
  struct Row {
    const char* name;
    bool reserved;
  };
  const Row rows[] = {
      {"connect", true},     {"connect_error", true},  {"disconnect", true},   {"disconnecting", true},
      {"newListener", true}, {"removeListener", true}, {"Connect", false},     {"connect ", false},
      {"connected", false},  {"disconnect_", false},   {"newlistener", false}, {"removelistener", false},
      {"", false},           {"connect_erro", false},  {"error", false},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    Emitter events;
    Log log;
    events.on(row.name, log.listener("l"));
    events.on_any(log.listener("any"));
    EXPECT_EQ(Emitter::is_reserved(row.name), row.reserved);
    EXPECT_EQ(events.emit(row.name, "[]"), row.reserved ? Errc::emit_reserved_event : Errc::none);
    const std::string n = row.name;
    EXPECT_EQ(log.take(), row.reserved ? Lines{} : (Lines{"any " + n + " []", "l " + n + " []"}));
    events.emit_reserved(row.name, "[\"transport close\"]");
    EXPECT_EQ(log.take(), (Lines{"any " + n + " [\"transport close\"]", "l " + n + " [\"transport close\"]"}));
  }
}

TEST(Emitter, CatchAllListenersRunBeforeTheNamedOnes) {
  Emitter events;
  Log log;
  events.on("x", log.listener("named1"));
  events.on_any(log.listener("any1"));
  events.on("x", log.listener("named2"));
  const ListenerId any2 = events.on_any(log.listener("any2"));
  EXPECT_EQ(events.listener_count("x"), 2u);
  EXPECT_EQ(events.listener_count_any(), 2u);
  EXPECT_EQ(events.emit("x", "[]"), Errc::none);
  EXPECT_EQ(log.take(), (Lines{"any1 x []", "any2 x []", "named1 x []", "named2 x []"}));
  EXPECT_EQ(events.emit("y", "[2]"), Errc::none);  // catch-all listeners hear names nobody listens to
  EXPECT_EQ(log.take(), (Lines{"any1 y [2]", "any2 y [2]"}));
  EXPECT_TRUE(events.off(any2));  // offAny(listener)
  EXPECT_FALSE(events.off(any2));
  EXPECT_EQ(events.listener_count_any(), 1u);
  EXPECT_EQ(events.emit("x", "[]"), Errc::none);
  EXPECT_EQ(log.take(), (Lines{"any1 x []", "named1 x []", "named2 x []"}));
}

TEST(Emitter, OnceIsRemovedBeforeItRuns) {
  Emitter events;
  std::vector<std::string> log;
  int calls = 0;
  events.on("tick", [&](const Event& e) { log.push_back("on " + std::string(e.args_json)); });
  const ListenerId id = events.once("tick", [&](const Event& e) {
    ++calls;
    log.push_back("once " + std::string(e.args_json));
    EXPECT_EQ(events.listener_count("tick"), 1u);               // already gone
    EXPECT_EQ(events.emit("tick", "[\"inner\"]"), Errc::none);  // does not reach it again
  });
  EXPECT_EQ(events.listener_count("tick"), 2u);
  EXPECT_EQ(events.emit("tick", "[\"outer\"]"), Errc::none);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(log, (Lines{"on [\"outer\"]", "once [\"outer\"]", "on [\"inner\"]"}));
  EXPECT_FALSE(events.off(id));  // it removed itself
  EXPECT_EQ(events.emit("tick", "[\"again\"]"), Errc::none);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(events.listener_count("tick"), 1u);
}

TEST(Emitter, OnceRunsOnceAcrossReentrantEmits) {
  // The outer emit's snapshot holds the once listener, but an inner emit (from the listener before
  // it) runs it first: the outer emit must then skip it (Node's onceWrapper `fired`).
  Emitter events;
  int once_calls = 0;
  int depth = 0;
  events.on("e", [&](const Event&) {
    if (depth++ == 0) {
      EXPECT_EQ(events.emit("e", "[]"), Errc::none);
    }
  });
  events.once("e", [&](const Event&) { ++once_calls; });
  EXPECT_EQ(events.emit("e", "[]"), Errc::none);
  EXPECT_EQ(once_calls, 1);
  EXPECT_EQ(depth, 2);
  EXPECT_EQ(events.listener_count("e"), 1u);
}

TEST(Emitter, AListenerAddedDuringAnEmitRunsFromTheNextEmit) {
  Emitter events;
  Log log;
  bool added = false;
  events.on("e", [&](const Event&) {
    if (!added) {
      added = true;
      events.on("e", log.listener("late"));
      events.on_any(log.listener("late-any"));
    }
  });
  events.on_any([&](const Event&) {
    // Added by a catch-all listener: still not part of this emit (both snapshots are taken first).
    if (events.listener_count("e") == 1 && !added) events.on("e", log.listener("from-any"));
  });
  EXPECT_EQ(events.emit("e", "[1]"), Errc::none);
  EXPECT_TRUE(log.take().empty());
  EXPECT_EQ(events.emit("e", "[2]"), Errc::none);
  EXPECT_EQ(log.take(), (Lines{"late-any e [2]", "from-any e [2]", "late e [2]"}));
}

TEST(Emitter, AListenerRemovedDuringAnEmitStillRunsInThatEmit) {
  Emitter events;
  Log log;
  ListenerId b = 0, any = 0;
  events.on("e", [&](const Event&) {
    EXPECT_TRUE(events.off(b));
    EXPECT_TRUE(events.off(any));
    EXPECT_EQ(events.remove_all("e"), 2u);  // itself and c
  });
  b = events.on("e", log.listener("b"));
  events.on("e", log.listener("c"));
  any = events.on_any(log.listener("any"));
  EXPECT_EQ(events.emit("e", "[1]"), Errc::none);
  EXPECT_EQ(log.take(), (Lines{"any e [1]", "b e [1]", "c e [1]"}));  // Node's copied array
  EXPECT_EQ(events.listener_count("e"), 0u);
  EXPECT_EQ(events.listener_count_total(), 0u);
  EXPECT_EQ(events.emit("e", "[2]"), Errc::none);
  EXPECT_TRUE(log.take().empty());
}

TEST(Emitter, CatchAllListenersFollowTheSnapshotRuleToo) {
  Emitter events;
  Log log;
  ListenerId second = 0;
  bool first_emit = true;
  events.on_any([&](const Event&) {
    if (!first_emit) return;
    first_emit = false;
    events.on_any(log.listener("added"));
    EXPECT_TRUE(events.off(second));
  });
  second = events.on_any(log.listener("removed"));
  events.on_any(log.listener("third"));
  EXPECT_EQ(events.emit("e", "[1]"), Errc::none);
  EXPECT_EQ(log.take(), (Lines{"removed e [1]", "third e [1]"}));
  EXPECT_EQ(events.emit("e", "[2]"), Errc::none);
  EXPECT_EQ(log.take(), (Lines{"third e [2]", "added e [2]"}));
}

TEST(Emitter, ReentrantEmitsNestAndUnwindInOrder) {
  Emitter events;
  std::vector<std::string> log;
  events.on("count", [&](const Event& e) {
    const int n = std::stoi(std::string(e.args_json.substr(1, e.args_json.size() - 2)));
    log.push_back("enter " + std::to_string(n));
    if (n > 0) {
      EXPECT_EQ(events.emit("count", "[" + std::to_string(n - 1) + "]"), Errc::none);
    }
    log.push_back("leave " + std::to_string(n));
  });
  events.on("count", [&](const Event& e) { log.push_back("second " + std::string(e.args_json)); });
  EXPECT_EQ(events.emit("count", "[2]"), Errc::none);
  EXPECT_EQ(log, (Lines{"enter 2", "enter 1", "enter 0", "leave 0", "second [0]", "leave 1", "second [1]", "leave 2",
                        "second [2]"}));
}

TEST(Emitter, OffRemovesExactlyOneListener) {
  Emitter events;
  Log log;
  const ListenerId a = events.on("e", log.listener("a"));
  const ListenerId b = events.once("e", log.listener("b"));
  const ListenerId c = events.on("f", log.listener("c"));
  EXPECT_FALSE(events.off(0));
  EXPECT_FALSE(events.off(c + 100));
  EXPECT_TRUE(events.off(b));  // a once listener that has not run yet
  EXPECT_FALSE(events.off(b));
  EXPECT_EQ(events.listener_count("e"), 1u);
  EXPECT_EQ(events.emit("e", "[]"), Errc::none);
  EXPECT_EQ(log.take(), (Lines{"a e []"}));
  EXPECT_TRUE(events.off(a));
  EXPECT_TRUE(events.off(c));
  EXPECT_EQ(events.listener_count_total(), 0u);
  // Ids are not reused: a new listener gets a new id, and the old one stays dead.
  const ListenerId d = events.on("e", log.listener("d"));
  EXPECT_GT(d, c);
  EXPECT_FALSE(events.off(a));
  EXPECT_EQ(events.listener_count("e"), 1u);
}

TEST(Emitter, EmptyListenersAreNotAdded) {
  Emitter events;
  EXPECT_EQ(events.on("e", Listener{}), 0u);
  EXPECT_EQ(events.once("e", Listener{}), 0u);
  EXPECT_EQ(events.on_any(Listener{}), 0u);
  EXPECT_EQ(events.listener_count("e"), 0u);
  EXPECT_EQ(events.listener_count_total(), 0u);
  EXPECT_EQ(events.emit("e", "[]"), Errc::none);
}

TEST(Emitter, CountsReturnToZero) {
  Emitter events;
  Log log;
  auto token = std::make_shared<int>(0);  // captured by every listener: are they all freed?
  const auto capture = [token](const Event&) {};
  for (int i = 0; i < 3; ++i) {
    events.on("a", capture);
    events.once("b", capture);
    events.on_any(capture);
  }
  EXPECT_EQ(events.listener_count("a"), 3u);
  EXPECT_EQ(events.listener_count("b"), 3u);
  EXPECT_EQ(events.listener_count_any(), 3u);
  EXPECT_EQ(events.listener_count_total(), 9u);
  EXPECT_EQ(token.use_count(), 11);  // token, `capture`, 9 listeners
  EXPECT_EQ(events.remove_all("a"), 3u);
  EXPECT_EQ(events.remove_all("a"), 0u);
  EXPECT_EQ(events.listener_count("a"), 0u);
  EXPECT_EQ(events.emit("b", "[]"), Errc::none);  // the once listeners remove themselves
  EXPECT_EQ(events.listener_count("b"), 0u);
  EXPECT_EQ(events.listener_count_total(), 3u);
  EXPECT_EQ(events.remove_all(), 3u);  // catch-all listeners too
  EXPECT_EQ(events.listener_count_any(), 0u);
  EXPECT_EQ(events.listener_count_total(), 0u);
  EXPECT_EQ(token.use_count(), 2);
  EXPECT_EQ(events.remove_all(), 0u);
}

TEST(Emitter, RemovingFromADyingListenerIsSafe) {
  // A listener whose captures call back into the emitter when they are destroyed.
  Emitter events;
  struct OnDeath {
    std::function<void()> run;
    ~OnDeath() {
      if (run) run();
    }
  };
  int deaths = 0;
  ListenerId other = events.on("y", [](const Event&) {});
  auto guard = std::make_shared<OnDeath>();
  guard->run = [&] {
    ++deaths;
    EXPECT_TRUE(events.off(other));  // the emitter is consistent while the listener dies
    EXPECT_EQ(events.listener_count("x"), 0u);
  };
  const ListenerId id = events.on("x", [guard](const Event&) {});
  guard.reset();
  EXPECT_TRUE(events.off(id));
  EXPECT_EQ(deaths, 1);
  EXPECT_EQ(events.listener_count_total(), 0u);
}

struct Warning {
  std::string name;
  std::size_t count;
  friend bool operator==(const Warning&, const Warning&) = default;
};

void PrintTo(const Warning& w, std::ostream* os) { *os << "{" << w.name << ", " << w.count << "}"; }

TEST(Emitter, LeakWarningAtTenToElevenListeners) {
  Emitter events;
  std::vector<Warning> warnings;
  events.set_leak_warning([&](std::string_view name, std::size_t count) {
    warnings.push_back({std::string(name), count});
  });
  EXPECT_EQ(events.max_listeners(), 10u);
  const auto noop = [](const Event&) {};
  for (int i = 0; i < 10; ++i) events.on("ack", noop);  // socket.on('ack', ...) per request
  EXPECT_TRUE(warnings.empty()) << "10 listeners is at the limit, not past it";
  EXPECT_EQ(events.leak_warnings(), 0u);
  events.on("ack", noop);
  EXPECT_EQ(warnings, (std::vector<Warning>{{"ack", 11}}));
  EXPECT_EQ(events.listener_count("ack"), 11u);          // warned, and still added
  for (int i = 0; i < 5; ++i) events.once("ack", noop);  // once per name
  EXPECT_EQ(warnings.size(), 1u);
  EXPECT_EQ(events.leak_warnings(), 1u);
  // Another name has its own count; catch-all listeners count for no name.
  for (int i = 0; i < 20; ++i) events.on_any(noop);
  for (int i = 0; i < 11; ++i) events.once("other", noop);
  EXPECT_EQ(warnings, (std::vector<Warning>{{"ack", 11}, {"other", 11}}));
  // After all listeners of a name are gone, its warning can come again.
  EXPECT_EQ(events.emit("other", "[]"), Errc::none);
  EXPECT_EQ(events.listener_count("other"), 0u);
  for (int i = 0; i < 11; ++i) events.on("other", noop);
  EXPECT_EQ(warnings.size(), 3u);
  EXPECT_EQ(events.leak_warnings(), 3u);
}

TEST(Emitter, MaxListenersIsSettable) {
  struct Row {
    std::size_t max;
    std::size_t adds;
    std::size_t warn_at;  // the count passed to the hook; 0: no warning
  };
  const Row rows[] = {{0, 200, 0}, {1, 1, 0},    {1, 2, 2},     {2, 2, 0},      {2, 3, 3},
                      {10, 10, 0}, {10, 11, 11}, {100, 100, 0}, {100, 101, 101}};
  for (const Row& row : rows) {
    SCOPED_TRACE("max " + std::to_string(row.max) + " adds " + std::to_string(row.adds));
    Emitter events;
    events.set_max_listeners(row.max);
    EXPECT_EQ(events.max_listeners(), row.max);
    std::vector<Warning> warnings;
    events.set_leak_warning([&](std::string_view name, std::size_t count) {
      warnings.push_back({std::string(name), count});
    });
    for (std::size_t i = 0; i < row.adds; ++i) events.on("e", [](const Event&) {});
    const std::vector<Warning> expected =
        row.warn_at ? std::vector<Warning>{{"e", row.warn_at}} : std::vector<Warning>{};
    EXPECT_EQ(warnings, expected);
    EXPECT_EQ(events.leak_warnings(), row.warn_at ? 1u : 0u);
    EXPECT_EQ(events.listener_count("e"), row.adds);
  }
}

TEST(Emitter, WarningsAreCountedWithoutAHookAndTheHookMayCallBack) {
  Emitter events;
  events.set_max_listeners(1);
  events.on("a", [](const Event&) {});
  events.on("a", [](const Event&) {});
  EXPECT_EQ(events.leak_warnings(), 1u);
  // A hook that reacts by removing the name's listeners and replacing itself.
  int hook_calls = 0;
  events.set_leak_warning([&](std::string_view name, std::size_t count) {
    ++hook_calls;
    EXPECT_EQ(name, "b");
    EXPECT_EQ(count, 2u);
    EXPECT_EQ(events.remove_all(name), 2u);
    events.set_leak_warning(nullptr);
  });
  events.on("b", [](const Event&) {});
  EXPECT_NE(events.on("b", [](const Event&) {}), 0u);
  EXPECT_EQ(hook_calls, 1);
  EXPECT_EQ(events.listener_count("b"), 0u);
  events.on("c", [](const Event&) {});
  events.on("c", [](const Event&) {});
  EXPECT_EQ(hook_calls, 1);  // the hook was removed
  EXPECT_EQ(events.leak_warnings(), 3u);
}

TEST(Emitter, AThrowingListenerLeavesTheEmitterConsistent) {
  Emitter events;
  Log log;
  events.once("e", [](const Event&) { throw std::runtime_error("handler failed"); });
  events.on("e", log.listener("after"));
  EXPECT_THROW(events.emit("e", "[]"), std::runtime_error);
  EXPECT_TRUE(log.take().empty());
  EXPECT_EQ(events.listener_count("e"), 1u);  // the once listener is gone all the same
  EXPECT_EQ(events.emit("e", "[]"), Errc::none);
  EXPECT_EQ(log.take(), (Lines{"after e []"}));
}

}  // namespace
}  // namespace sioconf::ack
