// Private to the sio layer: the header and payload rules of packet_decoder.h in one place, so that
// the encoder refuses exactly what the decoder rejects.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "json_scan.h"
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

// Finds the placeholder objects of a binary packet while the JSON scan runs, and reports what a
// walk of the parsed value in document order would: the first bad placeholder object (by where it
// starts), else an attachment nothing names. Objects inside a placeholder object are never
// looked at by that walk; they cannot change the verdict, since such an object is bad itself and
// starts earlier.
class PlaceholderVisitor {
 public:
  static constexpr bool wants_values = true;
  static constexpr bool wants_keys = true;
  void reset(std::uint32_t attachments);
  void container_start(bool object, std::uint32_t offset) noexcept;
  void container_end() noexcept;
  void key(const JsonString& key) noexcept;
  void scalar(const JsonScalar& value) noexcept;
  /// After a scan that found no JSON error: Errc::none or the placeholder rule broken.
  Errc verdict() const noexcept;

 private:
  enum class Member : std::uint8_t { other, flag, num };
  struct Open {
    bool object = false;
    bool placeholder = false;  // has a "_placeholder" member
    bool bad = false;          // a member a placeholder must not have
    bool flag = false;         // "_placeholder": true seen
    bool has_num = false;
    Member member = Member::other;  // the member whose value comes next
    std::uint32_t members = 0;
    std::uint32_t offset = 0;
    std::uint64_t num = 0;
  };
  void member_value(bool good_flag, bool good_num, std::uint64_t num) noexcept;
  void fail(Errc code, std::uint32_t offset) noexcept;

  std::vector<Open> open_;          // one per open container, at most max_depth + 1
  std::vector<std::uint8_t> used_;  // one flag per attachment
  std::uint32_t unused_ = 0;
  Errc error_ = Errc::none;
  std::uint32_t error_offset_ = 0;
};

class SioPayloadChecker {
 public:
  /// The payload rules for a packet of `type` (payload empty = absent). `attachments` is the count
  /// of a binary packet (ignored for the other types). Errc::none or the first rule broken.
  Errc check(sio::PacketType type, std::string_view payload, std::uint32_t attachments, const Limits& limits) noexcept;

 private:
  JsonScanner scanner_;
  PlaceholderVisitor placeholders_;
};

/// This thread's checker. check() calls out to nothing, so one at a time is all a thread needs:
/// the encoders and decoders of every connection share it instead of keeping its buffers each.
SioPayloadChecker& thread_checker() noexcept;

}  // namespace sioconf::detail
