#include "trust/verdict.h"

#include <algorithm>
#include <array>
#include <utility>

#include <boost/json.hpp>

#include "common/clock.h"

namespace bulwark::trust {
namespace {

struct ReasonName {
  Reason reason;
  std::string_view name;
};

constexpr std::array<ReasonName, 25> kReasonNames = {{
    {Reason::kNone, "verified"},
    {Reason::kMalformed, "malformed"},
    {Reason::kNoSignature, "no_signature"},
    {Reason::kBadSignature, "bad_signature"},
    {Reason::kWrongKey, "wrong_key"},
    {Reason::kTamperedPayload, "tampered_payload"},
    {Reason::kDigestMismatch, "digest_mismatch"},
    {Reason::kUntrustedChain, "untrusted_chain"},
    {Reason::kCertificateExpired, "certificate_expired"},
    {Reason::kIdentityMismatch, "identity_mismatch"},
    {Reason::kIssuerMismatch, "issuer_mismatch"},
    {Reason::kMissingSct, "missing_sct"},
    {Reason::kBadSct, "bad_sct"},
    {Reason::kMissingTlogEntry, "missing_tlog_entry"},
    {Reason::kUnknownLog, "unknown_log"},
    {Reason::kBadSignedEntryTimestamp, "bad_signed_entry_timestamp"},
    {Reason::kBadInclusionProof, "bad_inclusion_proof"},
    {Reason::kBadCheckpoint, "bad_checkpoint"},
    {Reason::kTlogBodyMismatch, "tlog_body_mismatch"},
    {Reason::kBadTimestamp, "bad_timestamp"},
    {Reason::kExpiredWithoutTimestamp, "expired_without_timestamp"},
    {Reason::kSignatureExpired, "signature_expired"},
    {Reason::kWrongPredicateType, "wrong_predicate_type"},
    {Reason::kPolicyNotMet, "policy_not_met"},
    {Reason::kUnsupported, "unsupported"},
}};

}  // namespace

std::string_view reason_name(Reason reason) {
  for (const ReasonName& r : kReasonNames) {
    if (r.reason == reason) return r.name;
  }
  return "unknown";
}

void Verdict::pass(std::string name, std::string detail) {
  checks.push_back(Check{std::move(name), true, std::move(detail)});
}

Verdict& Verdict::fail(Reason why, std::string name, std::string detail) {
  const bool first = checks.end() == std::find_if(checks.begin(), checks.end(),
                                                  [](const Check& c) { return !c.passed; });
  if (first) {
    reason = why;
    message = name + ": " + detail;
  }
  checks.push_back(Check{std::move(name), false, std::move(detail)});
  return *this;
}

boost::json::object verdict_to_json(const Verdict& verdict) {
  boost::json::object out{{"verified", verdict.verified()},
                          {"reason", reason_name(verdict.reason)},
                          {"message", verdict.message}};
  if (!verdict.signer.empty()) out["signer"] = verdict.signer;
  if (!verdict.issuer.empty()) out["issuer"] = verdict.issuer;
  if (verdict.signed_at) {
    out["signedAt"] = rfc3339_utc(*verdict.signed_at);
  }
  boost::json::array checks;
  for (const Check& c : verdict.checks) {
    checks.push_back(boost::json::object{{"name", c.name}, {"passed", c.passed}, {"detail", c.detail}});
  }
  out["checks"] = std::move(checks);
  return out;
}

}  // namespace bulwark::trust
