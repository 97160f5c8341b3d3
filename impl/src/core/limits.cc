#include "sioconf/limits.h"

#include <limits>
#include <vector>

namespace sioconf {
namespace {

// One row per Limits field; the key is the field's own name. Left as written: clang-format-14
// formats this macro differently on every run.
// clang-format off
#define SIOCONF_LIMIT_FIELDS(X)                                                              \
  X(ws_max_frame_bytes) X(ws_max_message_bytes) X(ws_max_fragments) X(eio_max_packet_bytes) \
  X(eio_max_payload_bytes) X(eio_max_payload_packets) X(eio_max_sessions) X(eio_max_queued_packets) X(max_payload_bytes) X(max_depth) \
  X(max_attachments) X(max_attachment_bytes) X(max_ack_id) X(max_ack_id_digits)             \
  X(max_namespace_bytes) X(ndjson_max_line_bytes) X(stream_max_buffered_bytes) \
  X(http_max_header_bytes) X(http_max_headers) X(http_max_body_bytes) X(http_max_connections) X(max_pending_acks) X(client_max_buffered_emits)
// clang-format on

constexpr std::string_view kKeys[] = {
#define SIOCONF_KEY(field) #field,
    SIOCONF_LIMIT_FIELDS(SIOCONF_KEY)
#undef SIOCONF_KEY
};

template <class T>
bool assign(T& field, std::uint64_t value) noexcept {
  if (value > std::numeric_limits<T>::max()) return false;
  field = static_cast<T>(value);
  return true;
}

}  // namespace

bool set_limit(Limits& limits, std::string_view key, std::uint64_t value) noexcept {
#define SIOCONF_SET(field) \
  if (key == #field) return assign(limits.field, value);
  SIOCONF_LIMIT_FIELDS(SIOCONF_SET)
#undef SIOCONF_SET
  return false;
}

std::optional<std::uint64_t> get_limit(const Limits& limits, std::string_view key) noexcept {
#define SIOCONF_GET(field) \
  if (key == #field) return static_cast<std::uint64_t>(limits.field);
  SIOCONF_LIMIT_FIELDS(SIOCONF_GET)
#undef SIOCONF_GET
  return std::nullopt;
}

std::span<const std::string_view> limit_keys() noexcept { return kKeys; }

std::shared_ptr<const Limits> shared_limits(const Limits& limits) {
  // The Limits in use on this thread: few (one per server, a few in tests), so a list will do.
  thread_local std::vector<std::weak_ptr<const Limits>> in_use;
  std::erase_if(in_use, [](const std::weak_ptr<const Limits>& w) { return w.expired(); });
  for (const std::weak_ptr<const Limits>& w : in_use)
    if (auto held = w.lock(); held && *held == limits) return held;
  auto made = std::make_shared<const Limits>(limits);
  in_use.push_back(made);
  return made;
}

}  // namespace sioconf
