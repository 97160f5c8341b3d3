#include <cctype>

#include "cli.h"
#include "sioconf/base64.h"

namespace sioconf::cli {

json binary_json(const std::uint8_t* data, std::size_t size) {
  return json{{"$binary", base64_encode(ByteView(data, size))}};
}

bool is_binary_json(const json& value) {
  return value.is_object() && value.size() == 1 && value.contains("$binary") && value["$binary"].is_string();
}

std::vector<std::uint8_t> binary_from_json(const json& value) {
  if (!is_binary_json(value)) throw BadRequest{"expected {\"$binary\": <base64>}"};
  std::vector<std::uint8_t> out;
  if (!base64_decode(value["$binary"].get<std::string>(), out)) throw BadRequest{"$binary is not strict base64"};
  return out;
}

namespace {

std::string bytes_from_hex(const std::string& hex) {
  std::string out;
  int high = -1;
  for (char c : hex) {
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) throw BadRequest{"hex: bad digit"};
    const int v = std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (std::tolower(c) - 'a' + 10);
    if (high < 0) {
      high = v;
    } else {
      out += static_cast<char>(high * 16 + v);
      high = -1;
    }
  }
  if (high >= 0) throw BadRequest{"hex: odd number of digits"};
  return out;
}

}  // namespace

Element element_from_json(const json& value) {
  if (!value.is_object() || value.size() != 1) throw BadRequest{"element must be {\"text\"|\"base64\"|\"hex\": ...}"};
  if (value.contains("text") && value["text"].is_string()) return {true, value["text"].get<std::string>()};
  if (value.contains("hex") && value["hex"].is_string())
    return {false, bytes_from_hex(value["hex"].get<std::string>())};
  if (value.contains("base64") && value["base64"].is_string()) {
    std::vector<std::uint8_t> bytes;
    if (!base64_decode(value["base64"].get<std::string>(), bytes))
      throw BadRequest{"base64 element is not strict base64"};
    return {false, std::string(bytes.begin(), bytes.end())};
  }
  throw BadRequest{"element must be {\"text\"|\"base64\"|\"hex\": <string>}"};
}

json element_to_json(const Element& element) {
  if (element.is_text) return json{{"text", element.bytes}};
  return json{{"base64", base64_encode(as_bytes(element.bytes))}};
}

Limits limits_from_json(const json& overrides) {
  Limits limits;
  if (overrides.is_null()) return limits;
  if (!overrides.is_object()) throw BadRequest{"limits must be an object"};
  for (const auto& [key, value] : overrides.items()) {
    if (!value.is_number_unsigned()) throw BadRequest{"limit " + key + " must be a non-negative integer"};
    if (!set_limit(limits, key, value.get<std::uint64_t>())) throw BadRequest{"unknown or out-of-range limit " + key};
  }
  return limits;
}

const std::vector<const Layer*>& all_layers() {
  static const std::vector<const Layer*> layers = {&kSioLayer, &kEioLayer, &kEioPayloadLayer, &kWsLayer, &kNdjsonLayer};
  return layers;
}

const Layer* find_layer(const std::string& name) {
  for (const Layer* layer : all_layers())
    if (name == layer->name) return layer;
  return nullptr;
}

}  // namespace sioconf::cli
