#include "sioconf/limits.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace sioconf
