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

std::vector<Element> elements_of(const json& request, const char* field) {
  const json& input = request.at(field);
  if (!input.is_array()) throw BadRequest{std::string(field) + " must be an array of elements"};
  std::vector<Element> elements;
  for (const json& e : input) elements.push_back(element_from_json(e));
  return elements;
}

// A decode's answer: the items, and how it ended. Input that ended inside an item is "pending"
// (the decoder would wait for more), not an error.
json decode_answer(const json& id, const DecodeResult& result, json&& items) {
  json answer;
  if (!result.error) {
    answer = {{"id", id}, {"ok", true}, {"items", std::move(items)}};
  } else if (*result.error == Errc::truncated) {
    answer = {{"id", id}, {"ok", true}, {"items", std::move(items)}, {"pending", true}};
  } else {
    answer = error_answer(id, *result.error);
    answer["items"] = std::move(items);
    answer["offset"] = result.offset;
  }
  if (id.is_null()) answer.erase("id");
  return answer;
}

json decode(const json& id, const Layer& layer, const json& request) {
  const std::vector<Element> input = elements_of(request, "input");
  const Limits limits = limits_from_json(request.value("limits", json()));
  const json options = request.value("options", json());
  json items = json::array();
  if (!request.contains("next"))
    return decode_answer(id, decode_elements(layer, input, limits, options, items), std::move(items));
  if (layer.byte_stream)
    throw BadRequest{"a follow-up (next) is for message layers; a byte stream goes on in its input"};
  json next_items = json::array();
  const FollowedDecode result =
      decode_followed(layer, input, elements_of(request, "next"), limits, options, items, next_items);
  json answer = decode_answer(id, result.input, std::move(items));
  answer["next"] = decode_answer(nullptr, result.next, std::move(next_items));
  return answer;
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
