#include "sioconf/sio/packet_encoder.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "sioconf/sio/packet_decoder.h"
#include "support/hex.h"

namespace sioconf::sio {
namespace {

using test::hex_of;
std::string ph(int n) { return "{\"_placeholder\":true,\"num\":" + std::to_string(n) + "}"; }
const std::string P0 = ph(0), P1 = ph(1);

ByteView bytes(std::initializer_list<std::uint8_t> b) {
  static std::vector<std::vector<std::uint8_t>> keep;  // stable storage for the tests' literals
  keep.emplace_back(b);
  return ByteView(keep.back());
}

// "<text> +<hex>..." or "refused <errc>".
std::string render(const EncodedPacket& p) {
  if (p.error != Errc::none) {
    EXPECT_TRUE(p.text.empty());
    EXPECT_TRUE(p.attachments.empty());
    return "refused " + std::string(name(p.error));
  }
  std::string s = p.text;
  for (const auto& a : p.attachments) s += " +" + hex_of(ByteView(a));
  return s;
}

using Build = std::function<void(JsonWriter&)>;

struct EncodeRow {
  std::string name;
  PacketType type;
  std::string nsp;
  std::optional<std::uint64_t> id;
  Build payload;
  std::string expected;
  Limits limits{};
};

// Encodes with the one-shot function and with a reused PacketEncoder; both must agree.
std::string encode_both(const EncodeRow& r, PacketEncoder& reused) {
  JsonWriter w;
  if (r.payload) r.payload(w);
  const EncodedPacket once = encode(r.type, r.nsp, r.id, w, r.limits);
  EncodedPacket again;
  again.text = "stale";
  again.attachments.resize(3);
  const Errc e = reused.encode(r.type, r.nsp, r.id, w, again);
  EXPECT_EQ(e, again.error);
  EXPECT_EQ(render(once), render(again));
  return render(once);
}

void check_encode_rows(const std::vector<EncodeRow>& rows) {
  for (const EncodeRow& r : rows) {
    SCOPED_TRACE(r.name);
    PacketEncoder reused(r.limits);
    EXPECT_EQ(encode_both(r, reused), r.expected);
  }
}

// ---- socket.io-protocol v5 "Packet encoding": every example --------------------------------------

Build arr(std::vector<std::string> strings) {
  return [strings](JsonWriter& w) {
    w.begin_array();
    for (const auto& s : strings) w.string(s);
    w.end_array();
  };
}
Build obj(std::string k, std::string v) {
  return [k, v](JsonWriter& w) { w.begin_object().key(k).string(v).end_object(); };
}

TEST(PacketEncoder, SpecExamples) {
  const Build baz1 = [](JsonWriter& w) { w.begin_array().string("baz").binary(bytes({1, 2, 3, 4})).end_array(); };
  const Build baz2 = [](JsonWriter& w) {
    w.begin_array().string("baz").binary(bytes({1, 2})).binary(bytes({3, 4})).end_array();
  };
  const Build foo_bin = [](JsonWriter& w) { w.begin_array().string("foo").binary(bytes({1, 2, 3, 4})).end_array(); };
  const Build bar_bin = [](JsonWriter& w) { w.begin_array().string("bar").binary(bytes({1, 2, 3, 4})).end_array(); };
  const Build empty = [](JsonWriter& w) { w.begin_array().end_array(); };
  check_encode_rows({
      {"CONNECT /", PacketType::connect, "/", {}, nullptr, "0"},
      {"CONNECT reply",
       PacketType::connect,
       "/",
       {},
       obj("sid", "wZX3oN0bSVIhsaknAAAI"),
       "0{\"sid\":\"wZX3oN0bSVIhsaknAAAI\"}"},
      {"CONNECT /admin", PacketType::connect, "/admin", {}, nullptr, "0/admin,"},
      {"CONNECT /admin reply",
       PacketType::connect,
       "/admin",
       {},
       obj("sid", "oSO0OpakMV_3jnilAAAA"),
       "0/admin,{\"sid\":\"oSO0OpakMV_3jnilAAAA\"}"},
      {"CONNECT with auth", PacketType::connect, "/", {}, obj("token", "123"), "0{\"token\":\"123\"}"},
      {"CONNECT /admin with auth",
       PacketType::connect,
       "/admin",
       {},
       obj("token", "123"),
       "0/admin,{\"token\":\"123\"}"},
      {"CONNECT_ERROR",
       PacketType::connect_error,
       "/",
       {},
       obj("message", "Not authorized"),
       "4{\"message\":\"Not authorized\"}"},
      {"EVENT", PacketType::event, "/", {}, arr({"foo"}), "2[\"foo\"]"},
      {"EVENT /admin", PacketType::event, "/admin", {}, arr({"bar"}), "2/admin,[\"bar\"]"},
      {"EVENT with binary becomes BINARY_EVENT", PacketType::event, "/", {}, baz1, "51-[\"baz\"," + P0 + "] +01020304"},
      {"BINARY_EVENT /admin",
       PacketType::binary_event,
       "/admin",
       {},
       baz2,
       "52-/admin,[\"baz\"," + P0 + "," + P1 + "] +0102 +0304"},
      {"EVENT 12", PacketType::event, "/", 12, arr({"foo"}), "212[\"foo\"]"},
      {"ACK 12", PacketType::ack, "/", 12, empty, "312[]"},
      {"EVENT /admin 13", PacketType::event, "/admin", 13, arr({"foo"}), "2/admin,13[\"foo\"]"},
      {"ACK /admin 13", PacketType::ack, "/admin", 13, arr({"bar"}), "3/admin,13[\"bar\"]"},
      {"BINARY_EVENT 14", PacketType::binary_event, "/", 14, foo_bin, "51-14[\"foo\"," + P0 + "] +01020304"},
      {"ACK 14", PacketType::ack, "/", 14, arr({"bar"}), "314[\"bar\"]"},
      {"EVENT 15", PacketType::event, "/", 15, arr({"foo"}), "215[\"foo\"]"},
      {"ACK with binary becomes BINARY_ACK", PacketType::ack, "/", 15, bar_bin, "61-15[\"bar\"," + P0 + "] +01020304"},
      {"DISCONNECT /", PacketType::disconnect, "/", {}, nullptr, "1"},
      {"DISCONNECT /admin", PacketType::disconnect, "/admin", {}, nullptr, "1/admin,"},
  });
}

// ---- socket.io-parser 4.2.7 Encoder.encode() cases (corpus/observed/sio-parser-4.2.7.txt Part A)

TEST(PacketEncoder, SioParser427Cases) {
  check_encode_rows({
      {"connect main", PacketType::connect, "/", {}, nullptr, "0"},
      {"connect admin sid",
       PacketType::connect,
       "/admin",
       {},
       obj("sid", "oSO0OpakMV_3jnilAAAA"),
       "0/admin,{\"sid\":\"oSO0OpakMV_3jnilAAAA\"}"},
      {"connect_error",
       PacketType::connect_error,
       "/",
       {},
       obj("message", "Not authorized"),
       "4{\"message\":\"Not authorized\"}"},
      {"disconnect admin", PacketType::disconnect, "/admin", {}, nullptr, "1/admin,"},
      {"event id 12", PacketType::event, "/", 12, arr({"foo"}), "212[\"foo\"]"},
      {"event id 0", PacketType::event, "/", 0, arr({"foo"}), "20[\"foo\"]"},
      {"ack admin 13", PacketType::ack, "/admin", 13, arr({"bar"}), "3/admin,13[\"bar\"]"},
      {"ack empty 14", PacketType::ack, "/", 14, [](JsonWriter& w) { w.begin_array().end_array(); }, "314[]"},
      {"event one buffer",
       PacketType::event,
       "/",
       {},
       [](JsonWriter& w) {
         w.begin_array().string("baz").binary(bytes({1, 2, 3, 4})).end_array();
       },
       "51-[\"baz\"," + P0 + "] +01020304"},
      {"event two buffers admin",
       PacketType::event,
       "/admin",
       {},
       [](JsonWriter& w) {
         w.begin_array().string("baz").binary(bytes({1, 2})).binary(bytes({3, 4})).end_array();
       },
       "52-/admin,[\"baz\"," + P0 + "," + P1 + "] +0102 +0304"},
      {"ack buffer 15", PacketType::ack, "/", 15,
       [](JsonWriter& w) {
         w.begin_array().string("bar").binary(bytes({1, 2, 3, 4})).end_array();
       },
       "61-15[\"bar\"," + P0 + "] +01020304"},
      {"nested buffer",
       PacketType::event,
       "/",
       {},
       [](JsonWriter& w) {
         w.begin_array()
             .string("a")
             .begin_object()
             .key("nested")
             .begin_array()
             .binary(bytes({5}))
             .end_array()
             .end_object()
             .end_array();
       },
       "51-[\"a\",{\"nested\":[" + P0 + "]}] +05"},
      // Node writes undefined and NaN as null; a JsonWriter has no undefined and refuses NaN.
      {"undefined null NaN Date differs_from_node",
       PacketType::event,
       "/",
       {},
       [](JsonWriter& w) {
         w.begin_array().string("a").null().null().number(std::nan("")).string("1970-01-01T00:00:00.000Z").end_array();
       },
       "refused json_number"},
      {"same without NaN",
       PacketType::event,
       "/",
       {},
       [](JsonWriter& w) {
         w.begin_array().string("a").null().null().null().string("1970-01-01T00:00:00.000Z").end_array();
       },
       "2[\"a\",null,null,null,\"1970-01-01T00:00:00.000Z\"]"},
      // Node writes "2nsp-without-slash,[\"a\"]", which its own decoder rejects.
      {"nsp without slash differs_from_node",
       PacketType::event,
       "nsp-without-slash",
       {},
       arr({"a"}),
       "refused sio_bad_namespace"},
      {"U+2028 raw, 0x1e escaped",
       PacketType::event,
       "/",
       {},
       arr({"a", "\xe2\x80\xa8\x1e"}),
       "2[\"a\",\"\xe2\x80\xa8\\u001e\"]"},
  });
}

// ---- refusals: one row per rule of packet_encoder.h -----------------------------------------------

TEST(PacketEncoder, Refusals) {
  const Build one_bin = [](JsonWriter& w) { w.begin_array().string("a").binary(bytes({1})).end_array(); };
  const Build obj_bin = [](JsonWriter& w) { w.begin_object().key("b").binary(bytes({1})).end_object(); };
  const Build raw = nullptr;
  const auto r = [](std::string text) -> Build { return [text](JsonWriter& w) { w.raw_json(text); }; };
  check_encode_rows({
      {"writer left open",
       PacketType::event,
       "/",
       {},
       [](JsonWriter& w) { w.begin_array().string("a"); },
       "refused json_syntax"},
      {"writer error",
       PacketType::event,
       "/",
       {},
       [](JsonWriter& w) { w.begin_array().string("\xff").end_array(); },
       "refused json_bad_utf8"},
      {"type 7", static_cast<PacketType>(7), "/", {}, arr({"a"}), "refused sio_bad_packet_type"},
      {"binary in CONNECT", PacketType::connect, "/", {}, obj_bin, "refused sio_unexpected_binary"},
      {"binary in CONNECT_ERROR", PacketType::connect_error, "/", {}, obj_bin, "refused sio_unexpected_binary"},
      {"binary in DISCONNECT", PacketType::disconnect, "/", {}, obj_bin, "refused sio_unexpected_binary"},
      {"BINARY_EVENT without binary", PacketType::binary_event, "/", {}, arr({"a"}), "refused sio_bad_attachments"},
      {"BINARY_ACK without binary", PacketType::binary_ack, "/", 1, arr({"a"}), "refused sio_bad_attachments"},
      {"empty nsp", PacketType::event, "", {}, arr({"a"}), "refused sio_bad_namespace"},
      {"nsp with comma", PacketType::event, "/a,b", {}, arr({"a"}), "refused sio_bad_namespace"},
      {"nsp with quote", PacketType::event, "/a\"", {}, arr({"a"}), "refused sio_bad_namespace"},
      {"nsp with bracket", PacketType::event, "/a[", {}, arr({"a"}), "refused sio_bad_namespace"},
      {"nsp with brace", PacketType::connect, "/{", {}, nullptr, "refused sio_bad_namespace"},
      {"nsp with control byte", PacketType::disconnect, "/\n", {}, nullptr, "refused sio_bad_namespace"},
      {"nsp not UTF-8", PacketType::disconnect, "/\xff", {}, nullptr, "refused bad_utf8"},
      {"id on CONNECT", PacketType::connect, "/", 1, nullptr, "refused sio_ack_id_not_allowed"},
      {"id on DISCONNECT", PacketType::disconnect, "/", 1, nullptr, "refused sio_ack_id_not_allowed"},
      {"id on CONNECT_ERROR", PacketType::connect_error, "/", 1, obj("message", "x"), "refused sio_ack_id_not_allowed"},
      {"ACK without id", PacketType::ack, "/", {}, arr({"a"}), "refused sio_ack_without_id"},
      {"ACK with binary without id", PacketType::ack, "/", {}, one_bin, "refused sio_ack_without_id"},
      {"EVENT without payload", PacketType::event, "/", {}, raw, "refused sio_missing_payload"},
      {"ACK without payload", PacketType::ack, "/", 1, raw, "refused sio_missing_payload"},
      {"CONNECT_ERROR without payload", PacketType::connect_error, "/", {}, raw, "refused sio_missing_payload"},
      {"CONNECT array", PacketType::connect, "/", {}, arr({}), "refused sio_connect_payload"},
      {"DISCONNECT payload", PacketType::disconnect, "/", {}, obj("a", "b"), "refused sio_disconnect_payload"},
      {"EVENT object", PacketType::event, "/", {}, obj("a", "b"), "refused sio_event_not_array"},
      {"EVENT empty", PacketType::event, "/", {}, arr({}), "refused sio_event_empty"},
      {"EVENT name object", PacketType::event, "/", {}, r("[{\"toString\":\"foo\"}]"), "refused sio_bad_event_name"},
      {"EVENT name binary",
       PacketType::event,
       "/",
       {},
       [](JsonWriter& w) { w.begin_array().binary(bytes({1})).end_array(); },
       "refused sio_bad_event_name"},
      {"EVENT reserved", PacketType::event, "/", {}, arr({"connect"}), "refused sio_reserved_event_name"},
      {"BINARY_EVENT reserved",
       PacketType::event,
       "/",
       {},
       [](JsonWriter& w) { w.begin_array().string("disconnect").binary(bytes({1})).end_array(); },
       "refused sio_reserved_event_name"},
      {"ACK object", PacketType::ack, "/", 2, obj("a", "b"), "refused sio_ack_not_array"},
      {"CONNECT_ERROR array", PacketType::connect_error, "/", {}, arr({"x"}), "refused sio_connect_error_payload"},
      {"raw payload with leading space",
       PacketType::event,
       "/",
       {},
       r(" [\"a\"]"),
       "refused sio_payload_leading_space"},
      {"raw payload not JSON", PacketType::event, "/", {}, r("[\"a\",]"), "refused json_syntax"},
      {"raw payload lone surrogate", PacketType::event, "/", {}, r("[\"\\udc00\"]"), "refused json_lone_surrogate"},
      {"raw payload huge number", PacketType::event, "/", {}, r("[\"a\",1e999]"), "refused json_number"},
      {"raw broken placeholder in a binary packet",
       PacketType::event,
       "/",
       {},
       [](JsonWriter& w) {
         w.begin_array().string("a").binary(bytes({1})).raw_json("{\"_placeholder\":0}").end_array();
       },
       "refused sio_bad_placeholder"},
      {"raw duplicate placeholder",
       PacketType::event,
       "/",
       {},
       [](JsonWriter& w) { w.begin_array().string("a").binary(bytes({1})).raw_json(ph(0)).end_array(); },
       "refused sio_placeholder_duplicate"},
      {"raw placeholder out of range",
       PacketType::event,
       "/",
       {},
       [](JsonWriter& w) { w.begin_array().string("a").raw_json(ph(1)).binary(bytes({1})).end_array(); },
       "refused sio_placeholder_range"},
      // Without binary() a placeholder-shaped object is plain data, as for the decoder.
      {"raw placeholder in a plain EVENT",
       PacketType::event,
       "/",
       {},
       [](JsonWriter& w) { w.begin_array().string("a").raw_json(ph(3)).end_array(); },
       "2[\"a\"," + ph(3) + "]"},
  });
}

// ---- every Limits field the encoder uses, at the limit and one past it ----------------------------

TEST(PacketEncoder, Limits) {
  const auto limits = [](auto set) {
    Limits l;
    set(l);
    return l;
  };
  const Limits payload10 = limits([](Limits& l) { l.max_payload_bytes = 10; });
  const Limits att2 = limits([](Limits& l) { l.max_attachments = 2; });
  const Limits bytes4 = limits([](Limits& l) { l.max_attachment_bytes = 4; });
  const Limits digits2 = limits([](Limits& l) { l.max_ack_id_digits = 2; });
  const Limits id5 = limits([](Limits& l) { l.max_ack_id = 5; });
  const Limits nsp0 = limits([](Limits& l) { l.max_namespace_bytes = 0; });
  const Limits depth1 = limits([](Limits& l) { l.max_depth = 1; });
  const auto bins = [](std::vector<std::vector<std::uint8_t>> list) -> Build {
    return [list](JsonWriter& w) {
      w.begin_array().string("a");
      for (const auto& b : list) w.binary(ByteView(b));
      w.end_array();
    };
  };
  const auto deep = [](std::size_t depth) -> Build {
    return [depth](JsonWriter& w) {
      w.begin_array().string("a");
      for (std::size_t i = 1; i < depth; ++i) w.begin_array();
      w.number(1);
      for (std::size_t i = 1; i < depth; ++i) w.end_array();
      w.end_array();
    };
  };
  const std::string a255(255, 'a');
  check_encode_rows({
      {"payload bytes at limit", PacketType::event, "/", {}, arr({"abcde"}), "2[\"abcde\"]", payload10},
      {"payload bytes over limit",
       PacketType::event,
       "/",
       {},
       arr({"abcdef"}),
       "refused limit_payload_bytes",
       payload10},
      {"header counts toward the limit", PacketType::event, "/", 1, arr({"abcde"}), "refused limit_payload_bytes",
       payload10},
      {"2 attachments at limit 2",
       PacketType::event,
       "/",
       {},
       bins({{1}, {2}}),
       "52-[\"a\"," + P0 + "," + P1 + "] +01 +02",
       att2},
      {"3 attachments at limit 2",
       PacketType::event,
       "/",
       {},
       bins({{1}, {2}, {3}}),
       "refused limit_attachments",
       att2},
      {"attachment bytes at limit",
       PacketType::event,
       "/",
       {},
       bins({{1, 2}, {3, 4}}),
       "52-[\"a\"," + P0 + "," + P1 + "] +0102 +0304",
       bytes4},
      {"attachment bytes over limit",
       PacketType::event,
       "/",
       {},
       bins({{1, 2}, {3, 4, 5}}),
       "refused limit_attachment_bytes",
       bytes4},
      {"ack id 2^53-1", PacketType::event, "/", 9007199254740991ull, arr({"a"}), "29007199254740991[\"a\"]"},
      {"ack id 2^53", PacketType::event, "/", 9007199254740992ull, arr({"a"}), "refused limit_ack_id"},
      {"ack id 5 at limit 5", PacketType::ack, "/", 5, arr({}), "35[]", id5},
      {"ack id 6 at limit 5", PacketType::ack, "/", 6, arr({}), "refused limit_ack_id", id5},
      {"2-digit id at limit 2", PacketType::event, "/", 99, arr({"a"}), "299[\"a\"]", digits2},
      {"3-digit id at limit 2", PacketType::event, "/", 100, arr({"a"}), "refused limit_ack_id_digits", digits2},
      {"namespace of 256", PacketType::disconnect, "/" + a255, {}, nullptr, "1/" + a255 + ","},
      {"namespace of 257", PacketType::disconnect, "/" + a255 + "a", {}, nullptr, "refused limit_namespace_bytes"},
      // "/" is not written, so the decoder never holds it against max_namespace_bytes.
      {"main namespace at limit 0", PacketType::disconnect, "/", {}, nullptr, "1", nsp0},
      {"namespace of 2 at limit 0", PacketType::disconnect, "/a", {}, nullptr, "refused limit_namespace_bytes", nsp0},
      {"depth 32",
       PacketType::event,
       "/",
       {},
       deep(32),
       "2[\"a\"," + std::string(31, '[') + "1" + std::string(31, ']') + "]"},
      {"depth 33", PacketType::event, "/", {}, deep(33), "refused limit_depth"},
      {"depth 1 at limit 1", PacketType::event, "/", {}, arr({"a"}), "2[\"a\"]", depth1},
      {"depth 2 at limit 1", PacketType::event, "/", {}, deep(2), "refused limit_depth", depth1},
  });
}

// ---- decode -> encode -> decode ------------------------------------------------------------------

// Rebuilds a decoded packet's payload through the JsonWriter (placeholders -> binary()).
void write_value(JsonWriter& w, simdjson::dom::element e, const Packet& p) {
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::ARRAY: {
      const simdjson::dom::array a = e.get_array().value_unsafe();
      w.begin_array();
      for (simdjson::dom::element x : a) write_value(w, x, p);
      w.end_array();
      break;
    }
    case element_type::OBJECT: {
      const simdjson::dom::object o = e.get_object().value_unsafe();
      if (is_binary(p.type) && o["_placeholder"].error() == simdjson::SUCCESS) {
        w.binary(p.attachments[o["num"].get_uint64().value_unsafe()]);
        break;
      }
      w.begin_object();
      for (auto kv : o) {
        w.key(kv.key);
        write_value(w, kv.value, p);
      }
      w.end_object();
      break;
    }
    case element_type::STRING: w.string(e.get_string().value_unsafe()); break;
    case element_type::INT64: w.number(e.get_int64().value_unsafe()); break;
    case element_type::UINT64: w.number(e.get_uint64().value_unsafe()); break;
    case element_type::DOUBLE: w.number(e.get_double().value_unsafe()); break;
    case element_type::BOOL: w.boolean(e.get_bool().value_unsafe()); break;
    case element_type::NULL_VALUE: w.null(); break;
  }
}

struct Reencoder : PacketSink {
  std::vector<std::string> decoded;  // rendered as "<type> <nsp> #id payload +hex..."
  std::vector<EncodedPacket> encoded;
  void on_packet(const Packet& p) override {
    std::string s = std::string(name(p.type)) + " " + std::string(p.nsp);
    if (p.id) s += " #" + std::to_string(*p.id);
    s += " " + std::string(p.payload);
    for (ByteView a : p.attachments) s += " +" + hex_of(a);
    decoded.push_back(s);
    JsonWriter w;
    if (!p.payload.empty()) {
      simdjson::dom::parser parser;
      const simdjson::padded_string json(p.payload);
      write_value(w, parser.parse(json).value_unsafe(), p);
    }
    // A binary packet is re-encoded from its plain type: the encoder must switch it back.
    PacketType t = p.type == PacketType::binary_event ? PacketType::event
                   : p.type == PacketType::binary_ack ? PacketType::ack
                                                      : p.type;
    encoded.push_back(encode(t, p.nsp, p.id, w));
  }
};

std::vector<std::string> decode_all(const std::string& text, const std::vector<std::string>& atts, Reencoder& sink) {
  PacketDecoder dec;
  EXPECT_EQ(dec.feed({MessageKind::text, as_bytes(text)}, sink), Status::ok) << text;
  for (const std::string& a : atts) EXPECT_EQ(dec.feed({MessageKind::binary, as_bytes(a)}, sink), Status::ok);
  EXPECT_EQ(dec.finish(), Status::ok);
  return sink.decoded;
}

TEST(PacketEncoder, RoundTrips) {
  const struct {
    std::string text;
    std::vector<std::string> attachments;
  } rows[] = {
      {"0", {}},
      {"0{\"token\":\"123\"}", {}},
      {"0/admin,", {}},
      {"1", {}},
      {"1/admin,", {}},
      {"2[\"foo\"]", {}},
      {"2/admin,13[\"foo\",1,-2,3.5,true,false,null,{\"a\":[1,{\"b\":\"c\"}],\"z\":{}}]", {}},
      {"312[]", {}},
      {"3/x,0[[],{}]", {}},
      {"4{\"message\":\"Not authorized\",\"data\":{\"x\":1}}", {}},
      {"4\"v4 style\"", {}},
      {"2[\"esc \\\"q\\\" \\\\ \\n \\t \\u001e \\u0000 \xc3\xa9 \xe2\x80\xa8\"]", {}},
      {"2[1e+21,1e-7,0.1,-0.5,18446744073709551615,-9223372036854775808]", {}},
      {"29007199254740991[\"a\"]", {}},
      {"2/\xc3\xa9,[\"a\"]", {}},
      {"51-[\"baz\"," + P0 + "]", {"\x01\x02\x03\x04"}},
      {"52-/admin,[\"baz\"," + P0 + "," + P1 + "]", {"\x01\x02", "\x03\x04"}},
      {"61-15[\"bar\",{\"nested\":[" + P0 + "]}]", {"\xff"}},
      {"51-9[1," + P0 + "]", {""}},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.text);
    Reencoder first;
    const std::vector<std::string> decoded = decode_all(r.text, r.attachments, first);
    ASSERT_EQ(first.encoded.size(), 1u);
    const EncodedPacket& e = first.encoded[0];
    ASSERT_EQ(e.error, Errc::none);
    EXPECT_EQ(e.text, r.text);  // these texts are written the way the encoder writes
    std::vector<std::string> atts;
    for (const auto& a : e.attachments) atts.emplace_back(a.begin(), a.end());
    EXPECT_EQ(atts, r.attachments);
    Reencoder second;
    EXPECT_EQ(decode_all(e.text, atts, second), decoded);
  }
}

