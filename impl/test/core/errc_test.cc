#include "sioconf/errc.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace sioconf {
namespace {

TEST(Errc, NamesAreUniqueSnakeCaseAndRoundTrip) {
  std::set<std::string_view> names;
  for (Errc e : all_errcs()) {
    const std::string_view n = name(e);
    EXPECT_TRUE(names.insert(n).second) << n;
    for (char c : n) EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') << n;
    EXPECT_EQ(errc_from_name(n), e) << n;
    EXPECT_FALSE(message(e).empty()) << n;
  }
  EXPECT_EQ(errc_from_name("no_such_error"), std::nullopt);
}

TEST(Errc, NumbersAreStable) {
  // A renumbering breaks every stored report: these pins must never change.
  EXPECT_EQ(static_cast<int>(Errc::none), 0);
  EXPECT_EQ(static_cast<int>(Errc::ws_control_too_long), 23);
  EXPECT_EQ(static_cast<int>(Errc::sio_bad_event_name), 102);
  EXPECT_EQ(static_cast<int>(Errc::limit_attachments), 222);
}

TEST(Errc, LimitNamesHaveLimitCondition) {
  for (Errc e : all_errcs()) {
    const bool is_limit = name(e).rfind("limit_", 0) == 0;
    EXPECT_EQ(is_limit, condition(e) == Condition::limit) << name(e);
  }
}

TEST(Errc, WsCloseCodes) {
  EXPECT_EQ(ws_close_code(Errc::ws_control_too_long), 1002);
  EXPECT_EQ(ws_close_code(Errc::ws_bad_utf8), 1007);
  EXPECT_EQ(ws_close_code(Errc::limit_ws_fragments), 1008);
  EXPECT_EQ(ws_close_code(Errc::limit_ws_message_bytes), 1009);
  EXPECT_EQ(ws_close_code(Errc::sio_bad_event_name), 0);
  for (Errc e : all_errcs())
    if (name(e).rfind("ws_", 0) == 0) {
      EXPECT_NE(ws_close_code(e), 0) << name(e);
    }
}

TEST(Errc, ConditionNames) {
  EXPECT_EQ(name(Condition::protocol), "protocol");
  EXPECT_EQ(name(Condition::limit), "limit");
  EXPECT_EQ(name(Condition::state), "state");
  EXPECT_EQ(name(Condition::io), "io");
}

}  // namespace
}  // namespace sioconf
