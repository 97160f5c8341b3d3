// Private to the session layer: the payload of an EVENT the server sends, as ServerSocket::emit
// and Rooms::broadcast both write it, so that both refuse the same arguments the same way.
#pragma once

#include <span>
#include <string_view>

#include "sioconf/bytes.h"
#include "sioconf/errc.h"
#include "sioconf/json_writer.h"

namespace sioconf::session::detail {

/// Writes `[name, ...args]` into `json` (emptied first) and adds `attachments` (a BINARY_EVENT
/// when there are any). `args_json` is a JSON array's text, blanks around it allowed; anything
/// else: sio_event_not_array, with nothing written.
Errc write_event(JsonWriter& json, std::string_view name, std::string_view args_json,
                 std::span<const ByteView> attachments) noexcept;

}  // namespace sioconf::session::detail
