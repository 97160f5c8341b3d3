#include "sioconf/sio/packet_decoder.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "support/grind.h"
#include "support/hex.h"

namespace sioconf::sio::test {

using sioconf::test::Transcript;

struct Msg {
  bool text = true;
  std::string bytes;
};

inline Msg T(std::string s) { return {true, std::move(s)}; }
inline Msg B(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s += static_cast<char>(b);
  return {false, s};
}
inline Msg B(std::string raw) { return {false, std::move(raw)}; }

/// {"_placeholder":true,"num":<n>}
inline std::string ph(const std::string& n) { return "{\"_placeholder\":true,\"num\":" + n + "}"; }
inline std::string ph(int n) { return ph(std::to_string(n)); }

using ::sioconf::test::hex_of;
/// "<type> <nsp>[ #<id>][ <payload>][ +<hex attachment>...]"
inline std::string render(const Packet& p) {
  std::string s = std::string(name(p.type)) + " " + std::string(p.nsp);
  if (p.id) s += " #" + std::to_string(*p.id);
  if (!p.payload.empty()) s += " " + std::string(p.payload);
  for (ByteView a : p.attachments) s += " +" + hex_of(a);
  return s;
}

class Recorder : public PacketSink {
 public:
  std::vector<std::string> events;
  void on_packet(const Packet& p) override {
    EXPECT_EQ(p.attachments.empty(), !is_binary(p.type));
    EXPECT_FALSE(p.nsp.empty());
    EXPECT_EQ(p.nsp.front(), '/');
    events.push_back(render(p));
  }
};

inline std::string err(std::string_view code, std::uint64_t at) {
  return "error " + std::string(code) + " @" + std::to_string(at);
}
inline std::string finish_err(std::string_view code, std::uint64_t at) {
  return "finish error " + std::string(code) + " @" + std::to_string(at);
}

inline std::uint64_t total_size(const std::vector<Msg>& msgs) {
  std::uint64_t n = 0;
  for (const Msg& m : msgs) n += m.bytes.size();
  return n;
}

/// Feeds `msgs` (each in guarded memory) to `dec`, then finish(). Offsets in the outcome are
/// relative to `base` (what `dec` had consumed before).
inline Transcript run_on(PacketDecoder& dec, const std::vector<Msg>& msgs, std::uint64_t base = 0) {
  Recorder rec;
  for (const Msg& m : msgs) {
    sioconf::test::GuardedBytes g(as_bytes(m.bytes));
    const Status s = dec.feed({m.text ? MessageKind::text : MessageKind::binary, g.view()}, rec);
    if (s == Status::error) {
      const DecodeError e = dec.error();
      EXPECT_NE(e.code, Errc::none);
      // Sticky: neither feed nor finish looks at anything, and the error stays as it was.
      EXPECT_EQ(dec.feed({MessageKind::text, as_bytes("2[\"x\"]")}, rec), Status::error);
      EXPECT_EQ(dec.finish(), Status::error);
      EXPECT_EQ(dec.error(), e);
      return {rec.events, err(name(e.code), e.offset - base)};
    }
    EXPECT_EQ(s, Status::ok);
    EXPECT_FALSE(dec.error());
  }
  const bool awaiting = dec.awaiting_attachments();
  if (dec.finish() == Status::error) {
    EXPECT_TRUE(awaiting);
    return {rec.events, finish_err(name(dec.error().code), dec.error().offset - base)};
  }
  EXPECT_FALSE(awaiting);
  return {rec.events, "ok"};
}

inline void feed_all(PacketDecoder& dec, const std::vector<Msg>& msgs) {
  Recorder ignored;
  for (const Msg& m : msgs)
    (void)dec.feed({m.text ? MessageKind::text : MessageKind::binary, as_bytes(m.bytes)}, ignored);
}

/// The message-layer oracle: the same transcript from every decoder history. Returns it.
inline Transcript grind_messages(const std::vector<Msg>& msgs, const Limits& limits = {}) {
  PacketDecoder fresh(limits);
  const Transcript whole = run_on(fresh, msgs);

  // A decoder that decoded a binary packet and a text packet, then reset().
  const std::vector<Msg> warm = {T("52-/w,[\"w\"," + ph(1) + "," + ph(0) + "]"), B({1, 2, 3}), B({4}), T("2[\"w\"]")};
  PacketDecoder after_packets(limits);
  feed_all(after_packets, warm);
  after_packets.reset();
  EXPECT_EQ(run_on(after_packets, msgs), whole) << "after packets + reset()";

  // A decoder left in error, then reset().
  PacketDecoder after_error(limits);
  feed_all(after_error, {T("9")});
  EXPECT_TRUE(after_error.error());
  after_error.reset();
  EXPECT_EQ(run_on(after_error, msgs), whole) << "after an error + reset()";

  // A decoder left in the middle of a binary packet (when the limits allow one), then reset().
  PacketDecoder mid_binary(limits);
  feed_all(mid_binary, {T("52-[\"w\"," + ph(0) + "," + ph(1) + "]"), B({7})});
  mid_binary.reset();
  EXPECT_FALSE(mid_binary.awaiting_attachments());
  EXPECT_EQ(run_on(mid_binary, msgs), whole) << "mid binary packet + reset()";

  // No reset: one packet decoded before; same packets after it, offsets shifted by its size.
  PacketDecoder continued(limits);
  Recorder first;
  const std::string w = "2[\"w\"]";
  if (continued.feed({MessageKind::text, as_bytes(w)}, first) == Status::ok) {
    EXPECT_EQ(run_on(continued, msgs, w.size()), whole) << "after one packet, no reset()";
  }
  return whole;
}

}  // namespace sioconf::sio::test

