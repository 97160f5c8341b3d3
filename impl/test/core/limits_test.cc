#include "sioconf/limits.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "sioconf/errc.h"

namespace sioconf {
namespace {

TEST(Limits, EveryKeyReadsAndWrites) {
  Limits limits;
  for (std::string_view key : limit_keys()) {
    ASSERT_TRUE(get_limit(limits, key).has_value()) << key;
    EXPECT_TRUE(set_limit(limits, key, 7)) << key;
    EXPECT_EQ(get_limit(limits, key), 7u) << key;
  }
}

TEST(Limits, EveryKeyHasItsLimitErrc) {
  // Field "ws_max_frame_bytes" <-> Errc "limit_ws_frame_bytes": one error per field.
  for (std::string_view key : limit_keys()) {
    std::string errc = "limit_";
    std::string k(key);
    const auto at = k.find("max_");
    errc += k.substr(0, at) + k.substr(at + 4);
    EXPECT_TRUE(errc_from_name(errc).has_value()) << key << " has no " << errc;
  }
}

TEST(Limits, RejectsUnknownKeysAndOverflow) {
  Limits limits;
  EXPECT_FALSE(set_limit(limits, "no_such_limit", 1));
  EXPECT_EQ(get_limit(limits, "no_such_limit"), std::nullopt);
  EXPECT_FALSE(set_limit(limits, "max_attachments", 1ULL << 32));  // a uint32 field
  EXPECT_EQ(limits.max_attachments, 10u);
  EXPECT_TRUE(set_limit(limits, "max_attachments", 0xFFFFFFFFULL));
}

TEST(Limits, DefaultsMatchTheReference) {
  const Limits limits;
  EXPECT_EQ(limits.max_attachments, 10u);               // socket.io-parser 4.2.6+
  EXPECT_EQ(limits.eio_max_payload_bytes, 1'000'000u);  // engine.io maxHttpBufferSize
  EXPECT_EQ(limits.ws_max_message_bytes, 1'000'000u);   // ws maxPayload under engine.io
  EXPECT_EQ(limits.max_ack_id, (1ULL << 53) - 1);       // JavaScript safe integer
}

TEST(Limits, SharedCopiesAreOnePerValue) {
  Limits small;
  small.max_depth = 3;
  const auto a = shared_limits(Limits{});
  const auto b = shared_limits(Limits{});
  const auto c = shared_limits(small);
  EXPECT_EQ(a.get(), b.get());  // equal values: one object
  EXPECT_NE(a.get(), c.get());
  EXPECT_EQ(*a, Limits{});
  EXPECT_EQ(c->max_depth, 3u);
  // Every field takes part in the comparison: a copy differing in any one is another object.
  for (const std::string_view key : limit_keys()) {
    Limits other;
    ASSERT_TRUE(set_limit(other, key, *get_limit(other, key) - 1)) << key;
    EXPECT_NE(shared_limits(other).get(), a.get()) << key;
  }
}

TEST(Limits, SharedCopyGoesWithItsLastHolder) {
  Limits odd;
  odd.max_namespace_bytes = 77;
  std::weak_ptr<const Limits> seen = shared_limits(odd);
  EXPECT_TRUE(seen.expired());  // nobody held it
  auto held = shared_limits(odd);
  seen = held;
  EXPECT_EQ(shared_limits(odd).get(), held.get());
  held.reset();
  EXPECT_TRUE(seen.expired());
}

}  // namespace
}  // namespace sioconf
