// The verdict rules (verdict.cc) answer by answer: a verdict must not depend on how an adapter
// chose to say what its implementation did. Each rule is shown catching the answer it exists for.
#include <gtest/gtest.h>

#include "runner.h"

namespace sioconf::cli {
namespace {

const json kEventA = {{"type", 5}, {"nsp", "/"}, {"data", {"a"}}};
const json kEventB = {{"type", 2}, {"nsp", "/"}, {"data", {"b"}}};

json reject(const char* condition, json items = json::array()) {
  json expect = {{"reject", condition}, {"errc", "sio_bad_attachments"}};
  if (!items.empty()) expect["items"] = std::move(items);
  return expect;
}
json accept(json items) { return {{"items", std::move(items)}}; }
json pending(json items) { return {{"pending", true}, {"items", std::move(items)}}; }

json ok(json items) { return {{"id", "x"}, {"ok", true}, {"items", std::move(items)}}; }
json ok_pending(json items) {
  json a = ok(std::move(items));
  a["pending"] = true;
  return a;
}
json error(const char* name, const char* condition, json items = json::array()) {
  return {{"id", "x"}, {"ok", false}, {"error", name}, {"condition", condition}, {"items", std::move(items)}};
}

std::string verdict(const json& expect, const json& answer, const char* level = "must", bool strict = false) {
  return verdict_name(judge(level, expect, answer, false, strict).verdict);
}

TEST(Verdict, AnItemDeliveredThatMustBeRejectedFailsWhateverComesAfterIt) {
  // socket.io-parser 4.2.6 on 50-["a"]: the packet reaches the application, then the decoder
  // is stuck. However the adapter reports the end, the delivered packet decides.
  EXPECT_EQ(verdict(reject("protocol"), error("sio_bad_attachments", "protocol", json::array({kEventA}))), "FAIL");
  EXPECT_EQ(verdict(reject("protocol"), error("unknown", "state", json::array({kEventA}))), "FAIL");
  EXPECT_EQ(verdict(reject("protocol"), ok_pending(json::array({kEventA}))), "FAIL");
  EXPECT_EQ(verdict(reject("protocol"), error("truncated", "protocol", json::array({kEventA}))), "FAIL");
  EXPECT_NE(judge("must", reject("protocol"), ok_pending(json::array({kEventA})), false, false)
                .why.find("does not let through"),
            std::string::npos);
  // At a should vector the same answer is NON-STRICT; at a may vector INFO.
  EXPECT_EQ(verdict(reject("protocol"), error("x", "protocol", json::array({kEventA})), "should"), "NON-STRICT");
  EXPECT_EQ(verdict(reject("protocol"), error("x", "protocol", json::array({kEventA})), "may"), "INFO");
  // Items the vector lets through before the error are fine, and fewer of them is not a FAIL.
  EXPECT_EQ(verdict(reject("state", json::array({kEventB})), error("x", "state", json::array({kEventB}))), "PASS");
  EXPECT_EQ(verdict(reject("state", json::array({kEventB})), error("x", "state")), "PASS");
  EXPECT_EQ(verdict(reject("state", json::array({kEventB})), error("x", "state"), "must", true), "NON-STRICT");
  EXPECT_EQ(verdict(reject("state", json::array({kEventB})), error("x", "state", json::array({kEventA}))), "FAIL");
}

TEST(Verdict, WaitingForMoreIsNotARejection) {
  // socket.io-parser 4.2.5 on 51000000-["a"]: no limit, so it waits for a million attachments.
  // Said as pending, or as the error "truncated" the older adapters wrote: FAIL either way.
  EXPECT_EQ(verdict(reject("limit"), ok_pending(json::array())), "FAIL");
  EXPECT_EQ(verdict(reject("limit"), error("truncated", "protocol")), "FAIL");
  EXPECT_EQ(verdict(reject("limit"), error("truncated", "limit")), "FAIL");
  EXPECT_NE(judge("must", reject("limit"), ok_pending(json::array()), false, false).why.find("still waits"),
            std::string::npos);
  EXPECT_EQ(verdict(reject("limit"), ok(json::array())), "FAIL");
  // A real rejection for another reason stays NON-STRICT.
  EXPECT_EQ(verdict(reject("limit"), error("unknown", "protocol")), "NON-STRICT");
  EXPECT_EQ(verdict(reject("limit"), error("limit_attachments", "limit")), "PASS");
}

TEST(Verdict, InputThatEndsEarlyIsPendingSaidEitherWay) {
  EXPECT_EQ(verdict(pending(json::array({kEventB})), ok_pending(json::array({kEventB}))), "PASS");
  EXPECT_EQ(verdict(pending(json::array({kEventB})), error("truncated", "protocol", json::array({kEventB}))), "PASS");
  // Not saying so is NON-STRICT (nothing wrong was delivered); other items are a FAIL.
  EXPECT_EQ(verdict(pending(json::array({kEventB})), ok(json::array({kEventB}))), "NON-STRICT");
  EXPECT_EQ(verdict(pending(json::array({kEventB})), ok_pending(json::array())), "FAIL");
  EXPECT_EQ(verdict(pending(json::array()), ok_pending(json::array({kEventA}))), "FAIL");
  EXPECT_EQ(verdict(pending(json::array()), error("unknown", "protocol")), "NON-STRICT");
  EXPECT_EQ(verdict(pending(json::array()), error("unknown", "protocol", json::array({kEventA}))), "FAIL");
}

TEST(Verdict, AcceptedInputMustNotLeaveTheDecoderWaiting) {
  EXPECT_EQ(verdict(accept(json::array({kEventB})), ok(json::array({kEventB}))), "PASS");
  EXPECT_EQ(verdict(accept(json::array({kEventB})), ok_pending(json::array({kEventB}))), "FAIL");
  EXPECT_EQ(verdict(accept(json::array({kEventB})), error("truncated", "protocol", json::array({kEventB}))), "FAIL");
  EXPECT_EQ(verdict(accept(json::array({kEventB})), ok(json::array())), "FAIL");
  EXPECT_EQ(verdict(accept(json::array({kEventB})), error("x", "protocol")), "FAIL");
}

TEST(Verdict, WorseKeepsTheGraverJudgementAndItsReason) {
  const Judgement pass{Verdict::pass, {}}, non_strict{Verdict::non_strict, "n"}, fail{Verdict::fail, "f"};
  EXPECT_EQ(worse(pass, fail).why, "f");
  EXPECT_EQ(worse(fail, non_strict).why, "f");
  EXPECT_EQ(worse(non_strict, pass).why, "n");
  EXPECT_EQ(worse({Verdict::info, ""}, {Verdict::info, "i"}).why, "i");
}

TEST(Verdict, PendingMustBeABoolean) {
  json a = ok(json::array());
  a["pending"] = "yes";
  EXPECT_NE(malformed_answer(a, false), "");
  a["pending"] = false;
  EXPECT_EQ(malformed_answer(a, false), "");
}

}  // namespace
}  // namespace sioconf::cli