namespace sioconf::sio {
namespace {

using namespace test;

struct Row {
  std::string name;
  std::vector<Msg> msgs;
  std::vector<std::string> events;
  std::string outcome;
  Limits limits{};
};

void check_rows(const std::vector<Row>& rows) {
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    const Transcript t = grind_messages(r.msgs, r.limits);
    EXPECT_EQ(t.events, r.events);
    EXPECT_EQ(t.outcome, r.outcome);
  }
}

const std::string P0 = ph(0), P1 = ph(1), P2 = ph(2);

// ---- socket.io-protocol v5 "Packet encoding": every example, and the sample session ----------

TEST(PacketDecoder, SpecExamples) {
  const std::string b1 = "51-[\"baz\"," + P0 + "]";
  const std::string b2 = "52-/admin,[\"baz\"," + P0 + "," + P1 + "]";
  const std::string b3 = "51-14[\"foo\"," + P0 + "]";
  const std::string b4 = "61-15[\"bar\"," + P0 + "]";
  check_rows({
      {"CONNECT /", {T("0")}, {"connect /"}, "ok"},
      {"CONNECT / with auth", {T("0{\"token\":\"123\"}")}, {"connect / {\"token\":\"123\"}"}, "ok"},
      {"CONNECT /admin", {T("0/admin,")}, {"connect /admin"}, "ok"},
      {"CONNECT /admin with auth", {T("0/admin,{\"token\":\"123\"}")}, {"connect /admin {\"token\":\"123\"}"}, "ok"},
      {"CONNECT reply /",
       {T("0{\"sid\":\"wZX3oN0bSVIhsaknAAAI\"}")},
       {"connect / {\"sid\":\"wZX3oN0bSVIhsaknAAAI\"}"},
       "ok"},
      {"CONNECT reply /admin",
       {T("0/admin,{\"sid\":\"oSO0OpakMV_3jnilAAAA\"}")},
       {"connect /admin {\"sid\":\"oSO0OpakMV_3jnilAAAA\"}"},
       "ok"},
      {"CONNECT_ERROR",
       {T("4{\"message\":\"Not authorized\"}")},
       {"connect_error / {\"message\":\"Not authorized\"}"},
       "ok"},
      {"DISCONNECT /", {T("1")}, {"disconnect /"}, "ok"},
      {"DISCONNECT /admin", {T("1/admin,")}, {"disconnect /admin"}, "ok"},
      {"EVENT /", {T("2[\"foo\"]")}, {"event / [\"foo\"]"}, "ok"},
      {"EVENT /admin", {T("2/admin,[\"bar\"]")}, {"event /admin [\"bar\"]"}, "ok"},
      {"BINARY_EVENT one attachment",
       {T(b1), B({1, 2, 3, 4})},
       {"binary_event / [\"baz\"," + P0 + "] +01020304"},
       "ok"},
      {"BINARY_EVENT /admin two attachments",
       {T(b2), B({1, 2}), B({3, 4})},
       {"binary_event /admin [\"baz\"," + P0 + "," + P1 + "] +0102 +0304"},
       "ok"},
      {"EVENT with ack id", {T("212[\"foo\"]")}, {"event / #12 [\"foo\"]"}, "ok"},
      {"ACK empty", {T("312[]")}, {"ack / #12 []"}, "ok"},
      {"EVENT /admin with ack id", {T("2/admin,13[\"foo\"]")}, {"event /admin #13 [\"foo\"]"}, "ok"},
      {"ACK /admin", {T("3/admin,13[\"bar\"]")}, {"ack /admin #13 [\"bar\"]"}, "ok"},
      {"BINARY_EVENT with ack id",
       {T(b3), B({1, 2, 3, 4})},
       {"binary_event / #14 [\"foo\"," + P0 + "] +01020304"},
       "ok"},
      {"ACK 14", {T("314[\"bar\"]")}, {"ack / #14 [\"bar\"]"}, "ok"},
      {"EVENT 15", {T("215[\"foo\"]")}, {"event / #15 [\"foo\"]"}, "ok"},
      {"BINARY_ACK", {T(b4), B({1, 2, 3, 4})}, {"binary_ack / #15 [\"bar\"," + P0 + "] +01020304"}, "ok"},
      {"sample session: emit('hey','Jude')", {T("2[\"hey\",\"Jude\"]")}, {"event / [\"hey\",\"Jude\"]"}, "ok"},
      {"sample session: two emits",
       {T("2[\"hello\"]"), T("2[\"world\"]")},
       {"event / [\"hello\"]", "event / [\"world\"]"},
       "ok"},
  });
}

// ---- well-formed packets beyond the examples ----------------------------------------------------

TEST(PacketDecoder, Accepted) {
  const std::string deep = "51-[\"a\",{\"k\":[{\"x\":" + P0 + "}]}]";
  const std::string reversed = "51-[\"a\",{\"num\":0,\"_placeholder\":true}]";
  const std::string nine = "5000000001-[\"a\"," + P0 + "]";
  check_rows({
      {"explicit main namespace", {T("2/,[\"a\"]")}, {"event / [\"a\"]"}, "ok"},
      {"namespace alone, no comma", {T("0/admin")}, {"connect /admin"}, "ok"},
      {"namespace '/' alone", {T("0/")}, {"connect /"}, "ok"},
      {"namespace with path and query", {T("2/a/b?x=1,[\"a\"]")}, {"event /a/b?x=1 [\"a\"]"}, "ok"},
      {"namespace in UTF-8", {T("2/\xc3\xa9\xe2\x82\xac,[\"a\"]")}, {"event /\xc3\xa9\xe2\x82\xac [\"a\"]"}, "ok"},
      {"ack id 0", {T("20[\"a\"]")}, {"event / #0 [\"a\"]"}, "ok"},
      {"ack id leading zeros", {T("2007[\"a\"]")}, {"event / #7 [\"a\"]"}, "ok"},
      {"ack id after namespace", {T("3/nsp,5[\"x\"]")}, {"ack /nsp #5 [\"x\"]"}, "ok"},
      {"trailing whitespace is JSON", {T("2[\"a\"] \n")}, {"event / [\"a\"] \n"}, "ok"},
      {"whitespace inside JSON", {T("2[ \"a\" , 1 ]")}, {"event / [ \"a\" , 1 ]"}, "ok"},
      {"numeric event name", {T("2[1]")}, {"event / [1]"}, "ok"},
      {"negative fractional event name", {T("2[-1.5e3]")}, {"event / [-1.5e3]"}, "ok"},
      {"event name 'error' is not reserved", {T("2[\"error\"]")}, {"event / [\"error\"]"}, "ok"},
      {"reserved name only as [0]", {T("2[\"a\",\"connect\"]")}, {"event / [\"a\",\"connect\"]"}, "ok"},
      {"reserved names are case sensitive", {T("2[\"Connect\"]")}, {"event / [\"Connect\"]"}, "ok"},
      {"placeholder in EVENT is plain data", {T("2[\"a\"," + P0 + "]")}, {"event / [\"a\"," + P0 + "]"}, "ok"},
      {"broken placeholder in EVENT is plain data",
       {T("2[\"a\",{\"_placeholder\":\"x\"}]")},
       {"event / [\"a\",{\"_placeholder\":\"x\"}]"},
       "ok"},
      {"placeholder in CONNECT is plain data", {T("0{\"_placeholder\":1}")}, {"connect / {\"_placeholder\":1}"}, "ok"},
      {"CONNECT_ERROR string (v4 style)", {T("4\"x\"")}, {"connect_error / \"x\""}, "ok"},
      {"ACK array of objects", {T("31[{\"a\":[1,2]},null]")}, {"ack / #1 [{\"a\":[1,2]},null]"}, "ok"},
      {"placeholder keys in any order",
       {T(reversed), B({9})},
       {"binary_event / [\"a\",{\"num\":0,\"_placeholder\":true}] +09"},
       "ok"},
      {"placeholder deep inside", {T(deep), B({9})}, {"binary_event / [\"a\",{\"k\":[{\"x\":" + P0 + "}]}] +09"}, "ok"},
      {"placeholders out of order",
       {T("52-[\"a\"," + P1 + "," + P0 + "]"), B({1}), B({2})},
       {"binary_event / [\"a\"," + P1 + "," + P0 + "] +01 +02"},
       "ok"},
      {"empty attachment",
       {T("51-[\"a\"," + P0 + "]"), B(std::string())},
       {"binary_event / [\"a\"," + P0 + "] +"},
       "ok"},
      {"count with leading zeros (9 digits)", {T(nine), B({5})}, {"binary_event / [\"a\"," + P0 + "] +05"}, "ok"},
      {"BINARY_ACK with empty array around placeholder",
       {T("61-3[[]," + P0 + "]"), B({1})},
       {"binary_ack / #3 [[]," + P0 + "] +01"},
       "ok"},
      {"placeholder as event argument object key value",
       {T("51-[\"a\",{\"_placeholder\":true,\"num\":0}]"), B({0xff})},
       {"binary_event / [\"a\"," + P0 + "] +ff"},
       "ok"},
      {"packets back to back",
       {T("2[\"a\"]"), T("51-[\"b\"," + P0 + "]"), B({1}), T("3/x,1[]"), T("1")},
       {"event / [\"a\"]", "binary_event / [\"b\"," + P0 + "] +01", "ack /x #1 []", "disconnect /"},
       "ok"},
  });
}

// ---- every error of the layer, with its offset ------------------------------------------------

std::vector<Row> every_error_rows() {
  const std::string h1 = "51-[\"a\"," + P0 + "]";
  const std::string h2 = "52-[\"a\"," + P0 + "," + P1 + "]";
  Limits ack30;
  ack30.max_ack_id_digits = 30;
  return {
      // type
      {"empty packet", {T("")}, {}, err("sio_empty_packet", 0)},
      {"type 7", {T("7")}, {}, err("sio_bad_packet_type", 0)},
      {"type letter", {T("a[\"x\"]")}, {}, err("sio_bad_packet_type", 0)},
      {"type space", {T(" ")}, {}, err("sio_bad_packet_type", 0)},
      {"type after a good packet", {T("2[\"a\"]"), T("/")}, {"event / [\"a\"]"}, err("sio_bad_packet_type", 6)},
      // attachment count
      {"count missing at end", {T("5")}, {}, err("sio_bad_attachments", 1)},
      {"count missing", {T("5[\"a\"]")}, {}, err("sio_bad_attachments", 1)},
      {"count without dash", {T("51[\"a\"]")}, {}, err("sio_bad_attachments", 2)},
      {"count without dash at end", {T("51")}, {}, err("sio_bad_attachments", 2)},
      {"count empty", {T("5-[\"a\"]")}, {}, err("sio_bad_attachments", 1)},
      {"count zero", {T("60-1[\"a\"]")}, {}, err("sio_bad_attachments", 1)},
      {"count with exponent", {T("51e0-[\"a\"," + P0 + "]")}, {}, err("sio_bad_attachments", 2)},
      {"count in hex", {T("50x1-[\"a\"," + P0 + "]")}, {}, err("sio_bad_attachments", 2)},
      {"count with sign", {T("5+1-[\"a\"," + P0 + "]")}, {}, err("sio_bad_attachments", 1)},
      // namespace
      {"missing comma: payload in namespace", {T("2/nsp[\"a\"]")}, {}, err("sio_bad_namespace", 5)},
      {"quote in namespace", {T("2/a\"b,[\"a\"]")}, {}, err("sio_bad_namespace", 3)},
      {"brace in namespace", {T("0/a{}")}, {}, err("sio_bad_namespace", 3)},
      {"control byte in namespace", {T("2/a\x01,[\"a\"]")}, {}, err("sio_bad_namespace", 3)},
      {"NUL in namespace", {T(std::string("1/a\0b,", 6))}, {}, err("sio_bad_namespace", 3)},
      {"DEL in namespace", {T("1/a\x7f,")}, {}, err("sio_bad_namespace", 3)},
      {"namespace after count", {T("51-/x[" + P0 + "]")}, {}, err("sio_bad_namespace", 5)},
      {"namespace not UTF-8", {T("2/a\xff,[\"a\"]")}, {}, err("bad_utf8", 3)},
      {"namespace ends mid code point", {T("2/a\xc3,[\"a\"]")}, {}, err("bad_utf8", 4)},
      {"namespace ends mid code point at end", {T("1/a\xe2\x82")}, {}, err("bad_utf8", 5)},
      // ack id
      {"ack id with fraction", {T("21.5[\"a\"]")}, {}, err("sio_bad_ack_id", 2)},
      {"ack id with exponent", {T("21e3[\"a\"]")}, {}, err("sio_bad_ack_id", 2)},
      {"ack id then sign", {T("31-[]")}, {}, err("sio_bad_ack_id", 2)},
      {"negative ack id", {T("2-1[\"a\"]")}, {}, err("sio_bad_ack_id", 1)},
      {"ack id with plus sign", {T("2/x,+1[\"a\"]")}, {}, err("sio_bad_ack_id", 4)},
      {"ack id on CONNECT", {T("01{}")}, {}, err("sio_ack_id_not_allowed", 1)},
      {"ack id on DISCONNECT", {T("1/a,1")}, {}, err("sio_ack_id_not_allowed", 4)},
      {"ack id on CONNECT_ERROR", {T("42[\"a\"]")}, {}, err("sio_ack_id_not_allowed", 1)},
      {"ACK without id", {T("3[1]")}, {}, err("sio_ack_without_id", 1)},
      {"ACK without id or payload", {T("3")}, {}, err("sio_ack_without_id", 1)},
      {"ACK /nsp without id", {T("3/nsp,[]")}, {}, err("sio_ack_without_id", 6)},
      {"BINARY_ACK without id", {T("61-[" + P0 + "]"), B({1})}, {}, err("sio_ack_without_id", 3)},
      {"ack id above 2^64", {T("218446744073709551616[\"a\"]")}, {}, err("limit_ack_id", 1), ack30},
      // payload
      {"space before payload", {T("2 [\"a\"]")}, {}, err("sio_payload_leading_space", 1)},
      {"tab before payload", {T("21\t[\"a\"]")}, {}, err("sio_payload_leading_space", 2)},
      {"newline before payload", {T("2/x,\n[\"a\"]")}, {}, err("sio_payload_leading_space", 4)},
      {"space as CONNECT payload", {T("0 ")}, {}, err("sio_payload_leading_space", 1)},
      {"space as DISCONNECT payload", {T("1\r")}, {}, err("sio_payload_leading_space", 1)},
      {"EVENT without payload", {T("2")}, {}, err("sio_missing_payload", 1)},
      {"EVENT with id, no payload", {T("21")}, {}, err("sio_missing_payload", 2)},
      {"EVENT /nsp without comma or payload", {T("2/nsp")}, {}, err("sio_missing_payload", 5)},
      {"CONNECT_ERROR without payload", {T("4")}, {}, err("sio_missing_payload", 1)},
      {"ACK without payload", {T("31")}, {}, err("sio_missing_payload", 2)},
      {"BINARY_EVENT without payload", {T("51-")}, {}, err("sio_missing_payload", 3)},
      {"CONNECT array", {T("0[]")}, {}, err("sio_connect_payload", 1)},
      {"CONNECT string", {T("0/admin,\"x\"")}, {}, err("sio_connect_payload", 8)},
      {"CONNECT null", {T("0null")}, {}, err("sio_connect_payload", 1)},
      {"DISCONNECT object", {T("1{}")}, {}, err("sio_disconnect_payload", 1)},
      {"DISCONNECT /admin object", {T("1/admin,{}")}, {}, err("sio_disconnect_payload", 8)},
      {"DISCONNECT garbage is not parsed", {T("1x")}, {}, err("sio_disconnect_payload", 1)},
      {"EVENT object", {T("2{}")}, {}, err("sio_event_not_array", 1)},
      {"EVENT string", {T("2\"a\"")}, {}, err("sio_event_not_array", 1)},
      {"EVENT /admin object", {T("2/admin,{}")}, {}, err("sio_event_not_array", 8)},
      {"BINARY_EVENT object", {T("51-{}")}, {}, err("sio_event_not_array", 3)},
      {"EVENT empty", {T("2[]")}, {}, err("sio_event_empty", 1)},
      {"BINARY_EVENT empty", {T("51-[]")}, {}, err("sio_event_empty", 3)},
      {"event name null", {T("2[null,\"bar\"]")}, {}, err("sio_bad_event_name", 1)},
      {"event name true", {T("2[true,\"foo\"]")}, {}, err("sio_bad_event_name", 1)},
      {"event name object (CVE-2023-32695)", {T("2[{\"toString\":\"foo\"}]")}, {}, err("sio_bad_event_name", 1)},
      {"event name array", {T("2[[\"a\"]]")}, {}, err("sio_bad_event_name", 1)},
      {"event name placeholder", {T("51-[" + P0 + "]"), B({1})}, {}, err("sio_bad_event_name", 3)},
      {"reserved connect", {T("2[\"connect\"]")}, {}, err("sio_reserved_event_name", 1)},
      {"reserved connect_error", {T("2[\"connect_error\"]")}, {}, err("sio_reserved_event_name", 1)},
      {"reserved disconnect", {T("2[\"disconnect\",\"123\"]")}, {}, err("sio_reserved_event_name", 1)},
      {"reserved disconnecting", {T("2[\"disconnecting\"]")}, {}, err("sio_reserved_event_name", 1)},
      {"reserved newListener", {T("2[\"newListener\"]")}, {}, err("sio_reserved_event_name", 1)},
      {"reserved removeListener", {T("2[\"removeListener\"]")}, {}, err("sio_reserved_event_name", 1)},
      {"reserved name escaped", {T("2[\"conn\\u0065ct\"]")}, {}, err("sio_reserved_event_name", 1)},
      {"reserved name in BINARY_EVENT", {T("51-[\"connect\"," + P0 + "]")}, {}, err("sio_reserved_event_name", 3)},
      {"ACK object", {T("31{}")}, {}, err("sio_ack_not_array", 2)},
      {"BINARY_ACK string", {T("61-1\"x\"")}, {}, err("sio_ack_not_array", 4)},
      {"CONNECT_ERROR array", {T("4[]")}, {}, err("sio_connect_error_payload", 1)},
      {"CONNECT_ERROR true", {T("4/x,true")}, {}, err("sio_connect_error_payload", 4)},
      // JSON
      {"truncated JSON", {T("2[\"a\"")}, {}, err("json_syntax", 1)},
      {"trailing garbage", {T("2[\"a\"]x")}, {}, err("json_syntax", 1)},
      {"non-numeric ack id", {T("2abc[\"a\"]")}, {}, err("json_syntax", 1)},
      {"namespace without slash", {T("2nsp,[\"a\"]")}, {}, err("json_syntax", 1)},
      {"EIO prefix left on", {T("442[\"some\",\"data\"")}, {}, err("sio_ack_id_not_allowed", 1)},
      {"trailing comma", {T("2[\"a\",]")}, {}, err("json_syntax", 1)},
      {"JSON not UTF-8", {T("2[\"\xff\"]")}, {}, err("json_bad_utf8", 1)},
      {"number too large", {T("2[\"a\",1e400]")}, {}, err("json_number", 1)},
      {"integer above uint64", {T("2[\"a\",18446744073709551616]")}, {}, err("json_number", 1)},
      {"lone surrogate", {T("2[\"\\ud800\"]")}, {}, err("json_lone_surrogate", 1)},
      // placeholders (checked from the text alone)
      {"num is a string (CVE-2022-2421)",
       {T("51-[\"hello\",{\"_placeholder\":true,\"num\":\"splice\"}]"), B({1})},
       {},
       err("sio_bad_placeholder", 3)},
      {"num \"0\"", {T("51-[\"a\"," + ph("\"0\"") + "]")}, {}, err("sio_bad_placeholder", 3)},
      {"num -1", {T("51-[\"a\"," + ph(-1) + "]")}, {}, err("sio_bad_placeholder", 3)},
      {"num 0.5", {T("51-[\"a\"," + ph("0.5") + "]")}, {}, err("sio_bad_placeholder", 3)},
      {"num 0.0", {T("51-[\"a\"," + ph("0.0") + "]")}, {}, err("sio_bad_placeholder", 3)},
      {"num 0e0", {T("51-[\"a\"," + ph("0e0") + "]")}, {}, err("sio_bad_placeholder", 3)},
      {"num null", {T("51-[\"a\"," + ph("null") + "]")}, {}, err("sio_bad_placeholder", 3)},
      {"_placeholder \"true\"",
       {T("51-[\"a\",{\"_placeholder\":\"true\",\"num\":0}]")},
       {},
       err("sio_bad_placeholder", 3)},
      {"_placeholder false", {T("51-[\"a\",{\"_placeholder\":false,\"num\":0}]")}, {}, err("sio_bad_placeholder", 3)},
      {"placeholder with extra key",
       {T("51-[\"a\",{\"_placeholder\":true,\"num\":0,\"x\":1}]")},
       {},
       err("sio_bad_placeholder", 3)},
      {"placeholder without num", {T("51-[\"a\",{\"_placeholder\":true}]")}, {}, err("sio_bad_placeholder", 3)},
      {"placeholder with other key",
       {T("51-[\"a\",{\"_placeholder\":true,\"nun\":0}]")},
       {},
       err("sio_bad_placeholder", 3)},
      {"placeholder key twice",
       {T("51-[\"a\",{\"_placeholder\":true,\"_placeholder\":true}]")},
       {},
       err("sio_bad_placeholder", 3)},
      {"num twice", {T("51-[\"a\",{\"_placeholder\":true,\"num\":0,\"num\":0}]")}, {}, err("sio_bad_placeholder", 3)},
      {"bad placeholder nested in object",
       {T("51-[\"a\"," + P0 + ",{\"k\":{\"_placeholder\":1}}]")},
       {},
       err("sio_bad_placeholder", 3)},
      {"num 1 of 1", {T("51-[\"a\"," + P1 + "]"), B({1})}, {}, err("sio_placeholder_range", 3)},
      {"num 2 of 2", {T("52-[\"a\"," + P0 + "," + P2 + "]")}, {}, err("sio_placeholder_range", 3)},
      {"num uint64 max", {T("51-[\"a\"," + ph("18446744073709551615") + "]")}, {}, err("sio_placeholder_range", 3)},
      {"same placeholder twice", {T("52-[\"a\"," + P0 + "," + P0 + "]")}, {}, err("sio_placeholder_duplicate", 3)},
      {"no placeholder", {T("51-[\"a\"]"), B({1})}, {}, err("sio_attachment_unused", 3)},
      {"second attachment unused", {T("52-[\"a\"," + P1 + "]")}, {}, err("sio_attachment_unused", 3)},
      // message order
      {"binary without header", {B({1, 2, 3})}, {}, err("sio_unexpected_binary", 0)},
      {"one attachment too many",
       {T(h1), B({1}), B({2})},
       {"binary_event / [\"a\"," + P0 + "] +01"},
       err("sio_unexpected_binary", h1.size() + 1)},
      {"binary after a text packet", {T("2[\"a\"]"), B({1})}, {"event / [\"a\"]"}, err("sio_unexpected_binary", 6)},
      {"text while awaiting", {T(h1), T("2[\"b\"]")}, {}, err("sio_expected_binary", h1.size())},
      {"text while awaiting the second",
       {T(h2), B({1, 2}), T("2[\"b\"]")},
       {},
       err("sio_expected_binary", h2.size() + 2)},
      {"end while awaiting", {T(h1)}, {}, finish_err("truncated", h1.size())},
      {"end while awaiting the second", {T(h2), B({1, 2, 3})}, {}, finish_err("truncated", h2.size() + 3)},
  };
}

TEST(PacketDecoder, EveryError) { check_rows(every_error_rows()); }

// ---- every Limits field the decoder uses, at the limit and one past it ---------------------------

// An EVENT whose deepest value sits inside `depth` arrays: ["a",[[...1...]]].
std::string deep_event(std::size_t depth) {
  return "2[\"a\"," + std::string(depth - 1, '[') + "1" + std::string(depth - 1, ']') + "]";
}

std::vector<Row> limit_rows() {
  const std::string h1 = "51-[\"a\"," + P0 + "]";
  const std::string h2 = "52-[\"a\"," + P0 + "," + P1 + "]";
  std::string ten = "510-[\"a\"", ten_out;
  for (int i = 0; i < 10; ++i) ten += "," + ph(i);
  ten += "]";
  std::vector<Msg> ten_msgs = {T(ten)};
  for (int i = 0; i < 10; ++i) {
    ten_msgs.push_back(B({i}));
    ten_out += " +0" + std::to_string(i);
  }
  const auto limits = [](auto set) {
    Limits l;
    set(l);
    return l;
  };
  const Limits payload10 = limits([](Limits& l) { l.max_payload_bytes = 10; });
  const Limits payload_h1 = limits([&](Limits& l) { l.max_payload_bytes = h1.size(); });
  const Limits depth1 = limits([](Limits& l) { l.max_depth = 1; });
  const Limits depth0 = limits([](Limits& l) { l.max_depth = 0; });
  const Limits att2 = limits([](Limits& l) { l.max_attachments = 2; });
  const Limits att_max = limits([](Limits& l) { l.max_attachments = 0xFFFFFFFF; });
  const Limits bytes4 = limits([](Limits& l) { l.max_attachment_bytes = 4; });
  const Limits bytes0 = limits([](Limits& l) { l.max_attachment_bytes = 0; });
  const Limits id5 = limits([](Limits& l) { l.max_ack_id = 5; });
  const Limits digits2 = limits([](Limits& l) { l.max_ack_id_digits = 2; });
  const Limits digits0 = limits([](Limits& l) { l.max_ack_id_digits = 0; });
  const Limits nsp2 = limits([](Limits& l) { l.max_namespace_bytes = 2; });
  const std::string deep_binary_ok = "51-[\"a\"," + std::string(30, '[') + P0 + std::string(30, ']') + "]";
  const std::string deep_binary_over = "51-[\"a\"," + std::string(31, '[') + P0 + std::string(31, ']') + "]";
  const std::string ev = "event / [\"a\"]";
  return {
      // max_payload_bytes
      {"payload bytes at limit", {T("2[\"abcde\"]")}, {"event / [\"abcde\"]"}, "ok", payload10},
      {"payload bytes over limit", {T("2[\"abcdef\"]")}, {}, err("limit_payload_bytes", 10), payload10},
      {"binary header at limit", {T(h1), B({1})}, {"binary_event / [\"a\"," + P0 + "] +01"}, "ok", payload_h1},
      {"binary header over limit", {T(h1 + " "), B({1})}, {}, err("limit_payload_bytes", h1.size()), payload_h1},
      {"payload limit checked before anything", {T("x1234567890")}, {}, err("limit_payload_bytes", 10), payload10},
      // max_depth
      {"depth 32 (default limit)", {T(deep_event(32))}, {"event / " + deep_event(32).substr(1)}, "ok"},
      {"depth 33", {T(deep_event(33))}, {}, err("limit_depth", 1)},
      {"depth 1 at limit 1", {T("2[\"a\",1]")}, {"event / [\"a\",1]"}, "ok", depth1},
      {"empty array holds no value", {T("2[\"a\",[]]")}, {"event / [\"a\",[]]"}, "ok", depth1},
      {"depth 2 at limit 1", {T("2[\"a\",[1]]")}, {}, err("limit_depth", 1), depth1},
      {"depth 2 object at limit 1", {T("2[\"a\",{\"b\":1}]")}, {}, err("limit_depth", 1), depth1},
      {"limit 0 still allows no payload", {T("1/x,")}, {"disconnect /x"}, "ok", depth0},
      {"limit 0 refuses any array", {T("2[\"a\"]")}, {}, err("limit_depth", 1), depth0},
      {"placeholder members at depth 32",
       {T(deep_binary_ok), B({1})},
       {"binary_event / " + deep_binary_ok.substr(3) + " +01"},
       "ok"},
      {"placeholder members at depth 33", {T(deep_binary_over), B({1})}, {}, err("limit_depth", 3)},
      // max_attachments
      {"10 attachments (default limit)", ten_msgs, {"binary_event / " + ten.substr(4) + ten_out}, "ok"},
      {"11 attachments", {T("511-[\"a\"]")}, {}, err("limit_attachments", 1)},
      {"huge count", {T("51000000-[\"a\"]")}, {}, err("limit_attachments", 1)},
      {"count of 40 digits never overflows",
       {T("5" + std::string(40, '9') + "-[\"a\"]")},
       {},
       err("limit_attachments", 1)},
      {"2 attachments at limit 2",
       {T(h2), B({1}), B({2})},
       {"binary_event / [\"a\"," + P0 + "," + P1 + "] +01 +02"},
       "ok",
       att2},
      {"3 attachments at limit 2",
       {T("53-[\"a\"," + P0 + "," + P1 + "," + P2 + "]")},
       {},
       err("limit_attachments", 1),
       att2},
      {"10 digits is over any limit", {T("50000000001-[\"a\"," + P0 + "]")}, {}, err("limit_attachments", 1), att_max},
      // max_attachment_bytes
      {"attachment bytes at limit",
       {T(h2), B({1, 2}), B({3, 4})},
       {"binary_event / [\"a\"," + P0 + "," + P1 + "] +0102 +0304"},
       "ok",
       bytes4},
      {"attachment bytes over limit in the second",
       {T(h2), B({1, 2}), B({3, 4, 5})},
       {},
       err("limit_attachment_bytes", h2.size() + 4),
       bytes4},
      {"attachment bytes over limit in the first",
       {T(h2), B({1, 2, 3, 4, 5})},
       {},
       err("limit_attachment_bytes", h2.size() + 4),
       bytes4},
      {"one attachment at limit",
       {T(h1), B({1, 2, 3, 4})},
       {"binary_event / [\"a\"," + P0 + "] +01020304"},
       "ok",
       bytes4},
      {"one attachment over limit",
       {T(h1), B({1, 2, 3, 4, 5})},
       {},
       err("limit_attachment_bytes", h1.size() + 4),
       bytes4},
      {"limit 0 allows empty attachments",
       {T(h1), B(std::string())},
       {"binary_event / [\"a\"," + P0 + "] +"},
       "ok",
       bytes0},
      {"limit 0 refuses one byte", {T(h1), B({1})}, {}, err("limit_attachment_bytes", h1.size()), bytes0},
      // max_ack_id
      {"ack id 2^53-1 (default limit)", {T("29007199254740991[\"a\"]")}, {"event / #9007199254740991 [\"a\"]"}, "ok"},
      {"ack id 2^53", {T("29007199254740992[\"a\"]")}, {}, err("limit_ack_id", 1)},
      {"ack id 5 at limit 5", {T("3/a,5[]")}, {"ack /a #5 []"}, "ok", id5},
      {"ack id 6 at limit 5", {T("3/a,6[]")}, {}, err("limit_ack_id", 4), id5},
      // max_ack_id_digits
      {"16 digits (default limit)", {T("20000000000000007[\"a\"]")}, {"event / #7 [\"a\"]"}, "ok"},
      {"17 digits", {T("200000000000000007[\"a\"]")}, {}, err("limit_ack_id_digits", 17)},
      {"19 digits (Node: 1e18)", {T("2999999999999999999[\"a\"]")}, {}, err("limit_ack_id_digits", 17)},
      {"2 digits at limit 2", {T("299[\"a\"]")}, {"event / #99 [\"a\"]"}, "ok", digits2},
      {"3 digits at limit 2", {T("2100[\"a\"]")}, {}, err("limit_ack_id_digits", 3), digits2},
      {"limit 0 refuses any id", {T("21[\"a\"]")}, {}, err("limit_ack_id_digits", 1), digits0},
      // max_namespace_bytes
      {"namespace of 256 bytes (default limit)",
       {T("2/" + std::string(255, 'a') + ",[\"a\"]")},
       {"event /" + std::string(255, 'a') + " [\"a\"]"},
       "ok"},
      {"namespace of 257 bytes", {T("2/" + std::string(256, 'a') + ",[\"a\"]")}, {}, err("limit_namespace_bytes", 257)},
      {"namespace of 2 at limit 2", {T("2/a,[\"x\"]")}, {"event /a [\"x\"]"}, "ok", nsp2},
      {"namespace of 3 at limit 2", {T("2/ab,[\"x\"]")}, {}, err("limit_namespace_bytes", 3), nsp2},
      {"namespace over limit without comma", {T("1/abc")}, {}, err("limit_namespace_bytes", 3), nsp2},
      {"limit checked before a later bad byte", {T("2/ab\",[\"x\"]")}, {}, err("limit_namespace_bytes", 3), nsp2},
  };
}

TEST(PacketDecoder, Limits) { check_rows(limit_rows()); }

// Every Errc in the sio range (90-139) and every limit the decoder uses is the expected outcome
// of some row above (and those rows pass), so each one is produced by a test.
TEST(PacketDecoder, EveryErrcOfTheLayerIsProduced) {
  std::set<std::string> seen;
  for (const auto& rows : {every_error_rows(), limit_rows()})
    for (const Row& r : rows) {
      const std::size_t at = r.outcome.find(" @");
      if (at == std::string::npos) continue;
      const std::size_t start = r.outcome.rfind(' ', at - 1) + 1;
      seen.insert(r.outcome.substr(start, at - start));
    }
  std::vector<std::string> wanted = {
      "truncated",    "json_syntax",         "json_bad_utf8",        "json_number",       "json_lone_surrogate",
      "bad_utf8",     "limit_payload_bytes", "limit_depth",          "limit_attachments", "limit_attachment_bytes",
      "limit_ack_id", "limit_ack_id_digits", "limit_namespace_bytes"};
  for (Errc e : all_errcs()) {
    const auto n = static_cast<unsigned>(e);
    if (n >= 90 && n <= 139) wanted.emplace_back(name(e));
  }
  EXPECT_GE(wanted.size(), 13u + 23u);
  for (const std::string& w : wanted) EXPECT_TRUE(seen.count(w)) << w << " is produced by no row";
}

// ---- API behaviour --------------------------------------------------------------------------------

TEST(PacketDecoder, ViewsPointIntoTheMessageForTextPackets) {
  PacketDecoder dec;
  struct Sink : PacketSink {
    std::string_view message;
    int calls = 0;
    void on_packet(const Packet& p) override {
      ++calls;
      EXPECT_EQ(p.payload.data(), message.data() + 8);
      EXPECT_EQ(p.nsp.data(), message.data() + 1);
      EXPECT_TRUE(p.attachments.empty());
    }
  } sink;
  const std::string m = "2/admin,[\"a\"]";
  sink.message = m;
  EXPECT_EQ(dec.feed({MessageKind::text, as_bytes(m)}, sink), Status::ok);
  EXPECT_EQ(sink.calls, 1);
}

TEST(PacketDecoder, BinaryPacketOutlivesItsMessages) {
  PacketDecoder dec;
  Recorder rec;
  {
    std::string header = "52-/x,9[\"a\"," + P1 + "," + P0 + "]";
    std::string first = "\x01\x02";
    EXPECT_EQ(dec.feed({MessageKind::text, as_bytes(header)}, rec), Status::ok);
    EXPECT_TRUE(dec.awaiting_attachments());
    EXPECT_EQ(dec.feed({MessageKind::binary, as_bytes(first)}, rec), Status::ok);
    header.assign(header.size(), '#');  // the caller reuses its buffers
    first.assign(first.size(), '#');
  }
  EXPECT_TRUE(rec.events.empty());
  const std::string last = "\x03";
  EXPECT_EQ(dec.feed({MessageKind::binary, as_bytes(last)}, rec), Status::ok);
  EXPECT_FALSE(dec.awaiting_attachments());
  ASSERT_EQ(rec.events.size(), 1u);
  EXPECT_EQ(rec.events[0], "binary_event /x #9 [\"a\"," + P1 + "," + P0 + "] +0102 +03");
  EXPECT_EQ(dec.finish(), Status::ok);
}

// The split test: a binary packet's messages fed one call at a time to a fresh decoder, and to a
// decoder that was interrupted in the middle of the same packet and reset(), give the same packets.
TEST(PacketDecoder, SplitBinaryPacketSameAfterReset) {
  const std::vector<Msg> packet = {T("53-/x,4[\"a\"," + P2 + ",{\"k\":[" + P0 + "]}," + P1 + "]"), B({1}), B({}),
                                   B({2, 3})};
  PacketDecoder fresh;
  const Transcript once = run_on(fresh, packet);
  EXPECT_EQ(once.events, std::vector<std::string>{"binary_event /x #4 [\"a\"," + P2 + ",{\"k\":[" + P0 + "]}," + P1 +
                                                  "] +01 + +0203"});
  EXPECT_EQ(once.outcome, "ok");
  for (std::size_t cut = 1; cut < packet.size(); ++cut) {
    SCOPED_TRACE(cut);
    PacketDecoder dec;
    feed_all(dec, std::vector<Msg>(packet.begin(), packet.begin() + static_cast<std::ptrdiff_t>(cut)));
    EXPECT_TRUE(dec.awaiting_attachments());
    dec.reset();
    EXPECT_EQ(run_on(dec, packet), once);
  }
}

TEST(PacketDecoder, ErrorIsStickyUntilReset) {
  PacketDecoder dec;
  Recorder rec;
  EXPECT_EQ(dec.feed({MessageKind::text, as_bytes("2[\"a\"]")}, rec), Status::ok);
  EXPECT_EQ(dec.feed({MessageKind::text, as_bytes("2[]")}, rec), Status::error);
  const DecodeError e = {Errc::sio_event_empty, 7};
  EXPECT_EQ(dec.error(), e);
  EXPECT_EQ(dec.feed({MessageKind::text, as_bytes("2[\"b\"]")}, rec), Status::error);
  EXPECT_EQ(dec.feed({MessageKind::binary, as_bytes("x")}, rec), Status::error);
  EXPECT_EQ(dec.finish(), Status::error);
  EXPECT_EQ(dec.error(), e);
  EXPECT_EQ(rec.events.size(), 1u);
  dec.reset();
  EXPECT_FALSE(dec.error());
  EXPECT_EQ(dec.feed({MessageKind::text, as_bytes("7")}, rec), Status::error);
  EXPECT_EQ(dec.error(), (DecodeError{Errc::sio_bad_packet_type, 0}));
}

TEST(PacketDecoder, MovedDecoderKeepsItsState) {
  PacketDecoder a;
  Recorder rec;
  const std::string h = "51-[\"a\"," + P0 + "]";
  EXPECT_EQ(a.feed({MessageKind::text, as_bytes(h)}, rec), Status::ok);
  PacketDecoder b = std::move(a);
  EXPECT_TRUE(b.awaiting_attachments());
  EXPECT_EQ(b.feed({MessageKind::binary, as_bytes("z")}, rec), Status::ok);
  EXPECT_EQ(rec.events, std::vector<std::string>{"binary_event / [\"a\"," + P0 + "] +7a"});
}

TEST(PacketDecoder, BinaryPacketsOneAfterAnother) {
  // The same binary packet many times, each attachment different: every packet gets its own
  // bytes (the state of one packet is freed when it completes and none of it leaks into the next).
  PacketDecoder dec;
  struct Sink : PacketSink {
    std::vector<std::string> got;
    void on_packet(const Packet& p) override {
      ASSERT_EQ(p.attachments.size(), 2u);
      got.push_back(std::string(p.payload) + " " + std::string(as_text(p.attachments[0])) + " " +
                    std::string(as_text(p.attachments[1])));
    }
  } sink;
  const std::string h = "52-[\"a\"," + P0 + "," + P1 + "]";
  std::vector<std::string> want;
  for (int i = 0; i < 50; ++i) {
    const std::string first(1000, static_cast<char>('a' + i % 26)), second = std::to_string(i);
    ASSERT_EQ(dec.feed({MessageKind::text, as_bytes(h)}, sink), Status::ok);
    EXPECT_TRUE(dec.awaiting_attachments());
    ASSERT_EQ(dec.feed({MessageKind::binary, as_bytes(first)}, sink), Status::ok);
    ASSERT_EQ(dec.feed({MessageKind::binary, as_bytes(second)}, sink), Status::ok);
    EXPECT_FALSE(dec.awaiting_attachments());
    want.push_back(h.substr(3) + " " + first + " " + second);
  }
  EXPECT_EQ(sink.got, want);
}

}  // namespace
}  // namespace sioconf::sio

