// The verdict rules of conformance/PROTOCOL.md: how far an answer is from a vector's `expect`,
// and what that distance means at the vector's level.
#include <string>

#include "runner.h"

namespace sioconf::cli {

const char* verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::pass: return "PASS";
    case Verdict::fail: return "FAIL";
    case Verdict::non_strict: return "NON-STRICT";
    case Verdict::info: return "INFO";
    case Verdict::unsupported: return "UNSUPPORTED";
    case Verdict::error: return "ERROR";
  }
  return "?";
}

bool fails_run(const Result& result, bool strict) {
  if (result.known) return false;
  return result.verdict == Verdict::fail || result.verdict == Verdict::error ||
         (strict && result.verdict == Verdict::non_strict);
}

std::string clipped(const json& j, std::size_t max) {
  std::string s = j.dump(-1, ' ', false, json::error_handler_t::replace);
  if (s.size() > max) s = s.substr(0, max) + "...(" + std::to_string(s.size()) + " chars)";
  return s;
}

namespace {

// How far an answer is from what was expected.
enum class Distance { same, minor, major };

Judgement at_level(const std::string& level, Distance distance, std::string why) {
  if (level == "may") return {Verdict::info, std::move(why)};
  if (distance == Distance::same) return {Verdict::pass, {}};
  if (distance == Distance::minor || level == "should") return {Verdict::non_strict, std::move(why)};
  return {Verdict::fail, std::move(why)};
}

}  // namespace

Judgement judge_difference(const std::string& level, std::string why) {
  return at_level(level, Distance::major, std::move(why));
}

std::string malformed_answer(const json& answer, bool encode) {
  if (!answer.is_object()) return "the answer is not an object";
  if (answer.contains("unsupported"))
    return answer["unsupported"].is_string() ? "" : "\"unsupported\" must be a string";
  if (!answer.contains("ok") || !answer["ok"].is_boolean()) return "the answer has no boolean \"ok\"";
  if (answer["ok"].get<bool>()) {
    const char* field = encode ? "output" : "items";
    if (!answer.contains(field) || !answer[field].is_array())
      return std::string("an accepting answer needs an array \"") + field + "\"";
    return "";
  }
  static const char* const kConditions[] = {"protocol", "limit", "state", "io"};
  const json condition = answer.value("condition", json());
  for (const char* c : kConditions)
    if (condition == c) return "";
  return "a rejecting answer needs \"condition\": protocol, limit, state or io (got " + clipped(condition) + ")";
}

Judgement judge(const std::string& level, const json& expect, const json& answer, bool encode, bool strict) {
  if (answer.contains("unsupported")) return {Verdict::unsupported, "adapter: " + clipped(answer["unsupported"])};
  const bool accepted = answer.value("ok", false);
  if (expect.contains("reject")) {
    if (accepted)
      return at_level(level, Distance::major,
                      "expected a rejection (" + clipped(expect["reject"]) + "), got an acceptance");
    if (answer.value("condition", json()) != expect["reject"])
      return at_level(level, Distance::minor,
                      "rejected as expected, but with condition " + clipped(answer.value("condition", json())) +
                          " instead of " + clipped(expect["reject"]));
    if (strict) {
      if (expect.contains("errc") && answer.value("error", json()) != expect["errc"])
        return at_level(level, Distance::minor,
                        "error " + clipped(answer.value("error", json())) + " instead of " + clipped(expect["errc"]));
      if (expect.contains("offset") && answer.contains("offset") && answer["offset"] != expect["offset"])
        return at_level(level, Distance::minor,
                        "error offset " + clipped(answer["offset"]) + " instead of " + clipped(expect["offset"]));
      if (expect.contains("items") && answer.value("items", json::array()) != expect["items"])
        return at_level(level, Distance::minor,
                        "items before the error " + clipped(answer.value("items", json::array())) + " instead of " +
                            clipped(expect["items"]));
    }
    return at_level(level, Distance::same, {});
  }
  if (!accepted)
    return at_level(level, Distance::major,
                    "expected an acceptance, got a rejection: " + clipped(answer.value("error", json())) + " (" +
                        clipped(answer.value("condition", json())) + ")" +
                        (answer.contains("message") ? " " + clipped(answer["message"]) : std::string()));
  const char* field = encode ? "output" : "items";
  if (!expect.contains(field)) return {Verdict::error, std::string("the vector's expect has no ") + field};
  if (answer[field] != expect[field])
    return at_level(
        level, Distance::major,
        std::string("other ") + field + ": expected " + clipped(expect[field]) + ", got " + clipped(answer[field]));
  return at_level(level, Distance::same, {});
}

}  // namespace sioconf::cli
