#include "scenario.h"

#include "cli.h"

#include <fnmatch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace sioconf::live {

namespace fs = std::filesystem;

const char* transport_name(TransportKind kind) {
  switch (kind) {
    case TransportKind::polling: return "polling";
    case TransportKind::websocket: return "websocket";
    case TransportKind::upgrade: return "upgrade";
  }
  return "?";
}

std::optional<TransportKind> transport_from_name(std::string_view name) {
  for (TransportKind k : {TransportKind::polling, TransportKind::websocket, TransportKind::upgrade})
    if (name == transport_name(k)) return k;
  return std::nullopt;
}

const char* shaping_name(Shaping shaping) {
  switch (shaping) {
    case Shaping::whole: return "whole";
    case Shaping::bytes: return "bytes";
    case Shaping::cuts: return "cuts";
  }
  return "?";
}

namespace {

// What the loader needs of a scenario; the schema (corpus/schema/live.schema.json) checks the rest.
std::string read_scenario(const json& s, Scenario& out) {
  if (!s.is_object()) return "a scenario that is not an object";
  out.id = s.value("id", "");
  if (out.id.empty()) return "a scenario without id";
  if (!s.contains("steps") || !s["steps"].is_array() || s["steps"].empty()) return out.id + ": no steps";
  if (!s.contains("transports") || !s["transports"].is_array() || s["transports"].empty())
    return out.id + ": no transports";
  for (const json& t : s["transports"]) {
    const auto kind = t.is_string() ? transport_from_name(t.get<std::string>()) : std::nullopt;
    if (!kind) return out.id + ": unknown transport " + clip(t);
    out.transports.push_back(*kind);
  }
  out.level = s.value("level", "must");
  out.basis = s.value("basis", "");
  out.title = s.value("title", "");
  out.flags = s.value("flags", json::array());
  out.hostile = s.value("hostile", false);
  out.alone = out.hostile || s.value("alone", false);
  out.shaped = s.value("shaping", "any") != "whole";
  out.steps = s["steps"];
  out.source = s;
  return {};
}

}  // namespace

std::vector<Scenario> load_scenarios(const std::vector<std::string>& paths, const std::vector<std::string>& globs,
                                     std::vector<std::string>& errors, const std::string& schema) {
  std::vector<Scenario> scenarios;
  std::map<std::string, std::string> file_of;  // id -> the file that has it
  for (const fs::path file : cli::corpus_files(paths, errors)) {
    std::ifstream in(file);
    const json doc = json::parse(in, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || doc.value("schema", "") != schema || !doc.contains("scenarios") ||
        !doc["scenarios"].is_array()) {
      errors.push_back(file.string() + ": not a " + schema + " file");
      continue;
    }
    const json notes = doc.value("notes", json::object());
    for (const json& s : doc["scenarios"]) {
      Scenario scenario;
      if (std::string bad = read_scenario(s, scenario); !bad.empty()) {
        errors.push_back(file.string() + ": " + bad);
        continue;
      }
      if (!cli::selected_by(scenario.id, globs)) continue;
      if (auto [it, fresh] = file_of.emplace(scenario.id, file.string()); !fresh) {
        errors.push_back(scenario.id + ": duplicate id (" + it->second + " and " + file.string() + ")");
        continue;
      }
      scenario.area = doc.value("area", "");
      scenario.topic = doc.value("topic", file.stem().string());
      scenario.file = (file.parent_path().filename() / file.filename()).string();
      for (const json& flag : scenario.flags)
        if (flag.is_string() && notes.contains(flag.get<std::string>()))
          scenario.notes[flag.get<std::string>()] = notes[flag.get<std::string>()];
      scenarios.push_back(std::move(scenario));
    }
  }
  return scenarios;
}

