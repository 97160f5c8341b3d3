#include "event_payload.h"

namespace sioconf::session::detail {

Errc write_event(JsonWriter& json, std::string_view name, std::string_view args_json,
                 std::span<const ByteView> attachments) noexcept {
  json.clear();
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!args_json.empty() && blank(args_json.front())) args_json.remove_prefix(1);
  while (!args_json.empty() && blank(args_json.back())) args_json.remove_suffix(1);
  if (args_json.size() < 2 || args_json.front() != '[' || args_json.back() != ']') return Errc::sio_event_not_array;
  json.begin_array().string(name).raw_elements(args_json).end_array();
  for (ByteView a : attachments) json.attach(a);
  return Errc::none;
}

}  // namespace sioconf::session::detail
