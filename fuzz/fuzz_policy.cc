// libFuzzer target: the enforcement parsers on arbitrary bytes. The first byte picks the case:
//   - a policy document (policy::parse_policy); an accepted one is evaluated against fixed facts
//     (pending and known, production and not) and the decision serialised, checking what the
//     gate relies on: the outcome is the most severe rule's, and a blocked decision has reasons;
//   - an AdmissionReview (admission::parse_admission_review); an accepted one's images have JSON
//     pointers into the object, and a JSONPatch of them and the response serialise to JSON that
//     parses back.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "admission/review.h"
#include "invariant.h"
#include "policy/document.h"
#include "policy/evaluate.h"

namespace {

using namespace bulwark;
using fuzz::check;

policy::ImageFacts facts(bool known) {
  policy::ImageFacts f;
  f.repository = "prod/app";
  f.digest = "sha256:" + std::string(64, 'a');
  f.scanned = known;
  f.provenance.known = known;
  f.findings.push_back({"CVE-2024-1", {"GHSA-x"}, "openssl", policy::Severity::kCritical, true, true,
                        0.9, 1000});
  f.findings.push_back({"CVE-2024-2", {}, "zlib", policy::Severity::kLow, false, false, {}, 2000});
  f.provenance.signatures.push_back({"cosign", "sha256:" + std::string(64, 'b'), "", ""});
  f.layers = {"sha256:" + std::string(64, 'c')};
  f.labels["org.opencontainers.image.source"] = "https://example.com/app";
  return f;
}

void policy_case(std::string_view text) {
  auto doc = policy::parse_policy(text);
  if (!doc) {
    check(!doc.error().message.empty(), "a refused policy says why");
    return;
  }
  for (bool known : {true, false}) {
    const policy::ImageFacts f = facts(known);
    for (bool production : {false, true}) {
      const policy::ImageDecision d = policy::evaluate_image(*doc, f, {production, 5000});
      policy::Outcome worst = policy::Outcome::kAllow;
      for (const auto& rule : d.rules) worst = std::max(worst, rule.outcome);
      check(d.outcome == worst, "the outcome is the most severe rule's");
      check(d.outcome != policy::Outcome::kBlock || !d.reasons.empty(), "a block has reasons");
      check(!known || !d.pending, "known facts are not pending");
      boost::system::error_code ec;
      boost::json::parse(boost::json::serialize(policy::decision_to_json(d)), ec);
      check(!ec, "the decision serialises to JSON");
    }
  }
}

void admission_case(std::string_view text) {
  auto review = admission::parse_admission_review(text);
  if (!review) {
    check(!review.error().message.empty(), "a refused review says why");
    return;
  }
  std::vector<admission::PatchOp> ops;
  for (const auto& image : review->images) {
    check(image.pointer.starts_with("/"), "image pointers are absolute");
    check(image.pointer.ends_with("/image"), "image pointers name the image field");
    ops.push_back({image.pointer, image.image + "@sha256:" + std::string(64, 'd')});
  }
  admission::AdmissionResponse response;
  response.uid = review->uid;
  response.allowed = review->images.empty();
  response.message = "fuzz";
  response.patch = ops;
  boost::system::error_code ec;
  boost::json::parse(admission::json_patch(ops), ec);
  check(!ec, "the JSONPatch is JSON");
  boost::json::parse(admission::admission_response_json(response), ec);
  check(!ec, "the response is JSON");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    policy_case(text);
  } else {
    admission_case(text);
  }
  return 0;
}
