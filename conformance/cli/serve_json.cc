// The JSON that `sioconf serve`'s handlers read (serve.h), apart from serve.cc.
#include <nlohmann/json.hpp>

#include "serve.h"

namespace sioconf::cli {

std::optional<std::pair<std::string, std::string>> room_and_rest(std::string_view args_json) {
  const nlohmann::json args = nlohmann::json::parse(args_json, nullptr, false);
  if (!args.is_array() || args.empty() || !args[0].is_string()) return std::nullopt;
  return std::pair{args[0].get<std::string>(), nlohmann::json(args.begin() + 1, args.end()).dump()};
}

bool auth_has_token(std::string_view auth_json, std::string_view token) {
  const nlohmann::json auth = nlohmann::json::parse(auth_json, nullptr, false);
  // value() would throw on a token that is no string: the client chooses its type.
  const auto it = auth.is_object() ? auth.find("token") : auth.end();
  return it != auth.end() && it->is_string() && it->get_ref<const std::string&>() == token;
}

}  // namespace sioconf::cli
