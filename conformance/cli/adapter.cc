// The adapter protocol (conformance/PROTOCOL.md) answered by the reference implementation.
#include <iostream>
#include <string>

#include "cli.h"

#ifndef SIOCONF_VERSION
#define SIOCONF_VERSION "0.0.0"
#endif

namespace sioconf::cli {
namespace {

json hello() {
  json layers = json::array();
  for (const Layer* layer : all_layers()) layers.push_back(layer->name);
  json keys = json::array();
  for (std::string_view key : limit_keys()) keys.push_back(key);
  return {{"ok", true},    {"name", "sioconf"}, {"version", SIOCONF_VERSION},
          {"protocol", 1}, {"layers", layers},  {"limits", keys}};
}

json error_answer(const json& id, Errc e) {
  json answer = {{"id", id}, {"ok", false}, {"error", name(e)}, {"condition", name(condition(e))}};
  if (const std::uint16_t code = ws_close_code(e)) answer["close_code"] = code;
  return answer;
}

json bad_request(const json& id, const std::string& what) {
  return {{"id", id}, {"ok", false}, {"error", "bad_request"}, {"condition", "protocol"}, {"message", what}};
}

// An unknown limit key makes the case UNSUPPORTED, not an error (adapter protocol: limits).
const char* unknown_limit(const json& limits) {
  if (!limits.is_object()) return nullptr;
  static std::string missing;
  for (const auto& [key, value] : limits.items()) {
    if (!get_limit(Limits{}, key)) {
      missing = key;
      return missing.c_str();
    }
  }
  return nullptr;
}

json decode(const json& id, const Layer& layer, const json& request) {
  const json& input = request.at("input");
  if (!input.is_array()) throw BadRequest{"input must be an array of elements"};
  std::vector<Element> elements;
  for (const json& e : input) elements.push_back(element_from_json(e));
  const Limits limits = limits_from_json(request.value("limits", json()));
  json items = json::array();
  const DecodeResult result = decode_elements(layer, elements, limits, request.value("options", json()), items);
  if (result.error) {
    json answer = error_answer(id, *result.error);
    answer["items"] = std::move(items);
    answer["offset"] = result.offset;
    return answer;
  }
  return {{"id", id}, {"ok", true}, {"items", std::move(items)}};
}

json encode(const json& id, const Layer& layer, const json& request) {
  const json& items = request.at("items");
  if (!items.is_array()) throw BadRequest{"items must be an array"};
  const Limits limits = limits_from_json(request.value("limits", json()));
  std::vector<Element> output;
  if (const auto error = layer.encode(items, limits, request.value("options", json()), output))
    return error_answer(id, *error);
  json out = json::array();
  for (const Element& e : output) out.push_back(element_to_json(e));
  return {{"id", id}, {"ok", true}, {"output", std::move(out)}};
}

}  // namespace

json handle_request(const json& request) {
  const json id = request.is_object() ? request.value("id", json()) : json();
  try {
    if (!request.is_object() || !request.contains("op") || !request["op"].is_string())
      return bad_request(id, "a request is an object with a string \"op\"");
    const std::string op = request["op"].get<std::string>();
    if (op == "hello") return hello();
    if (op == "bye") return nullptr;
    if (op != "decode" && op != "encode") return {{"id", id}, {"unsupported", "op " + op}};
    const std::string layer_name = request.value("layer", "");
    const Layer* layer = find_layer(layer_name);
    if (!layer) return {{"id", id}, {"unsupported", "layer " + layer_name}};
    if (const char* key = unknown_limit(request.value("limits", json())))
      return {{"id", id}, {"unsupported", std::string("limit ") + key}};
    return op == "decode" ? decode(id, *layer, request) : encode(id, *layer, request);
  } catch (const BadRequest& e) {
    return bad_request(id, e.what);
  } catch (const json::exception& e) {
    return bad_request(id, e.what());
  }
}

int run_adapter(std::istream& in, std::ostream& out) {
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    json request = json::parse(line, nullptr, false);
    if (request.is_discarded()) {
      out << bad_request(nullptr, "request line is not JSON").dump() << '\n' << std::flush;
      continue;
    }
    json answer = handle_request(request);
    if (answer.is_null()) return 0;  // bye
    // Invalid UTF-8 in a decoded item is replaced, never thrown: the answer line must go out.
    out << answer.dump(-1, ' ', false, json::error_handler_t::replace) << '\n' << std::flush;
  }
  return 0;
}

}  // namespace sioconf::cli
