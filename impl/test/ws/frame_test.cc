#include "sioconf/ws/frame.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace sioconf::ws {
namespace {

TEST(Frame, OpcodeNamesAndClasses) {
  EXPECT_EQ(name(Opcode::continuation), "continuation");
  EXPECT_EQ(name(Opcode::text), "text");
  EXPECT_EQ(name(Opcode::binary), "binary");
  EXPECT_EQ(name(Opcode::close), "close");
  EXPECT_EQ(name(Opcode::ping), "ping");
  EXPECT_EQ(name(Opcode::pong), "pong");
  EXPECT_EQ(name(static_cast<Opcode>(3)), "reserved");
  const std::set<int> known = {0x0, 0x1, 0x2, 0x8, 0x9, 0xA};  // RFC 6455 5.2
  for (int op = 0; op < 16; ++op) {
    EXPECT_EQ(is_known_opcode(static_cast<std::uint8_t>(op)), known.count(op) == 1) << op;
    EXPECT_EQ(is_control(static_cast<Opcode>(op)), op >= 8) << op;
  }
}

TEST(Frame, CloseCodesFollowTheRfcAndTheIanaRegistry) {
  // RFC 6455 7.4.1 and the IANA registry: 1000-1003, 1007-1011 (RFC 6455), 1012-1014 (registered
  // later); 1004 reserved; 1005, 1006, 1015 never on the wire; 3000-4999 for libraries and private
  // use. Everything else is refused.
  std::set<int> allowed;
  for (int c : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014}) allowed.insert(c);
  for (int c = 3000; c <= 4999; ++c) allowed.insert(c);
  for (int code = 0; code <= 0xFFFF; ++code)
    ASSERT_EQ(is_valid_close_code(static_cast<std::uint16_t>(code)), allowed.count(code) == 1) << code;
}

TEST(Frame, HeaderSizes) {
  // RFC 6455 5.2: 7-bit up to 125, 16-bit up to 65535, then 64-bit; + 4 for a masking key.
  EXPECT_EQ(header_size(0, false), 2u);
  EXPECT_EQ(header_size(125, false), 2u);
  EXPECT_EQ(header_size(126, false), 4u);
  EXPECT_EQ(header_size(65535, false), 4u);
  EXPECT_EQ(header_size(65536, false), 10u);
  EXPECT_EQ(header_size(65536, true), kMaxHeaderBytes);
  EXPECT_EQ(header_size(0, true), 6u);
  EXPECT_EQ(kMaxControlPayload, 125u);
}

}  // namespace
}  // namespace sioconf::ws
