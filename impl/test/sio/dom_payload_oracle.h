// Test-only oracle: the Socket.IO payload rules as the decoder checked them before JsonScanner,
// on simdjson's DOM (a parsed tree, walked in document order). The production checker streams the
// same rules during the scan; sio/payload_checker_test.cc requires both to agree on every
// generated payload. Kept as it was, deliberately independent of the code it checks.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "json_dom.h"
#include "sioconf/errc.h"
#include "sioconf/limits.h"
#include "sioconf/sio/packet.h"

namespace sioconf::test {

class DomPayloadOracle {
 public:
  Errc check(sio::PacketType type, std::string_view payload, std::uint32_t attachments, const Limits& limits) {
    using simdjson::dom::element_type;
    using sio::PacketType;
    const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    if (!payload.empty() && space(payload.front())) return Errc::sio_payload_leading_space;
    switch (type) {
      case PacketType::connect:
        if (payload.empty()) return Errc::none;
        break;
      case PacketType::disconnect: return payload.empty() ? Errc::none : Errc::sio_disconnect_payload;
      default:
        if (payload.empty()) return Errc::sio_missing_payload;
        break;
    }
    if (const Errc e = dom_.parse(payload, limits.max_depth); e != Errc::none) return e;
    const simdjson::dom::element root = dom_.root();
    const element_type kind = root.type();
    switch (type) {
      case PacketType::connect: return kind == element_type::OBJECT ? Errc::none : Errc::sio_connect_payload;
      case PacketType::connect_error:
        return kind == element_type::OBJECT || kind == element_type::STRING ? Errc::none
                                                                            : Errc::sio_connect_error_payload;
      case PacketType::ack:
      case PacketType::binary_ack:
        if (kind != element_type::ARRAY) return Errc::sio_ack_not_array;
        break;
      default: {
        if (kind != element_type::ARRAY) return Errc::sio_event_not_array;
        const simdjson::dom::array args = root.get_array().value_unsafe();
        if (args.begin() == args.end()) return Errc::sio_event_empty;
        const simdjson::dom::element name = *args.begin();
        switch (name.type()) {
          case element_type::STRING: {
            const std::string_view n = name.get_string().value_unsafe();
            if (n == "connect" || n == "connect_error" || n == "disconnect" || n == "disconnecting" ||
                n == "newListener" || n == "removeListener")
              return Errc::sio_reserved_event_name;
            break;
          }
          case element_type::INT64:
          case element_type::UINT64:
          case element_type::DOUBLE: break;
          default: return Errc::sio_bad_event_name;
        }
        break;
      }
    }
    if (!sio::is_binary(type)) return Errc::none;
    used_.assign(attachments, 0);
    unused_ = attachments;
    if (const Errc e = visit(root); e != Errc::none) return e;
    return unused_ != 0 ? Errc::sio_attachment_unused : Errc::none;
  }

 private:
  // Recursive: the generated payloads are shallow.
  Errc visit(simdjson::dom::element e) {
    using simdjson::dom::element_type;
    if (e.type() == element_type::ARRAY) {
      const simdjson::dom::array items = e.get_array().value_unsafe();
      for (const simdjson::dom::element item : items)
        if (const Errc err = visit(item); err != Errc::none) return err;
      return Errc::none;
    }
    if (e.type() != element_type::OBJECT) return Errc::none;
    const simdjson::dom::object o = e.get_object().value_unsafe();
    for (auto it = o.begin(); it != o.end(); ++it)
      if (it.key_equals("_placeholder")) return placeholder(o);
    for (auto it = o.begin(); it != o.end(); ++it)
      if (const Errc err = visit(it.value()); err != Errc::none) return err;
    return Errc::none;
  }

  Errc placeholder(simdjson::dom::object o) {
    using simdjson::dom::element_type;
    if (o.size() != 2) return Errc::sio_bad_placeholder;
    bool flag = false;
    std::uint64_t num = 0;
    for (auto it = o.begin(); it != o.end(); ++it) {
      const simdjson::dom::element v = it.value();
      if (it.key_equals("_placeholder")) {
        if (flag || v.type() != element_type::BOOL || !v.get_bool().value_unsafe()) return Errc::sio_bad_placeholder;
        flag = true;
      } else if (it.key_equals("num") && v.type() == element_type::INT64) {
        const std::int64_t n = v.get_int64().value_unsafe();
        if (n < 0) return Errc::sio_bad_placeholder;
        num = static_cast<std::uint64_t>(n);
      } else if (it.key_equals("num") && v.type() == element_type::UINT64) {
        num = v.get_uint64().value_unsafe();
      } else {
        return Errc::sio_bad_placeholder;
      }
    }
    if (num >= used_.size()) return Errc::sio_placeholder_range;
    if (used_[num]) return Errc::sio_placeholder_duplicate;
    used_[num] = 1;
    --unused_;
    return Errc::none;
  }

  detail::JsonDom dom_;
  std::vector<std::uint8_t> used_;
  std::uint32_t unused_ = 0;
};

}  // namespace sioconf::test
