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

// What a decode answer says happened, read the same whichever way the adapter chose to say that
// the input ended early: `"pending": true` beside the items, or the older error `truncated`
// (conformance/PROTOCOL.md, "When the input ends early").
enum class Outcome { accepted, pending, rejected };

Outcome outcome_of(const json& answer) {
  if (answer.value("ok", false)) return answer.value("pending", false) == true ? Outcome::pending : Outcome::accepted;
  return answer.value("error", json()) == "truncated" ? Outcome::pending : Outcome::rejected;
}

Outcome expected_outcome(const json& expect) {
  if (expect.contains("reject")) return Outcome::rejected;
  return expect.value("pending", false) == true ? Outcome::pending : Outcome::accepted;
}

// Are the items the answer delivered among those the vector lets through: the first
// `allowed.size()` at most, in order? Anything past them reached the application although the
// vector says it must not.
bool only_allowed(const json& delivered, const json& allowed) {
  if (!delivered.is_array() || delivered.size() > allowed.size()) return false;
  for (std::size_t i = 0; i < delivered.size(); ++i)
    if (delivered[i] != allowed[i]) return false;
  return true;
}

std::string rejection_of(const json& answer) {
  return clipped(answer.value("error", json())) + " (" + clipped(answer.value("condition", json())) + ")" +
         (answer.contains("message") ? " " + clipped(answer["message"]) : std::string());
}

// A rejection where the vector expects one, for decode and encode alike: the same condition, and
// with --strict the same error name. Its `why` is empty when both hold.
Judgement judge_rejection_reason(const std::string& level, const json& expect, const json& answer, bool strict) {
  if (answer.value("condition", json()) != expect["reject"])
    return at_level(level, Distance::minor,
                    "rejected as expected, but with condition " + clipped(answer.value("condition", json())) +
                        " instead of " + clipped(expect["reject"]));
  if (strict && expect.contains("errc") && answer.value("error", json()) != expect["errc"])
    return at_level(level, Distance::minor,
                    "error " + clipped(answer.value("error", json())) + " instead of " + clipped(expect["errc"]));
  return at_level(level, Distance::same, {});
}

constexpr const char* kStillWaiting = "the decoder still waits for more input (pending)";

Judgement judge_decode(const std::string& level, const json& expect, const json& answer, bool strict) {
  const Outcome want = expected_outcome(expect), got = outcome_of(answer);
  const json allowed = expect.value("items", json::array());
  const json delivered = answer.value("items", json::array());
  if (want != Outcome::accepted && !only_allowed(delivered, allowed))
    return at_level(level, Distance::major,
                    "delivered items the vector does not let through: " + clipped(delivered) + "; at most " +
                        clipped(allowed) + (want == Outcome::rejected ? " may come before the error" : ""));
  switch (want) {
    case Outcome::rejected: {
      const std::string expected = "expected a rejection (" + clipped(expect["reject"]) + "), ";
      if (got == Outcome::accepted) return at_level(level, Distance::major, expected + "got an acceptance");
      if (got == Outcome::pending) return at_level(level, Distance::major, expected + "but " + kStillWaiting);
      if (Judgement reason = judge_rejection_reason(level, expect, answer, strict); !reason.why.empty()) return reason;
      if (strict) {
        if (expect.contains("offset") && answer.contains("offset") && answer["offset"] != expect["offset"])
          return at_level(level, Distance::minor,
                          "error offset " + clipped(answer["offset"]) + " instead of " + clipped(expect["offset"]));
        if (delivered != allowed)
          return at_level(level, Distance::minor,
                          "items before the error " + clipped(delivered) + " instead of " + clipped(allowed));
      }
      return at_level(level, Distance::same, {});
    }
    case Outcome::pending:
      if (got == Outcome::rejected)
        return at_level(level, Distance::minor,
                        "the input ends inside an item (expected pending), rejected instead: " + rejection_of(answer));
      if (delivered != allowed)
        return at_level(level, Distance::major,
                        "other items: expected " + clipped(allowed) + ", got " + clipped(delivered));
      if (got == Outcome::accepted)
        return at_level(level, Distance::minor,
                        "the input ends inside an item; the answer does not say so (expected \"pending\": true)");
      return at_level(level, Distance::same, {});
    case Outcome::accepted:
      if (got == Outcome::rejected)
        return at_level(level, Distance::major, "expected an acceptance, got a rejection: " + rejection_of(answer));
      if (!expect.contains("items")) return {Verdict::error, "the vector's expect has no items"};
      if (delivered != allowed)
        return at_level(level, Distance::major,
                        "other items: expected " + clipped(allowed) + ", got " + clipped(delivered));
      if (got == Outcome::pending)
        return at_level(level, Distance::major, std::string("the whole input was given, but ") + kStillWaiting);
      return at_level(level, Distance::same, {});
  }
  return {Verdict::error, "unreachable"};
}

Judgement judge_encode(const std::string& level, const json& expect, const json& answer, bool strict) {
  const bool accepted = answer.value("ok", false);
  if (expect.contains("reject")) {
    if (accepted)
      return at_level(level, Distance::major,
                      "expected a rejection (" + clipped(expect["reject"]) + "), got an acceptance");
    return judge_rejection_reason(level, expect, answer, strict);
  }
  if (!accepted)
    return at_level(level, Distance::major, "expected an acceptance, got a rejection: " + rejection_of(answer));
  if (!expect.contains("output")) return {Verdict::error, "the vector's expect has no output"};
  if (answer["output"] != expect["output"])
    return at_level(level, Distance::major,
                    "other output: expected " + clipped(expect["output"]) + ", got " + clipped(answer["output"]));
  return at_level(level, Distance::same, {});
}

}  // namespace

Judgement judge_difference(const std::string& level, std::string why) {
  return at_level(level, Distance::major, std::move(why));
}

Judgement worse(Judgement a, Judgement b) {
  auto rank = [](Verdict v) {
    switch (v) {
      case Verdict::error: return 5;
      case Verdict::fail: return 4;
      case Verdict::unsupported: return 3;
      case Verdict::non_strict: return 2;
      case Verdict::info: return 1;
      case Verdict::pass: return 0;
    }
    return 0;
  };
  if (rank(b.verdict) > rank(a.verdict) || (rank(b.verdict) == rank(a.verdict) && a.why.empty())) return b;
  return a;
}

std::string malformed_answer(const json& answer, bool encode) {
  if (!answer.is_object()) return "the answer is not an object";
  if (answer.contains("unsupported"))
    return answer["unsupported"].is_string() ? "" : "\"unsupported\" must be a string";
  if (!answer.contains("ok") || !answer["ok"].is_boolean()) return "the answer has no boolean \"ok\"";
  if (answer.contains("pending") && !answer["pending"].is_boolean()) return "\"pending\" must be true or false";
  if (answer.contains("items") && !answer["items"].is_array()) return "\"items\" must be an array";
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
  return encode ? judge_encode(level, expect, answer, strict) : judge_decode(level, expect, answer, strict);
}

}  // namespace sioconf::cli