bool substitute(std::string_view text, const Vars& vars, std::string& out, std::string& error, const Vars& first) {
  out.assign(text);
  // Right to left, innermost first, so that ${q${i}} is ${q7} once ${i} is 7; a value is never
  // searched again (a server's text is not a variable).
  std::size_t before = out.size();
  for (;;) {
    const std::size_t open = before == 0 ? std::string::npos : out.rfind("${", before - 1);
    if (open == std::string::npos) return true;
    const std::size_t close = out.find('}', open + 2);
    if (close == std::string::npos) {
      error = "an unclosed ${ in " + std::string(text.substr(0, 80));
      return false;
    }
    const std::string name = out.substr(open + 2, close - open - 2);
    auto it = first.find(name);
    if (it == first.end() && (it = vars.find(name)) == vars.end()) {
      error = "${" + name + "} is not known at this step";
      return false;
    }
    out.replace(open, close + 1 - open, it->second);
    before = open;
  }
}

json substituted(const json& value, const Vars& vars, const Vars& first) {
  if (value.is_string()) {
    std::string out, error;
    if (!substitute(value.get_ref<const std::string&>(), vars, out, error, first)) throw std::runtime_error(error);
    return out;
  }
  if (!value.is_structured()) return value;
  json out = value;
  for (auto it = out.begin(); it != out.end(); ++it) *it = substituted(*it, vars, first);
  return out;
}

std::optional<std::uint64_t> duration_ms(const json& value, const Timing& timing) {
  if (value.is_number()) {
    const double ms = value.get<double>();
    if (!(ms >= 0)) return std::nullopt;
    return static_cast<std::uint64_t>(std::llround(ms * timing.scale));
  }
  if (!value.is_string()) return std::nullopt;
  const std::string text = value.get<std::string>();
  double total = 0;
  std::size_t i = 0;
  while (i <= text.size()) {
    const std::size_t plus = std::min(text.find('+', i), text.size());
    const std::string term = text.substr(i, plus - i);
    char unit[4] = {};
    double x = 0;
    int used = 0;
    if (std::sscanf(term.c_str(), " %lf %3s %n", &x, unit, &used) != 2 || used != static_cast<int>(term.size()) ||
        !(x >= 0))
      return std::nullopt;
    const std::string u = unit;
    if ((u == "pi" || u == "pt") && timing.ping_interval_ms == 0) return std::nullopt;  // no handshake seen yet
    if (u == "pi") total += x * timing.ping_interval_ms;
    else if (u == "pt") total += x * timing.ping_timeout_ms;
    else if (u == "ms") total += x * timing.scale;
    else return std::nullopt;
    i = plus + 1;
  }
  return static_cast<std::uint64_t>(std::llround(total));
}

std::string printable(std::string_view bytes, std::size_t max) {
  std::string out;
  static const char* hex = "0123456789abcdef";
  for (unsigned char c : bytes.substr(0, max)) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else if (c == '\\') {
      out += "\\\\";
    } else {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  if (bytes.size() > max) out += "... (" + std::to_string(bytes.size()) + " bytes)";
  return out;
}

Packet packet_from(const json& value) {
  if (value.is_string()) return {false, value.get<std::string>()};
  try {
    const cli::Element e = cli::corpus_element(value);
    return {!e.is_text, e.bytes};
  } catch (const cli::BadRequest& e) {
    throw std::invalid_argument("a packet: " + e.what);
  }
}

std::string describe(const Packet& packet) {
  if (!packet.binary) return printable(packet.bytes);
  static const char* hex = "0123456789abcdef";
  std::string out = "<binary";
  for (std::size_t i = 0; i < packet.bytes.size() && i < 64; ++i) {
    const auto c = static_cast<unsigned char>(packet.bytes[i]);
    out += ' ';
    out += hex[c >> 4];
    out += hex[c & 15];
  }
  if (packet.bytes.size() > 64) out += " ... " + std::to_string(packet.bytes.size()) + " bytes";
  return out + ">";
}

std::string clip(const json& value, std::size_t max) {
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > max) text = text.substr(0, max) + "...";
  return text;
}

