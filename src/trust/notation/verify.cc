#include "trust/notation/verify.h"

#include <algorithm>
#include <ctime>
#include <span>
#include <utility>

#include "common/clock.h"
#include "common/strict_json.h"
#include "trust/rfc3161.h"

namespace bulwark::trust::notation {
namespace {

// Applies the policy's action for `check` to a check's outcome and records it in the verdict.
class Recorder {
 public:
  Recorder(NotationVerification& out, const TrustPolicy& policy) : out_(out), policy_(policy) {}

  bool skipped(ValidationCheck check, std::string name) {
    if (policy_.action(check) != CheckAction::kSkip) return false;
    out_.verdict.pass(std::move(name), "skipped (" + level() + ")");
    return true;
  }
  void pass(std::string name, std::string detail) {
    out_.verdict.pass(std::move(name), std::move(detail));
  }
  void failed(ValidationCheck check, Reason why, std::string name, std::string detail) {
    if (policy_.action(check) == CheckAction::kEnforce) {
      out_.verdict.fail(why, std::move(name), std::move(detail));
      return;
    }
    ++out_.logged_failures;
    out_.verdict.pass(std::move(name), "not enforced (" + level() + ", logged): " +
                                           std::string(reason_name(why)) + ": " + detail);
  }

 private:
  std::string level() const {
    std::string s(level_name(policy_.level));
    if (policy_.actions != level_actions(policy_.level)) s += " with overrides";
    return s;
  }
  NotationVerification& out_;
  const TrustPolicy& policy_;
};

// The first chain certificate not valid at `t`, or nullptr.
const Certificate* invalid_at(const std::vector<Certificate>& chain, int64_t t) {
  for (const Certificate& c : chain) {
    if (!c.valid_at(t)) return &c;
  }
  return nullptr;
}

void check_authenticity(const NotationSignature& sig, const TrustPolicy& policy,
                        const TrustStore& store, Recorder& rec, NotationVerification& out) {
  if (rec.skipped(ValidationCheck::kAuthenticity, "authenticity: trust store")) return;
  // notary.x509 signatures chain to "ca" stores, signingAuthority ones to "signingAuthority".
  const StoreType wanted =
      sig.scheme == SigningScheme::kX509 ? StoreType::kCa : StoreType::kSigningAuthority;
  std::vector<Certificate> roots;
  std::string store_errors;
  for (const TrustStoreRef& ref : policy.trust_stores) {
    if (ref.type != wanted) continue;
    auto certs = store.certificates(ref.type, ref.name);
    if (!certs) {
      store_errors += (store_errors.empty() ? "" : "; ") + certs.error().message;
      continue;
    }
    roots.insert(roots.end(), certs->begin(), certs->end());
  }
  const Certificate& leaf = sig.chain.front();
  if (roots.empty()) {
    rec.failed(ValidationCheck::kAuthenticity, Reason::kUntrustedChain, "authenticity: trust store",
               "policy " + quote_untrusted(policy.name) + " has no usable " +
                   std::string(store_type_name(wanted)) + " trust store" +
                   (store_errors.empty() ? "" : ": " + store_errors));
  } else if (const Certificate* bad = invalid_at(sig.chain, sig.signing_time)) {
    rec.failed(ValidationCheck::kAuthenticity, Reason::kCertificateExpired,
               "authenticity: trust store",
               "certificate " + quote_untrusted(bad->subject()) +
                   " was not valid at the signing time " + rfc3339_utc(sig.signing_time));
  } else {
    ChainOptions options;
    options.at = sig.signing_time;
    options.require_code_signing = true;
    auto chain = verify_chain(leaf, std::span(sig.chain).subspan(1), roots, options);
    if (!chain) {
      rec.failed(
          ValidationCheck::kAuthenticity, Reason::kUntrustedChain, "authenticity: trust store",
          "certificate chain does not lead to the policy's trust stores: " + chain.error().message);
    } else {
      out.verdict.issuer = chain->back().subject();
      rec.pass("authenticity: trust store",
               "chains to " + out.verdict.issuer + " at " + rfc3339_utc(sig.signing_time));
    }
  }

  if (policy.any_identity) {
    rec.pass("authenticity: trusted identity", "any identity (\"*\")");
    return;
  }
  auto subject = parse_distinguished_name(leaf.subject());
  bool matched = false;
  if (subject) {
    for (const DistinguishedName& trusted : policy.trusted_subjects) {
      matched = matched || dn_matches(trusted, *subject);
    }
  }
  if (matched) {
    rec.pass("authenticity: trusted identity", "x509.subject " + leaf.subject());
  } else {
    rec.failed(ValidationCheck::kAuthenticity, Reason::kIdentityMismatch,
               "authenticity: trusted identity",
               "signer " + leaf.subject() + " is not a trusted identity of policy " +
                   quote_untrusted(policy.name));
  }
}

// The policy's "tsa" trust stores as RFC 3161 authorities (one per certificate, no validity
// window beyond the certificates' own). Store errors are appended to `errors`.
std::vector<CertificateAuthority> tsa_authorities(const TrustPolicy& policy,
                                                  const TrustStore& store, std::string& errors) {
  std::vector<CertificateAuthority> out;
  for (const TrustStoreRef& ref : policy.trust_stores) {
    if (ref.type != StoreType::kTsa) continue;
    auto certs = store.certificates(ref.type, ref.name);
    if (!certs) {
      errors += (errors.empty() ? "" : "; ") + certs.error().message;
      continue;
    }
    for (const Certificate& c : *certs) {
      out.push_back(CertificateAuthority{"tsa:" + ref.name, {c}, ValidityPeriod{}});
    }
  }
  return out;
}

void check_timestamp(const NotationSignature& sig, const TrustPolicy& policy,
                     const TrustStore& store, int64_t now, Recorder& rec,
                     NotationVerification& out) {
  constexpr std::string_view kName = "authenticTimestamp";
  if (rec.skipped(ValidationCheck::kAuthenticTimestamp, std::string(kName))) return;
  if (sig.authentic_signing_time) {
    if (const Certificate* bad = invalid_at(sig.chain, sig.signing_time)) {
      rec.failed(
          ValidationCheck::kAuthenticTimestamp, Reason::kCertificateExpired, std::string(kName),
          "certificate " + quote_untrusted(bad->subject()) +
              " was not valid at the authentic signing time " + rfc3339_utc(sig.signing_time));
      return;
    }
    out.verdict.signed_at = sig.signing_time;
    rec.pass(std::string(kName), "authentic signing time " + rfc3339_utc(sig.signing_time) +
                                     " (notary.x509.signingAuthority)");
    return;
  }
  // notary.x509: the signing time is only the signer's claim. An RFC 3161 timestamp from a
  // policy "tsa" store proves it; without one the chain must still be valid now.
  const Certificate* expired_now = invalid_at(sig.chain, now);
  std::string errors;
  const auto authorities = tsa_authorities(policy, store, errors);
  const bool verify_tst = sig.timestamp_token && !authorities.empty() &&
                          (!policy.verify_timestamp_after_cert_expiry || expired_now != nullptr);
  if (verify_tst) {
    auto ts = verify_rfc3161(*sig.timestamp_token, sig.raw_signature, authorities);
    if (!ts) {
      rec.failed(ValidationCheck::kAuthenticTimestamp, Reason::kBadTimestamp, std::string(kName),
                 "io.cncf.notary.timestampSignature: " + ts.error().message);
      return;
    }
    if (const Certificate* bad = invalid_at(sig.chain, ts->gen_time)) {
      rec.failed(ValidationCheck::kAuthenticTimestamp, Reason::kCertificateExpired,
                 std::string(kName),
                 "certificate " + quote_untrusted(bad->subject()) +
                     " was not valid at the timestamp " + rfc3339_utc(ts->gen_time));
      return;
    }
    out.verdict.signed_at = ts->gen_time;
    rec.pass(std::string(kName),
             "RFC 3161 timestamp " + rfc3339_utc(ts->gen_time) + " by " + ts->signer);
    return;
  }
  std::string note;
  if (sig.timestamp_token && authorities.empty()) {
    note = " (its timestampSignature was not verified: the policy names no usable tsa trust store" +
           (errors.empty() ? std::string() : ": " + errors) + ")";
  }
  if (expired_now != nullptr) {
    rec.failed(ValidationCheck::kAuthenticTimestamp, Reason::kExpiredWithoutTimestamp,
               std::string(kName),
               "certificate " + quote_untrusted(expired_now->subject()) + " is not valid now (" +
                   rfc3339_utc(now) + ") and no trusted timestamp proves the signing time" + note);
    return;
  }
  rec.pass(std::string(kName), "no trusted timestamp needed: certificate chain valid now" + note);
}

}  // namespace

NotationVerification verify_notation(const VerifyRequest& request,
                                     const TrustPolicyDocument& policies, const TrustStore& store) {
  NotationVerification out;
  Verdict& verdict = out.verdict;
  auto selected = policies.select(request.repository);
  if (!selected) {
    verdict.fail(Reason::kPolicyNotMet, "trust policy", selected.error().message);
    return out;
  }
  const TrustPolicy& policy = **selected;
  out.policy = policy.name;
  out.level = policy.level;
  if (policy.level == VerificationLevel::kSkip) {
    out.skipped = true;
    verdict.reason = Reason::kNone;
    verdict.pass("trust policy", "policy " + quote_untrusted(policy.name) +
                                     " has level skip: the signature was NOT verified");
    return out;
  }
  verdict.pass("trust policy", "policy " + quote_untrusted(policy.name) + " (" +
                                   std::string(level_name(policy.level)) + ")");
  Recorder rec(out, policy);

  // Integrity: always enforced (no level or override relaxes it).
  auto parsed = parse_envelope(request.media_type, request.envelope);
  if (!parsed) {
    verdict.fail(
        parsed.error().code == ErrorCode::kUnsupported ? Reason::kUnsupported : Reason::kMalformed,
        "integrity: envelope", parsed.error().message);
    return out;
  }
  const NotationSignature& sig = *parsed;
  if (auto v = sig.verify(); !v) {
    verdict.fail(Reason::kBadSignature, "integrity: signature", v.error().message);
    return out;
  }
  verdict.pass("integrity: signature", std::string(sig.algorithm->jws_name) + " " + sig.media_type +
                                           ", " + std::string(signing_scheme_name(sig.scheme)));
  if (sig.target.digest != request.image) {
    verdict.fail(Reason::kDigestMismatch, "integrity: target artifact",
                 "signature is for " + sig.target.digest.str() + ", not " + request.image.str());
    return out;
  }
  verdict.pass("integrity: target artifact", sig.target.digest.str());
  verdict.signer = sig.chain.front().subject();

  check_authenticity(sig, policy, store, rec, out);
  check_timestamp(sig, policy, store, request.now, rec, out);

  if (!rec.skipped(ValidationCheck::kExpiry, "expiry")) {
    if (sig.expiry && request.now > *sig.expiry) {
      rec.failed(ValidationCheck::kExpiry, Reason::kSignatureExpired, "expiry",
                 "signature expired at " + rfc3339_utc(*sig.expiry) + " (io.cncf.notary.expiry)");
    } else {
      rec.pass("expiry", sig.expiry ? "valid until " + rfc3339_utc(*sig.expiry) : "no expiry");
    }
  }
  if (!rec.skipped(ValidationCheck::kRevocation, "revocation")) {
    rec.pass("revocation",
             "not checked: OCSP/CRL need network access and Bulwark verifies offline");
  }
  if (verdict.checks.end() == std::find_if(verdict.checks.begin(), verdict.checks.end(),
                                           [](const Check& c) { return !c.passed; })) {
    verdict.reason = Reason::kNone;
    verdict.message.clear();
  }
  return out;
}

}  // namespace bulwark::trust::notation
