// The COSE form of a Notation signature (cose.md of the Notary Project specifications):
// COSE_Sign1 (RFC 9052) tagged 18, protected header {1: alg, 2: crit, 3: content type,
// "io.cncf.notary.*" labels with times as tag 1 epoch integers}, unprotected header {33: x5chain
// (one bstr or an array of bstr, leaf first), "io.cncf.notary.signingAgent",
// "io.cncf.notary.timestampSignature"}, an embedded payload and the raw signature.
#include <string>
#include <string_view>
#include <vector>

#include "common/strict_json.h"
#include "trust/cbor.h"
#include "trust/notation/envelope.h"

namespace bulwark::trust::notation {
namespace {

constexpr int64_t kLabelAlg = 1;
constexpr int64_t kLabelCrit = 2;
constexpr int64_t kLabelContentType = 3;
constexpr int64_t kLabelX5Chain = 33;
constexpr uint64_t kTagCoseSign1 = 18;
constexpr uint64_t kTagEpochTime = 1;
constexpr size_t kMaxEnvelope = 4u << 20;
constexpr size_t kMaxChain = 10;

tl::unexpected<Error> bad(const std::string& what) {
  return fail(ErrorCode::kInvalidArgument, "COSE envelope: " + what);
}

// A header label as the crit check compares it: text labels as they are, integer labels as
// "label <n>" (none of which Bulwark understands as critical).
std::string label_name(const cbor::Value& label) {
  if (label.is_text()) return label.bytes;
  if (auto n = label.as_int()) return "label " + std::to_string(*n);
  return "label ?";
}

// A time header: tag 1 around an integer (Unix seconds).
Result<int64_t> time_label(const cbor::Value& header, std::string_view label) {
  const cbor::Value* v = header.find(label);
  if (v == nullptr) return bad(std::string(label) + " missing");
  if (!v->is_tag(kTagEpochTime) || !v->tagged().as_int()) {
    return bad(std::string(label) + " is not a tag-1 integer time");
  }
  return *v->tagged().as_int();
}

Result<void> read_protected(const cbor::Value& h, NotationSignature& sig) {
  const cbor::Value* alg = h.find(kLabelAlg);
  if (alg == nullptr || !alg->as_int()) return bad("protected alg missing or not an integer");
  sig.algorithm = algorithm_by_cose_id(*alg->as_int());
  if (sig.algorithm == nullptr) {
    return fail(ErrorCode::kUnsupported,
                "COSE envelope: unsupported alg " + std::to_string(*alg->as_int()));
  }
  const cbor::Value* cty = h.find(kLabelContentType);
  if (cty == nullptr || !cty->is_text() || cty->bytes != kPayloadContentType) {
    return bad("content type is not " + std::string(kPayloadContentType));
  }
  const cbor::Value* crit = h.find(kLabelCrit);
  if (crit == nullptr || !crit->is_array() || crit->items.empty()) {
    return bad("crit must be a non-empty array");
  }
  std::vector<std::string> crit_names;
  for (const cbor::Value& c : crit->items) {
    if (!c.is_text() && !c.is_int()) return bad("crit entries must be labels");
    crit_names.push_back(label_name(c));
  }
  std::vector<std::string> present;
  for (const auto& [k, unused] : h.entries) present.push_back(label_name(k));
  BULWARK_TRY_VOID(internal::check_critical(crit_names, present));

  const cbor::Value* scheme = h.find("io.cncf.notary.signingScheme");
  if (scheme == nullptr || !scheme->is_text()) return bad("io.cncf.notary.signingScheme missing");
  BULWARK_ASSIGN_OR_RETURN(sig.scheme, internal::parse_signing_scheme(scheme->bytes));
  const bool has_time = h.find("io.cncf.notary.signingTime") != nullptr;
  const bool has_authentic = h.find("io.cncf.notary.authenticSigningTime") != nullptr;
  if (sig.scheme == SigningScheme::kX509 && has_time) {
    BULWARK_ASSIGN_OR_RETURN(sig.signing_time, time_label(h, "io.cncf.notary.signingTime"));
  } else if (sig.scheme == SigningScheme::kX509SigningAuthority && has_authentic) {
    BULWARK_ASSIGN_OR_RETURN(sig.signing_time,
                             time_label(h, "io.cncf.notary.authenticSigningTime"));
  }
  if (h.find("io.cncf.notary.expiry") != nullptr) {
    BULWARK_ASSIGN_OR_RETURN(sig.expiry, time_label(h, "io.cncf.notary.expiry"));
  }
  return internal::check_times(sig, has_time, has_authentic);
}

Result<void> read_unprotected(const cbor::Value& h, NotationSignature& sig) {
  const cbor::Value* x5 = h.find(kLabelX5Chain);
  if (x5 == nullptr) return bad("unprotected x5chain (label 33) missing");
  std::vector<const cbor::Value*> certs;
  if (x5->is_bytes()) {
    certs.push_back(x5);
  } else if (x5->is_array() && !x5->items.empty()) {
    for (const cbor::Value& c : x5->items) certs.push_back(&c);
  } else {
    return bad("x5chain must be a certificate or a non-empty array of certificates");
  }
  if (certs.size() > kMaxChain) return bad("x5chain has too many certificates");
  for (const cbor::Value* c : certs) {
    if (!c->is_bytes()) return bad("x5chain entries must be byte strings");
    auto cert = Certificate::from_der(c->bytes);
    if (!cert) return bad("x5chain: " + cert.error().message);
    sig.chain.push_back(std::move(*cert));
  }
  if (const cbor::Value* agent = h.find("io.cncf.notary.signingAgent")) {
    if (!agent->is_text()) return bad("io.cncf.notary.signingAgent is not text");
    sig.signing_agent = agent->bytes;
  }
  if (const cbor::Value* tst = h.find("io.cncf.notary.timestampSignature")) {
    if (!tst->is_bytes()) return bad("io.cncf.notary.timestampSignature is not a byte string");
    sig.timestamp_token = tst->bytes;
  }
  return ok();
}

}  // namespace

Result<NotationSignature> parse_cose(std::string_view envelope) {
  if (envelope.size() > kMaxEnvelope) return fail(ErrorCode::kTooLarge, "COSE envelope too large");
  auto decoded = cbor::decode(envelope);
  if (!decoded) return bad(decoded.error().message);
  const cbor::Value* msg = &*decoded;
  if (msg->major == cbor::Major::kTag) {
    if (!msg->is_tag(kTagCoseSign1)) {
      return bad("tag " + std::to_string(msg->number) + " is not COSE_Sign1 (18)");
    }
    msg = &msg->tagged();
  }
  if (!msg->is_array() || msg->items.size() != 4) return bad("COSE_Sign1 must be an array of 4");
  const cbor::Value& protected_bstr = msg->items[0];
  const cbor::Value& unprotected = msg->items[1];
  const cbor::Value& payload = msg->items[2];
  const cbor::Value& signature = msg->items[3];
  if (!protected_bstr.is_bytes() || !unprotected.is_map() || !signature.is_bytes()) {
    return bad("COSE_Sign1 fields have the wrong types");
  }
  if (!payload.is_bytes())
    return bad("payload must be embedded (detached payloads are not Notation's)");
  if (protected_bstr.bytes.empty()) return bad("protected header is empty");
  auto prot = cbor::decode(protected_bstr.bytes);
  if (!prot) return bad("protected header: " + prot.error().message);
  if (!prot->is_map()) return bad("protected header is not a map");
  for (const auto& [k, unused] : unprotected.entries) {
    if (prot->find(label_name(k)) != nullptr || (k.as_int() && prot->find(*k.as_int()))) {
      return bad("header label " + quote_untrusted(label_name(k)) +
                 " is both protected and unprotected");
    }
  }

  NotationSignature sig;
  sig.media_type = std::string(kCoseMediaType);
  BULWARK_TRY_VOID(read_protected(*prot, sig));
  BULWARK_TRY_VOID(read_unprotected(unprotected, sig));
  BULWARK_ASSIGN_OR_RETURN(sig.target, internal::parse_payload(payload.bytes));
  sig.payload = payload.bytes;
  sig.signed_bytes = cbor::sig_structure1(protected_bstr.bytes, payload.bytes);
  sig.raw_signature = signature.bytes;
  return sig;
}

}  // namespace bulwark::trust::notation
