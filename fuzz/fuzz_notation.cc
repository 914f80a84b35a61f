// libFuzzer target: Notation's parsers on arbitrary bytes. The first byte picks the case (a table),
// the rest is the input: the CBOR decoder, the JWS and COSE envelope parsers (and the integrity
// check of anything that parses), the trust policy document, distinguished names, and a whole
// verification under a fixed wildcard policy. Besides the sanitizers it checks what callers rely
// on: CBOR re-encodes to bytes that decode again and encode to themselves, a parsed envelope has a
// chain and an algorithm, a DN matches itself, a verdict that fails names a reason.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "invariant.h"
#include "trust/cbor.h"
#include "trust/notation/envelope.h"
#include "trust/notation/trust_policy.h"
#include "trust/notation/trust_store.h"
#include "trust/notation/verify.h"

namespace {

using namespace bulwark::trust;

using bulwark::fuzz::check;

void fuzz_cbor(std::string_view in) {
  auto v = cbor::decode(in);
  if (!v) return;
  const std::string once = cbor::encode(*v);
  auto again = cbor::decode(once);
  check(again.has_value(), "an encoded value decodes again");
  check(cbor::encode(*again) == once, "encoding is stable");
}

void check_envelope(const bulwark::Result<notation::NotationSignature>& sig) {
  if (!sig) return;
  check(sig->algorithm != nullptr, "a parsed envelope has an algorithm");
  check(!sig->chain.empty(), "a parsed envelope has a certificate chain");
  check(!sig->signed_bytes.empty(), "a parsed envelope has signed bytes");
  (void)sig->verify();
}

void fuzz_jws(std::string_view in) { check_envelope(notation::parse_jws(in)); }
void fuzz_cose(std::string_view in) { check_envelope(notation::parse_cose(in)); }

void fuzz_policy(std::string_view in) {
  auto doc = notation::TrustPolicyDocument::parse(in);
  if (!doc) return;
  check(!doc->policies().empty(), "a valid document has a policy");
  for (const auto& p : doc->policies()) {
    check(!p.registry_scopes.empty(), "a policy has scopes");
    for (const auto& scope : p.registry_scopes) {
      if (scope == "*") continue;
      auto selected = doc->select(scope);
      check(selected.has_value() && (*selected)->name == p.name, "a scope selects its own policy");
    }
  }
}

void fuzz_dn(std::string_view in) {
  auto dn = notation::parse_distinguished_name(in);
  if (dn) check(notation::dn_matches(*dn, *dn), "a DN matches itself");
}

// The envelope under a wildcard strict policy and an empty store: whatever the bytes, the verdict
// is a failure with a reason (nothing can chain to an empty store).
void fuzz_verify(std::string_view in) {
  static const auto policy = *notation::TrustPolicyDocument::parse(
      R"({"version":"1.0","trustPolicies":[{"name":"all","registryScopes":["*"],)"
      R"("signatureVerification":{"level":"strict"},"trustStores":["ca:none"],"trustedIdentities":["*"]}]})");
  static const auto store = notation::TrustStore::in_memory({});
  if (in.empty()) return;
  notation::VerifyRequest request;
  request.media_type = (in[0] & 1) ? notation::kCoseMediaType : notation::kJwsMediaType;
  request.envelope = in.substr(1);
  request.repository = "registry.example.com/demo/app";
  request.image = bulwark::Digest::of("image");
  request.now = 1800000000;
  auto result = notation::verify_notation(request, policy, store);
  check(!result.verdict.verified(), "nothing verifies against an empty trust store");
  check(!result.verdict.message.empty(), "a failed verdict says why");
}

struct Case {
  void (*run)(std::string_view);
};
constexpr Case kCases[] = {{fuzz_cbor},   {fuzz_jws}, {fuzz_cose},
                           {fuzz_policy}, {fuzz_dn},  {fuzz_verify}};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const Case& c = kCases[data[0] % (sizeof kCases / sizeof kCases[0])];
  c.run(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  return 0;
}
