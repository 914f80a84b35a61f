#include "trust/image_verify.h"

#include <algorithm>

#include <boost/json.hpp>

#include "trust/intoto.h"
#include "trust/notation/verify.h"

namespace bulwark::trust {
namespace {

// Which list a found signature belongs to, and the predicate type its statement must have.
struct Role {
  bool attestation = false;
  std::optional<std::string> predicate_type;  // for DSSE content
};

Role role_of(const FoundSignature& s) {
  switch (s.format) {
    case SignatureFormat::kCosignSignature:
    case SignatureFormat::kNotation:
      return {false, std::nullopt};
    case SignatureFormat::kCosignAttestation:
      return {true, s.predicate_type};
    case SignatureFormat::kSigstoreBundle:
      // cosign v3 signs images with a DSSE statement of its own predicate type; any other
      // predicate type is an attestation. A bundle without the annotation is judged by content.
      if (s.predicate_type.empty() || s.predicate_type == kCosignSignPredicateType) {
        return {false, s.predicate_type.empty() ? std::nullopt
                                                : std::optional<std::string>(s.predicate_type)};
      }
      return {true, s.predicate_type};
  }
  return {};
}

Verdict verify_notation_signature(const FoundSignature& s, const std::string& repository,
                                  const Digest& image, const ImageTrust& trust) {
  if (!trust.notation_policy || !trust.notation_store) {
    Verdict v;
    return v.fail(Reason::kUnsupported, "notation",
                  "no Notation trust policy and trust store were given");
  }
  notation::VerifyRequest request{s.media_type, s.blob, repository, image, trust.now};
  notation::NotationVerification result =
      notation::verify_notation(request, *trust.notation_policy, *trust.notation_store);
  if (result.skipped && result.verdict.verified()) {
    // Level "skip": nothing was verified, so it cannot make the image signed.
    result.verdict.fail(Reason::kPolicyNotMet, "notation",
                        "trust policy " + result.policy + " skips verification");
  }
  return std::move(result.verdict);
}

Verdict verify_one(const FoundSignature& s, const Role& role, const std::string& repository,
                   const Digest& image, const ImageTrust& trust) {
  if (s.format == SignatureFormat::kNotation) {
    return verify_notation_signature(s, repository, image, trust);
  }
  SigstorePolicy policy = trust.sigstore;
  policy.predicate_type = role.predicate_type;
  if (!policy.now) policy.now = trust.now;
  if (s.cosign_layer) {
    return verify_cosign_signature(*s.cosign_layer, s.blob, image, trust.root, policy);
  }
  return verify_bundle_json(s.blob, Artifact::from_digest(image), trust.root, policy);
}

bool any_verified(const std::vector<SignatureResult>& results) {
  return std::any_of(results.begin(), results.end(),
                     [](const SignatureResult& r) { return r.verdict.verified(); });
}

}  // namespace

bool ImageVerification::signed_verified() const { return any_verified(signatures); }

bool ImageVerification::attested(std::string_view predicate_type) const {
  return std::any_of(attestations.begin(), attestations.end(), [&](const SignatureResult& r) {
    return r.verdict.verified() && r.predicate_type == predicate_type;
  });
}

Reason ImageVerification::signature_reason() const {
  if (signed_verified()) return Reason::kNone;
  if (signatures.empty()) return Reason::kNoSignature;
  return signatures.front().verdict.reason;
}

ImageVerification verify_image(const FoundSignatures& found, const std::string& repository,
                               const Digest& image, const ImageTrust& trust,
                               const std::optional<std::string>& predicate_type) {
  ImageVerification out;
  out.image = image;
  out.problems = found.problems;
  for (const FoundSignature& s : found.signatures) {
    Role role = role_of(s);
    if (role.attestation && (!predicate_type || *predicate_type != s.predicate_type)) continue;
    SignatureResult result{s.format, s.location, role.attestation ? s.predicate_type : "",
                           verify_one(s, role, repository, image, trust)};
    (role.attestation ? out.attestations : out.signatures).push_back(std::move(result));
  }
  return out;
}

boost::json::object verification_to_json(const ImageVerification& v) {
  auto list = [](const std::vector<SignatureResult>& results) {
    boost::json::array out;
    for (const SignatureResult& r : results) {
      boost::json::object o = verdict_to_json(r.verdict);
      o["format"] = signature_format_name(r.format);
      o["location"] = r.location;
      if (!r.predicate_type.empty()) o["predicateType"] = r.predicate_type;
      out.push_back(std::move(o));
    }
    return out;
  };
  boost::json::array problems;
  for (const std::string& p : v.problems) problems.push_back(boost::json::string(p));
  return boost::json::object{{"digest", v.image.str()},
                             {"verified", v.signed_verified()},
                             {"reason", reason_name(v.signature_reason())},
                             {"signatures", list(v.signatures)},
                             {"attestations", list(v.attestations)},
                             {"problems", std::move(problems)}};
}

}  // namespace bulwark::trust