// ---- socket.io-parser 4.2.7: the 107 decode cases of corpus/observed/sio-parser-4.2.7.txt Part A
//
// sioconf's answer for each. A case whose verdict or items differ from Node's says so in its test
// name (..._differs_from_node); packet_decoder.h lists why.

namespace sioconf::sio {
namespace {

using namespace test;

struct RefCase {
  int n;
  std::string slug;
  std::vector<Msg> frames;
  std::vector<std::string> events;
  std::string outcome;
  bool differs = false;
  Limits limits{};
};

std::vector<RefCase> ref_cases() {
  const std::string p0 = ph(0), p1 = ph(1);
  const std::string h70 = "51-[\"a\"," + p0 + "]";
  const std::string h89 = "52-[\"a\"," + p0 + "," + p1 + "]";
  Limits att20;
  att20.max_attachments = 20;
  std::vector<Msg> f84 = {T("510-[\"a\"]")};
  for (int i = 0; i < 10; ++i) f84.push_back(B({i}));
  const auto deep = [](std::size_t d) { return std::string(d, '[') + std::string(d, ']'); };
  const bool D = true;
  return {
      {1, "empty_string", {T("")}, {}, err("sio_empty_packet", 0), D},
      {2, "single_space", {T(" ")}, {}, err("sio_bad_packet_type", 0), D},
      {3, "connect_main", {T("0")}, {"connect /"}, "ok"},
      {4, "connect_empty_object", {T("0{}")}, {"connect / {}"}, "ok"},
      {5, "connect_admin", {T("0/admin,")}, {"connect /admin"}, "ok"},
      {6, "connect_admin_no_comma", {T("0/admin")}, {"connect /admin"}, "ok"},
      {7, "connect_admin_token", {T("0/admin,{\"token\":1}")}, {"connect /admin {\"token\":1}"}, "ok"},
      {8, "connect_string_payload", {T("0/admin,\"x\"")}, {}, err("sio_connect_payload", 8)},
      {9, "connect_array_payload", {T("0[]")}, {}, err("sio_connect_payload", 1)},
      {10, "connect_null", {T("0null")}, {}, err("sio_connect_payload", 1)},
      {11, "connect_with_ack_id", {T("01{}")}, {}, err("sio_ack_id_not_allowed", 1), D},
      {12, "disconnect", {T("1")}, {"disconnect /"}, "ok"},
      {13, "disconnect_admin", {T("1/admin,")}, {"disconnect /admin"}, "ok"},
      {14, "disconnect_payload", {T("1{}")}, {}, err("sio_disconnect_payload", 1)},
      {15, "event_no_payload", {T("2")}, {}, err("sio_missing_payload", 1), D},
      {16, "event_empty_array", {T("2[]")}, {}, err("sio_event_empty", 1)},
      {17, "event", {T("2[\"a\"]")}, {"event / [\"a\"]"}, "ok"},
      {18, "event_ack_1", {T("21[\"a\"]")}, {"event / #1 [\"a\"]"}, "ok"},
      {19, "event_ack_0", {T("20[\"a\"]")}, {"event / #0 [\"a\"]"}, "ok"},
      {20, "event_ack_leading_zeros", {T("2007[\"a\"]")}, {"event / #7 [\"a\"]"}, "ok"},
      {21, "event_nsp", {T("2/nsp,[\"a\"]")}, {"event /nsp [\"a\"]"}, "ok"},
      {22, "event_nsp_no_comma", {T("2/nsp[\"a\"]")}, {}, err("sio_bad_namespace", 5), D},
      {23, "event_nsp_ack", {T("2/nsp,12[\"a\"]")}, {"event /nsp #12 [\"a\"]"}, "ok"},
      {24, "event_nsp_only", {T("2/nsp")}, {}, err("sio_missing_payload", 5), D},
      {25, "event_nsp_slash_comma", {T("2/,[\"a\"]")}, {"event / [\"a\"]"}, "ok"},
      {26, "event_nsp_path_query", {T("2/a/b?x=1,[\"a\"]")}, {"event /a/b?x=1 [\"a\"]"}, "ok"},
      {27, "event_nsp_without_slash", {T("2nsp,[\"a\"]")}, {}, err("json_syntax", 1)},
      {28, "huge_ack_id", {T("2999999999999999999[\"a\"]")}, {}, err("limit_ack_id_digits", 17), D},
      {29, "ack_id_400_digits", {T("2" + std::string(400, '9') + "[\"a\"]")}, {}, err("limit_ack_id_digits", 17), D},
      {30, "non_numeric_ack", {T("2abc[\"a\"]")}, {}, err("json_syntax", 1)},
      {31, "negative_ack", {T("2-1[\"a\"]")}, {}, err("sio_bad_ack_id", 1)},
      {32, "fractional_ack", {T("21.5[\"a\"]")}, {}, err("sio_bad_ack_id", 2)},
      {33, "space_before_json", {T("2 [\"a\"]")}, {}, err("sio_payload_leading_space", 1), D},
      {34, "trailing_space", {T("2[\"a\"] ")}, {"event / [\"a\"] "}, "ok"},
      {35, "truncated_json", {T("2[\"a\"")}, {}, err("json_syntax", 1)},
      {36, "trailing_garbage", {T("2[\"a\"]x")}, {}, err("json_syntax", 1)},
      {37, "event_object", {T("2{}")}, {}, err("sio_event_not_array", 1)},
      {38, "event_string", {T("2\"a\"")}, {}, err("sio_event_not_array", 1)},
      {39, "numeric_event_name", {T("2[1]")}, {"event / [1]"}, "ok"},
      {40, "null_event_name", {T("2[null]")}, {}, err("sio_bad_event_name", 1)},
      {41, "object_event_name", {T("2[{}]")}, {}, err("sio_bad_event_name", 1)},
      {42, "array_event_name", {T("2[[\"a\"]]")}, {}, err("sio_bad_event_name", 1)},
      {43, "reserved_connect", {T("2[\"connect\"]")}, {}, err("sio_reserved_event_name", 1)},
      {44, "reserved_connect_error", {T("2[\"connect_error\"]")}, {}, err("sio_reserved_event_name", 1)},
      {45, "reserved_disconnect", {T("2[\"disconnect\"]")}, {}, err("sio_reserved_event_name", 1)},
      {46, "reserved_disconnecting", {T("2[\"disconnecting\"]")}, {}, err("sio_reserved_event_name", 1)},
      {47, "reserved_newListener", {T("2[\"newListener\"]")}, {}, err("sio_reserved_event_name", 1)},
      {48, "reserved_removeListener", {T("2[\"removeListener\"]")}, {}, err("sio_reserved_event_name", 1)},
      {49, "error_not_reserved", {T("2[\"error\"]")}, {"event / [\"error\"]"}, "ok"},
      {50, "proto_name", {T("2[\"__proto__\"]")}, {"event / [\"__proto__\"]"}, "ok"},
      {51, "proto_key", {T("2[\"a\",{\"__proto__\":{\"x\":1}}]")}, {"event / [\"a\",{\"__proto__\":{\"x\":1}}]"}, "ok"},
      {52, "lone_surrogate", {T("2[\"\\ud800\"]")}, {}, err("json_lone_surrogate", 1), D},
      {53,
       "utf8",
       {T("2[\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"]")},
       {"event / [\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"]"},
       "ok"},
      {54, "placeholder_in_event", {T("2[\"a\"," + p0 + "]")}, {"event / [\"a\"," + p0 + "]"}, "ok"},
      {55, "ack_no_payload", {T("3")}, {}, err("sio_ack_without_id", 1), D},
      {56, "ack_without_id", {T("3[1]")}, {}, err("sio_ack_without_id", 1), D},
      {57, "ack", {T("31[1]")}, {"ack / #1 [1]"}, "ok"},
      {58, "ack_empty", {T("31[]")}, {"ack / #1 []"}, "ok"},
      {59, "ack_object", {T("31{}")}, {}, err("sio_ack_not_array", 2)},
      {60, "ack_nsp", {T("3/nsp,5[\"x\"]")}, {"ack /nsp #5 [\"x\"]"}, "ok"},
      {61, "connect_error_no_payload", {T("4")}, {}, err("sio_missing_payload", 1), D},
      {62,
       "connect_error",
       {T("4{\"message\":\"Not authorized\"}")},
       {"connect_error / {\"message\":\"Not authorized\"}"},
       "ok"},
      {63, "connect_error_string", {T("4\"x\"")}, {"connect_error / \"x\""}, "ok"},
      {64, "connect_error_array", {T("4[]")}, {}, err("sio_connect_error_payload", 1)},
      {65,
       "connect_error_nsp",
       {T("4/admin,{\"message\":\"Invalid namespace\"}")},
       {"connect_error /admin {\"message\":\"Invalid namespace\"}"},
       "ok"},
      {66, "type_7", {T("7")}, {}, err("sio_bad_packet_type", 0)},
      {67, "type_9", {T("9")}, {}, err("sio_bad_packet_type", 0)},
      {68, "type_letter", {T("a")}, {}, err("sio_bad_packet_type", 0)},
      {69, "eio_prefix_left_on", {T("42[\"a\"]")}, {}, err("sio_ack_id_not_allowed", 1)},
      {70, "binary_event", {T(h70), B({1, 2, 3})}, {"binary_event / [\"a\"," + p0 + "] +010203"}, "ok"},
      {71,
       "binary_ack",
       {T("61-15[\"bar\"," + p0 + "]"), B({1, 2, 3, 4})},
       {"binary_ack / #15 [\"bar\"," + p0 + "] +01020304"},
       "ok"},
      {72,
       "binary_event_two",
       {T("52-/admin,[\"baz\"," + p0 + "," + p1 + "]"), B({1, 2}), B({3, 4})},
       {"binary_event /admin [\"baz\"," + p0 + "," + p1 + "] +0102 +0304"},
       "ok"},
      {73, "count_empty", {T("5-[\"a\"]")}, {}, err("sio_bad_attachments", 1)},
      {74, "count_zero", {T("50-[\"a\"]")}, {}, err("sio_bad_attachments", 1)},
      {75, "no_count_no_dash", {T("5[\"a\"]")}, {}, err("sio_bad_attachments", 1)},
      {76, "count_no_dash", {T("51[\"a\"]")}, {}, err("sio_bad_attachments", 2)},
      {77, "count_letter", {T("5a-[\"a\"]")}, {}, err("sio_bad_attachments", 1)},
      {78, "count_negative", {T("5-1-[\"a\"]")}, {}, err("sio_bad_attachments", 1)},
      {79, "count_fraction", {T("51.5-[\"a\"]")}, {}, err("sio_bad_attachments", 2)},
      {80, "count_exponent", {T("51e0-[\"a\"," + p0 + "]"), B({9})}, {}, err("sio_bad_attachments", 2), D},
      {81, "count_hex", {T("50x1-[\"a\"," + p0 + "]"), B({9})}, {}, err("sio_bad_attachments", 2), D},
      {82, "count_space", {T("5 1-[\"a\"," + p0 + "]"), B({9})}, {}, err("sio_bad_attachments", 1), D},
      {83, "count_plus", {T("5+1-[\"a\"," + p0 + "]"), B({9})}, {}, err("sio_bad_attachments", 1), D},
      {84, "ten_attachments_no_placeholder", f84, {}, err("sio_attachment_unused", 4), D},
      {85, "eleven_attachments", {T("511-[\"a\"]")}, {}, err("limit_attachments", 1)},
      {86, "eleven_with_limit_20", {T("511-[\"a\"]")}, {}, err("sio_attachment_unused", 4), D, att20},
      {87, "huge_count", {T("51000000-[\"a\"]")}, {}, err("limit_attachments", 1)},
      {88, "text_while_awaiting", {T(h70), T("2[\"b\"]")}, {}, err("sio_expected_binary", h70.size())},
      {89, "one_of_two_buffers", {T(h89), B({1})}, {}, finish_err("truncated", h89.size() + 1)},
      {90, "no_placeholder_one_buffer", {T("51-[\"a\"]"), B({1})}, {}, err("sio_attachment_unused", 3), D},
      {91,
       "one_placeholder_two_buffers",
       {T("52-[\"a\"," + p0 + "]"), B({1}), B({2})},
       {},
       err("sio_attachment_unused", 3),
       D},
      {92, "num_out_of_range", {T("51-[\"a\"," + p1 + "]"), B({1})}, {}, err("sio_placeholder_range", 3)},
      {93, "num_negative", {T("51-[\"a\"," + ph(-1) + "]"), B({1})}, {}, err("sio_bad_placeholder", 3)},
      {94,
       "num_string",
       {T("51-[\"a\",{\"_placeholder\":true,\"num\":\"0\"}]"), B({1})},
       {},
       err("sio_bad_placeholder", 3)},
      {95, "num_fraction", {T("51-[\"a\"," + ph("0.5") + "]"), B({1})}, {}, err("sio_bad_placeholder", 3), D},
      {96,
       "placeholder_string_true",
       {T("51-[\"a\",{\"_placeholder\":\"true\",\"num\":0}]"), B({1})},
       {},
       err("sio_bad_placeholder", 3),
       D},
      {97,
       "placeholder_extra_key",
       {T("51-[\"a\",{\"_placeholder\":true,\"num\":0,\"x\":1}]"), B({1})},
       {},
       err("sio_bad_placeholder", 3),
       D},
      {98, "placeholder_as_event_name", {T("51-[" + p0 + "]"), B({1})}, {}, err("sio_bad_event_name", 3)},
      {99,
       "same_placeholder_twice",
       {T("51-[\"a\"," + p0 + "," + p0 + "]"), B({1})},
       {},
       err("sio_placeholder_duplicate", 3),
       D},
      {100, "binary_without_header", {B({1, 2, 3})}, {}, err("sio_unexpected_binary", 0)},
      {101, "binary_reserved_name", {T("51-[\"connect\"," + p0 + "]")}, {}, err("sio_reserved_event_name", 3)},
      {102,
       "binary_nsp_ack",
       {T("51-/nsp,7[\"a\"," + p0 + "]"), B({1})},
       {"binary_event /nsp #7 [\"a\"," + p0 + "] +01"},
       "ok"},
      {103, "binary_ack_no_id", {T("61-[" + p0 + "]"), B({1})}, {}, err("sio_ack_without_id", 3), D},
      {104, "binary_event_object", {T("51-{}")}, {}, err("sio_event_not_array", 3)},
      {105, "deep_10000", {T("2[\"a\"," + deep(10000) + "]")}, {}, err("limit_depth", 1), D},
      {106, "deep_100000", {T("2[\"a\"," + deep(100000) + "]")}, {}, err("limit_depth", 1), D},
      {107,
       "deep_100000_binary",
       {T("51-[\"a\"," + std::string(100000, '[') + p0 + std::string(100000, ']') + "]"), B({1})},
       {},
       err("limit_depth", 3)},
  };
}

void PrintTo(const RefCase& c, std::ostream* os) { *os << "case [" << c.n << "] " << c.slug; }

class SioParser427 : public ::testing::TestWithParam<RefCase> {};

TEST_P(SioParser427, SioconfAnswer) {
  const RefCase& c = GetParam();
  const Transcript t = grind_messages(c.frames, c.limits);
  EXPECT_EQ(t.events, c.events);
  EXPECT_EQ(t.outcome, c.outcome);
}

INSTANTIATE_TEST_SUITE_P(Reference, SioParser427, ::testing::ValuesIn(ref_cases()),
                         [](const ::testing::TestParamInfo<RefCase>& p) {
                           char number[8];
                           std::snprintf(number, sizeof number, "r%03d_", p.param.n);
                           return number + p.param.slug + (p.param.differs ? "_differs_from_node" : "");
                         });

TEST(SioParser427Table, HasAll107CasesInOrder) {
  const std::vector<RefCase> cases = ref_cases();
  ASSERT_EQ(cases.size(), 107u);
  for (std::size_t i = 0; i < cases.size(); ++i) EXPECT_EQ(cases[i].n, static_cast<int>(i + 1));
}

}  // namespace
}  // namespace sioconf::sio