namespace {

// "$string as sid" -> ("$string", "sid").
std::pair<std::string, std::string> matcher_and_capture(const std::string& text) {
  const std::size_t as = text.find(" as ");
  if (as == std::string::npos) return {text, {}};
  return {text.substr(0, as), text.substr(as + 4)};
}

bool type_matches(const std::string& matcher, const json& v, bool& known) {
  known = true;
  if (matcher == "$any") return true;
  if (matcher == "$string") return v.is_string();
  if (matcher == "$number") return v.is_number();
  if (matcher == "$integer") return v.is_number_integer();
  if (matcher == "$boolean") return v.is_boolean();
  if (matcher == "$object") return v.is_object();
  if (matcher == "$array") return v.is_array();
  if (matcher == "$null") return v.is_null();
  known = false;
  return false;
}

}  // namespace

bool match_value(const json& pattern, const json& value, Vars& captures, std::string& why, const std::string& where) {
  if (pattern.is_string()) {
    const std::string& p = pattern.get_ref<const std::string&>();
    if (p.size() > 1 && p[0] == '$' && p[1] != '$') {
      const auto [matcher, capture] = matcher_and_capture(p);
      bool known = false;
      if (!type_matches(matcher, value, known)) {
        why = where + ": " +
              (known ? "expected " + matcher.substr(1) + ", got " + clip(value, 80) : "unknown matcher " + matcher);
        return false;
      }
      if (!capture.empty()) captures[capture] = value.is_string() ? value.get<std::string>() : value.dump();
      return true;
    }
    const std::string literal = p.size() > 1 && p[0] == '$' ? p.substr(1) : p;  // "$$x" is "$x"
    if (value.is_string() && value.get_ref<const std::string&>() == literal) return true;
    why = where + ": expected " + clip(json(literal), 80) + ", got " + clip(value, 80);
    return false;
  }
  if (pattern.is_object()) {
    if (!value.is_object()) {
      why = where + ": expected an object, got " + clip(value, 80);
      return false;
    }
    const bool more = pattern.value("$more", false);
    for (const auto& [key, sub] : pattern.items()) {
      if (key == "$more") continue;
      if (!value.contains(key)) {
        why = where + ": no key \"" + key + "\" in " + clip(value, 120);
        return false;
      }
      if (!match_value(sub, value[key], captures, why, where + "." + key)) return false;
    }
    if (!more)
      for (const auto& [key, sub] : value.items())
        if (!pattern.contains(key)) {
          why = where + ": unexpected key \"" + key + "\" in " + clip(value, 120);
          return false;
        }
    return true;
  }
  if (pattern.is_array()) {
    if (!value.is_array() || value.size() != pattern.size()) {
      why = where + ": expected an array of " + std::to_string(pattern.size()) + ", got " + clip(value, 120);
      return false;
    }
    for (std::size_t i = 0; i < pattern.size(); ++i)
      if (!match_value(pattern[i], value[i], captures, why, where + "[" + std::to_string(i) + "]")) return false;
    return true;
  }
  if (pattern == value) return true;
  why = where + ": expected " + clip(pattern, 80) + ", got " + clip(value, 80);
  return false;
}

namespace {

// A Socket.IO packet inside an Engine.IO message, read as the runner needs it for matching:
// 4<type>[<attachments>-][<nsp>,][<id>][<json>].
struct SioHeader {
  int type = -1;
  std::optional<std::uint64_t> attachments, id;
  std::string nsp = "/";
  std::string data;  // the JSON text, empty when none
};

std::optional<SioHeader> read_sio(std::string_view t) {
  if (t.size() < 2 || t[0] != '4' || t[1] < '0' || t[1] > '6') return std::nullopt;
  SioHeader h;
  h.type = t[1] - '0';
  std::size_t i = 2;
  auto digits = [&](std::size_t from) {
    std::size_t j = from;
    while (j < t.size() && j - from < 19 && t[j] >= '0' && t[j] <= '9') ++j;
    return j;
  };
  if (h.type == 5 || h.type == 6) {
    const std::size_t end = digits(i);
    if (end == i || end >= t.size() || t[end] != '-') return std::nullopt;
    h.attachments = std::stoull(std::string(t.substr(i, end - i)));
    i = end + 1;
  }
  if (i < t.size() && t[i] == '/') {
    const std::size_t comma = t.find(',', i);
    h.nsp = std::string(t.substr(i, comma == std::string_view::npos ? std::string_view::npos : comma - i));
    i = comma == std::string_view::npos ? t.size() : comma + 1;
  }
  if (const std::size_t end = digits(i); end > i) {
    h.id = std::stoull(std::string(t.substr(i, end - i)));
    i = end;
  }
  h.data = std::string(t.substr(i));
  return h;
}

}  // namespace