// Whatever the encoder refuses, the decoder rejects with the same Errc, and whatever it writes,
// the decoder reads back field for field: over every type, id and a set of payloads.
TEST(PacketEncoder, AgreesWithTheDecoder) {
  const std::vector<std::string> payloads = {
      "",
      "{}",
      "[]",
      "[\"a\"]",
      "[\"connect\"]",
      "\"x\"",
      "null",
      "[1]",
      "[null]",
      "[[\"a\"]]",
      "{\"message\":\"m\"}",
      " []",
      "[\"a\",{\"_placeholder\":true,\"num\":0}]",
      "[\"a\"",
      "[\"\\ud800\"]",
      "[\"a\",[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
      "true",
      "[1e999]"};
  const std::vector<std::optional<std::uint64_t>> ids = {std::nullopt, 0, 12, 9007199254740992ull};
  int accepted = 0, refused = 0;
  for (int t = 0; t <= 4; ++t)
    for (const std::string nsp : {"/", "/admin"})
      for (const auto& id : ids)
        for (const std::string& payload : payloads) {
          const auto type = static_cast<PacketType>(t);
          JsonWriter w;
          if (!payload.empty()) w.raw_json(payload);
          const EncodedPacket e = encode(type, nsp, id, w);
          std::string text =
              std::to_string(t) + (nsp == "/" ? "" : nsp + ",") + (id ? std::to_string(*id) : "") + payload;
          SCOPED_TRACE(text);
          PacketDecoder dec;
          struct Sink : PacketSink {
            std::optional<Packet> got;
            std::string payload;
            void on_packet(const Packet& p) override {
              got = p;
              payload = std::string(p.payload);
            }
          } sink;
          const Status s = dec.feed({MessageKind::text, as_bytes(text)}, sink);
          if (e.error != Errc::none) {
            ++refused;
            EXPECT_EQ(s, Status::error);
            EXPECT_EQ(dec.error().code, e.error);
          } else {
            ++accepted;
            EXPECT_EQ(e.text, text);
            ASSERT_EQ(s, Status::ok);
            ASSERT_TRUE(sink.got);
            EXPECT_EQ(sink.got->type, type);
            EXPECT_EQ(sink.got->id, id);
            EXPECT_EQ(sink.payload, payload);
          }
        }
  EXPECT_GT(accepted, 20);
  EXPECT_GT(refused, 200);
}

