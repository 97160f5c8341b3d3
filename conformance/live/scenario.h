// Live scenarios (corpus/live/README.md): what a file holds once loaded, and the small languages
// its steps use: ${variables}, durations in units of the server's heartbeat, and patterns that
// received packets are matched against. Includes nlohmann/json: the runner's code only.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sioconf::live {

using json = nlohmann::json;

/// How a scenario's session reaches the server: HTTP long-polling, a WebSocket from the start, or
/// long-polling upgraded to a WebSocket (probe, upgrade) before the scenario's steps.
enum class TransportKind { polling, websocket, upgrade };
const char* transport_name(TransportKind kind);
std::optional<TransportKind> transport_from_name(std::string_view name);

/// How the client's bytes are cut into TCP writes: as each step writes them, one byte per write,
/// or in random cuts (seeded by the case id, so a run replays).
enum class Shaping { whole, bytes, cuts };
const char* shaping_name(Shaping shaping);

struct Scenario {
  std::string id, area, topic, file, level, basis, title;
  json flags = json::array(), notes = json::object();
  std::vector<TransportKind> transports;
  bool hostile = false;  // a fresh client must be served after it
  bool alone = false;    // no other case in flight meanwhile (hostile ones, and "alone": true)
  bool shaped = true;    // also run with the bytes and cuts shapings ("shaping": "whole" says no)
  json steps;            // as written; the interpreter reads them
  json source;           // the whole scenario as written, for reports
};

/// Every file of `schema` under `paths` (files or folders, recursively): sioconf-live-v1 for
/// corpus/live, sioconf-live-client-v1 for corpus/live-client. Keeps scenarios whose id matches
/// one of `globs` (shell globs; all when empty). A malformed file, scenario or a duplicate id is
/// a line in `errors` and is skipped.
std::vector<Scenario> load_scenarios(const std::vector<std::string>& paths, const std::vector<std::string>& globs,
                                     std::vector<std::string>& errors, const std::string& schema = "sioconf-live-v1");

/// The values a run knows: the server's (path, host, port) and what steps captured (sid,
/// ping_interval, ...).
using Vars = std::map<std::string, std::string>;

/// `text` with each ${name} replaced by its value, looked up in `first`, then in `vars`. False,
/// with `error` naming it, for a name neither has or an unclosed ${.
bool substitute(std::string_view text, const Vars& vars, std::string& out, std::string& error, const Vars& first = {});
/// Every string in `value` (keys excepted) through substitute(); throws std::runtime_error.
json substituted(const json& value, const Vars& vars, const Vars& first = {});

/// The server's announced heartbeat and the runner's --time-scale.
struct Timing {
  double ping_interval_ms = 0, ping_timeout_ms = 0;
  double scale = 1;  // multiplies milliseconds, not pi and pt
};
/// A duration as steps write it: a number of milliseconds, or a sum of terms "<x> pi", "<x> pt",
/// "<x> ms" ("1 pi + 1 pt + 200 ms"; pi and pt are the server's pingInterval and pingTimeout).
/// Nothing for a malformed one, or for pi and pt before a handshake announced them.
std::optional<std::uint64_t> duration_ms(const json& value, const Timing& timing);

/// One Engine.IO packet as it crossed the wire: a text packet with its type digit first
/// ("4hello"), or a binary message's bytes.
struct Packet {
  bool binary = false;
  std::string bytes;
};
/// A packet as steps write it: a string is a text packet; an element ({"text"|"hex"|"base64"|
/// "concat"}, corpus/README.md) is a binary one, or text when it says text. Throws
/// std::invalid_argument for a malformed element.
Packet packet_from(const json& value);

/// For messages and the wire log: the text, or "<binary 01 02 03>" (cut after 64 bytes).
std::string describe(const Packet& packet);

/// Does `packet` match `pattern` (corpus/live/README.md "Patterns")? Captures are written to
/// `vars` only on a match; `why` says where a mismatch is. `pattern` is already substituted.
bool match_packet(const json& pattern, const Packet& packet, Vars& vars, std::string& why);
/// A text packet read as Socket.IO ({"sio": {"type", "nsp", "id", "attachments", "data"}}):
/// type must match; id and attachments must match when given and be absent when not; nsp
/// defaults to "/"; data is matched when given.
bool match_sio(const json& pattern, const Packet& packet, Vars& vars, std::string& why);
/// A JSON value against a value pattern; `where` names the place in messages ("$.sid").
bool match_value(const json& pattern, const json& value, Vars& captures, std::string& why, const std::string& where);

/// `value` as one line of JSON, cut after `max` characters.
std::string clip(const json& value, std::size_t max = 300);
/// Bytes as a log shows them: printable ASCII as is, the rest as \xNN, cut after `max`.
std::string printable(std::string_view bytes, std::size_t max = 300);

}  // namespace sioconf::live