bool match_sio(const json& pattern, const Packet& packet, Vars& vars, std::string& why) {
  const std::string got = describe(packet);
  const auto h = read_sio(packet.bytes);
  if (!h) {
    why = "expected a Socket.IO packet, received " + got;
    return false;
  }
  Vars captures;
  const auto field = [&](const char* key, const json& value) {
    const json p = pattern.contains(key) ? pattern[key] : json(nullptr);
    std::string w;
    if (match_value(p, value, captures, w, key)) return true;
    why = "received " + got + ": " + w;
    return false;
  };
  const json data = h->data.empty() ? json(nullptr) : json::parse(h->data, nullptr, false);
  if (data.is_discarded()) {
    why = "received " + got + ": its payload is not JSON";
    return false;
  }
  if (!field("type", h->type) || !field("id", h->id ? json(*h->id) : json(nullptr)) ||
      !field("attachments", h->attachments ? json(*h->attachments) : json(nullptr)) ||
      !field("nsp", h->nsp == "/" && !pattern.contains("nsp") ? json(nullptr) : json(h->nsp)) ||
      (pattern.contains("data") && !field("data", data)))
    return false;
  for (auto& [k, v] : captures) vars[k] = v;
  return true;
}

bool match_packet(const json& pattern, const Packet& packet, Vars& vars, std::string& why) {
  const std::string got = describe(packet);
  if (pattern.is_string()) {
    if (!packet.binary && packet.bytes == pattern.get_ref<const std::string&>()) return true;
    why = "expected " + printable(pattern.get<std::string>(), 200) + ", received " + got;
    return false;
  }
  if (!pattern.is_object()) {
    why = "a packet pattern must be a string or an object: " + clip(pattern);
    return false;
  }
  if (pattern.contains("binary")) {
    std::string want;
    try {
      want = cli::corpus_element(pattern["binary"]).bytes;
    } catch (const cli::BadRequest& e) {
      why = "a binary pattern: " + e.what;
      return false;
    }
    if (packet.binary && packet.bytes == want) return true;
    why = "expected " + describe({true, want}) + ", received " + got;
    return false;
  }
  if (packet.binary) {
    why = "expected a text packet like " + clip(pattern, 200) + ", received " + got;
    return false;
  }
  if (pattern.contains("sio")) return match_sio(pattern["sio"], packet, vars, why);
  const std::string prefix = pattern.value("text", pattern.value("prefix", ""));
  if (packet.bytes.compare(0, prefix.size(), prefix) != 0) {
    why = "expected a packet starting " + printable(prefix, 100) + ", received " + got;
    return false;
  }
  if (!pattern.contains("json")) return true;
  const json value = json::parse(packet.bytes.substr(prefix.size()), nullptr, false);
  if (value.is_discarded()) {
    why = "expected " + printable(prefix, 100) + " and JSON, received " + got;
    return false;
  }
  Vars captures;
  if (!match_value(pattern["json"], value, captures, why, "$")) {
    why = "received " + got + ": " + why;
    return false;
  }
  for (auto& [k, v] : captures) vars[k] = v;
  return true;
}

}  // namespace sioconf::live