TEST(PacketEncoder, RefusalLeavesTheOutputEmptyAndReusesIt) {
  PacketEncoder enc;
  EncodedPacket out;
  JsonWriter w;
  w.begin_array().string("a").binary(bytes({1, 2})).end_array();
  ASSERT_EQ(enc.encode(PacketType::event, "/", 1, w, out), Errc::none);
  EXPECT_EQ(render(out), "51-1[\"a\"," + P0 + "] +0102");
  w.clear();
  w.begin_array().string("connect").end_array();
  EXPECT_EQ(enc.encode(PacketType::event, "/", {}, w, out), Errc::sio_reserved_event_name);
  EXPECT_EQ(out.error, Errc::sio_reserved_event_name);
  EXPECT_TRUE(out.text.empty());
  EXPECT_TRUE(out.attachments.empty());
  w.clear();
  w.begin_array().string("ok").end_array();
  EXPECT_EQ(enc.encode(PacketType::event, "/", {}, w, out), Errc::none);
  EXPECT_EQ(render(out), "2[\"ok\"]");
  PacketEncoder moved = std::move(enc);
  EXPECT_EQ(moved.encode(PacketType::disconnect, "/", {}, JsonWriter(), out), Errc::none);
  EXPECT_EQ(render(out), "1");
}

}  // namespace
}  // namespace sioconf::sio
