// Private to the sio layer: the header and payload rules of packet_decoder.h in one place, so that
// the encoder refuses exactly what the decoder rejects.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "json_dom.h"
#include "sioconf/errc.h"
#include "sioconf/limits.h"
#include "sioconf/sio/packet.h"

namespace sioconf::detail {

/// Checks a namespace (the bytes between the leading '/' included and the ',' excluded). On error
/// `at` is the index of the offending byte. ',' is refused too: the decoder never passes one, and
/// the encoder must not write one.
Errc check_namespace(std::string_view nsp, const Limits& limits, std::size_t& at) noexcept;

/// Decimal digits of `v` (1 for 0).
std::size_t decimal_digits(std::uint64_t v) noexcept;

class SioPayloadChecker {
 public:
  /// The payload rules for a packet of `type` (payload empty = absent). `attachments` is the count
  /// of a binary packet (ignored for the other types). Errc::none or the first rule broken.
  Errc check(sio::PacketType type, std::string_view payload, std::uint32_t attachments,
             const Limits& limits) noexcept;

 private:
  Errc check_placeholders(simdjson::dom::element root, std::uint32_t attachments) noexcept;
  Errc visit(simdjson::dom::element e) noexcept;
  Errc check_placeholder(simdjson::dom::object o) noexcept;

  struct Frame {
    bool object = false;
    simdjson::dom::array::iterator at, end;
    simdjson::dom::object::iterator member, members_end;
  };

  JsonDom dom_;
  std::vector<Frame> stack_;         // at most max_depth + 1 frames
  std::vector<std::uint8_t> used_;   // one flag per attachment
  std::uint32_t unused_ = 0;
};

}  // namespace sioconf::detail
