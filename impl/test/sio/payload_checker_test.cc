// The streaming payload checker against the DOM oracle it replaced: the same verdict on generated
// payloads of every type, rich in placeholder objects of right and wrong shapes, nested inside one
// another, with escaped keys, and mutated by a byte.
#include "payload_checker.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

#include "sio/dom_payload_oracle.h"
#include "splitmix.h"

namespace sioconf::detail {
namespace {

using sio::PacketType;

using Rng = SplitMix;

constexpr std::array<const char*, 12> kFlagKeys = {R"("_placeholder")",
                                                   R"("_placeholder")",
                                                   R"("_placeholder")",
                                                   R"("_pl\u0061ceholder")",
                                                   R"("_placeholderx")",
                                                   R"("placeholder")",
                                                   R"("num")",
                                                   R"("n\u0075m")",
                                                   R"("num")",
                                                   R"("num")",
                                                   R"("x")",
                                                   R"("")"};
constexpr std::array<const char*, 8> kFlags = {"true", "true", "true", "false", "1", R"("true")", "null", "{}"};
constexpr std::array<const char*, 14> kNums = {
    "0", "1", "2", "0", "1", "-0", "-1", "1.0", "1e0", R"("0")", "99", "18446744073709551615", "[0]", "null"};
constexpr std::array<const char*, 12> kNames = {
    R"("message")", R"("chat")", R"("connect")", R"("conn\u0065ct")", R"("newListener")", "1", "-2.5", "null", "true",
    "{}",           "[]",        R"("")"};

void value(Rng& rng, std::string& out, int depth);

void placeholder(Rng& rng, std::string& out, int depth) {
  out += '{';
  const std::size_t shape = rng.below(10);
  if (shape < 6) {  // the two members, either order, values right or wrong
    const std::string flag = std::string(R"("_placeholder":)") + rng.pick(kFlags);
    const std::string num = std::string(R"("num":)") + rng.pick(kNums);
    out += rng.below(2) ? flag + "," + num : num + "," + flag;
  } else {  // any members
    const std::size_t n = rng.below(4);
    for (std::size_t i = 0; i < n; ++i) {
      if (i) out += ',';
      out += rng.pick(kFlagKeys);
      out += ':';
      if (rng.below(4) == 0 && depth < 4) value(rng, out, depth + 1);
      else out += rng.below(2) ? rng.pick(kFlags) : rng.pick(kNums);
    }
  }
  out += '}';
}

void value(Rng& rng, std::string& out, int depth) {
  const std::size_t roll = rng.below(10);
  if (depth < 4 && roll < 4) {
    placeholder(rng, out, depth);
  } else if (depth < 4 && roll < 6) {
    out += '[';
    const std::size_t n = rng.below(4);
    for (std::size_t i = 0; i < n; ++i) {
      if (i) out += ',';
      value(rng, out, depth + 1);
    }
    out += ']';
  } else if (depth < 4 && roll < 8) {
    out += '{';
    const std::size_t n = rng.below(3);
    for (std::size_t i = 0; i < n; ++i) {
      if (i) out += ',';
      out += rng.pick(kFlagKeys);
      out += ':';
      value(rng, out, depth + 1);
    }
    out += '}';
  } else {
    out += rng.pick(kNums);
  }
}

std::string payload(Rng& rng) {
  std::string out;
  switch (rng.below(8)) {
    case 0: return "";
    case 1: value(rng, out, 1); return out;  // not an array, mostly
    default: break;
  }
  out += '[';
  const std::size_t n = rng.below(5);
  for (std::size_t i = 0; i < n; ++i) {
    if (i) out += ',';
    if (i == 0 && rng.below(3)) out += rng.pick(kNames);
    else value(rng, out, 1);
  }
  out += ']';
  return out;
}

TEST(SioPayloadChecker, SameVerdictAsDomOracle) {
  constexpr std::array<PacketType, 7> kTypes = {
      PacketType::connect,       PacketType::disconnect,   PacketType::event,     PacketType::ack,
      PacketType::connect_error, PacketType::binary_event, PacketType::binary_ack};
  Rng rng(20261130);
  SioPayloadChecker checker;
  test::DomPayloadOracle oracle;
  Limits limits;
  std::size_t accepted = 0, placeholder_verdicts = 0, mismatches = 0;
  for (int i = 0; i < 100000; ++i) {
    const PacketType type =
        rng.below(3) ? (rng.below(2) ? PacketType::binary_event : PacketType::binary_ack) : rng.pick(kTypes);
    std::string text = payload(rng);
    if (rng.below(6) == 0 && !text.empty()) text[rng.below(text.size())] = "{}[],:\"0 "[rng.below(9)];
    const auto attachments = static_cast<std::uint32_t>(rng.below(4));
    limits.max_depth = rng.below(4) == 0 ? 2 : 32;
    const Errc want = oracle.check(type, text, attachments, limits);
    const Errc got = checker.check(type, text, attachments, limits);
    if (want == Errc::none) ++accepted;
    if (want == Errc::sio_bad_placeholder || want == Errc::sio_placeholder_range ||
        want == Errc::sio_placeholder_duplicate || want == Errc::sio_attachment_unused)
      ++placeholder_verdicts;
    if (want != got && ++mismatches <= 10)
      ADD_FAILURE() << sio::name(type) << " attachments " << attachments << " depth " << limits.max_depth << " payload "
                    << text << ": oracle " << name(want) << ", checker " << name(got);
  }
  EXPECT_GT(accepted, 5000u);
  EXPECT_GT(placeholder_verdicts, 20000u);
  EXPECT_EQ(mismatches, 0u);
}

}  // namespace
}  // namespace sioconf::detail
