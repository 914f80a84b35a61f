// Keyless ("Sigstore") signing: an ephemeral ECDSA P-256 key, a short-lived Fulcio certificate
// binding it to an OIDC identity, the signature logged in Rekor (v1 API) and, when a timestamp
// authority is configured, an RFC 3161 timestamp over the signature, packaged as a Sigstore
// bundle v0.3 (certificate = the leaf) the way sigstore-js and cosign v3 write it.
//
// The endpoints are configurable (public-good Sigstore, a private deployment, or a local mock);
// requests follow the services' v1/v2 APIs exactly as sigstore-js sends them:
//   Fulcio POST {fulcio}/api/v2/signingCert   publicKeyRequest (PEM key + proof of possession =
//                                             signature over the token's subject) + token
//   Rekor  POST {rekor}/api/v1/log/entries    hashedrekord 0.0.1 (message signatures) or
//                                             dsse 0.0.1 (DSSE envelopes)
//   TSA    POST {tsa}/api/v1/timestamp        {"artifactHash": b64 sha256(signature), ...}
//                                             (a TSA URL with a path is used as given)
// The identity token is a secret: it is sent to Fulcio only and never appears in errors or
// output. Nothing is verified against a trust root here (signing trusts the configured
// services); the bundles are verified like any other (sigstore_verify.h).
//
// A KeylessSigner holds one ephemeral key and its certificate; it makes any number of
// signatures while the certificate is valid (10 minutes at Fulcio). Blocking (HTTP);
// thread-compatible (one signer per thread). The free functions are thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "trust/cosign_layout.h"
#include "trust/dsse.h"
#include "trust/image_signing.h"
#include "trust/keys.h"
#include "trust/x509.h"

namespace bulwark::trust {

struct SigstoreEndpoints {
  std::string fulcio_url;    // base URL, e.g. https://fulcio.sigstore.dev
  std::string rekor_url;     // base URL, e.g. https://rekor.sigstore.dev
  std::string tsa_url;       // optional; base URL or the full timestamp URL
  int timeout_seconds = 30;  // per request
};

// One logged signature and everything a bundle or a cosign legacy layer carries with it.
struct KeylessSignature {
  std::string signature;             // DER ECDSA signature
  boost::json::object tlog_entry;    // the bundle's TransparencyLogEntry (protobuf-JSON form)
  cosign::RekorBundle rekor_bundle;  // the same entry as cosign's legacy bundle annotation
  std::string rfc3161_timestamp;     // DER TimeStampResp; empty without a TSA
};

class KeylessSigner {
 public:
  // Generates the ephemeral key and obtains its certificate from Fulcio. kInvalidArgument for a
  // token that is not a JWT with a subject or for bad URLs, kUnavailable when a service cannot
  // be reached or refuses (the message names the service and its HTTP status).
  static Result<KeylessSigner> create(const SigstoreEndpoints& endpoints,
                                      std::string identity_token);

  // Fulcio's chain, leaf first.
  const std::vector<Certificate>& chain() const { return chain_; }
  const Certificate& leaf() const { return chain_.front(); }

  // Signs `message` (SHA-256) and logs it as a hashedrekord entry.
  Result<KeylessSignature> sign_message(std::string_view message);
  // Signs the DSSE PAE of `envelope` (whose signatures must be empty), adds the signature to it
  // (keyid "") and logs the envelope as a dsse entry.
  Result<KeylessSignature> sign_envelope(DsseEnvelope& envelope);

 private:
  KeylessSigner(SigstoreEndpoints endpoints, PrivateKey key, std::vector<Certificate> chain)
      : endpoints_(std::move(endpoints)), key_(std::move(key)), chain_(std::move(chain)) {}
  Result<KeylessSignature> witness(std::string signature, const boost::json::object& proposed);

  SigstoreEndpoints endpoints_;
  PrivateKey key_;
  std::vector<Certificate> chain_;
};

// The v0.3 bundle of a blob signed keyless (messageSignature, hashedrekord), as
// `bulwark sign-blob`, `cosign sign-blob --bundle` and sigstore.sign() write it.
Result<std::string> keyless_sign_blob_bundle(KeylessSigner& signer, std::string_view artifact);

// The v0.3 bundle of a DSSE envelope around `statement` (an in-toto Statement) signed keyless.
Result<std::string> keyless_statement_bundle(KeylessSigner& signer, std::string statement);

// Signs `image` keyless in the layouts of image_signing.h: the bundle layout (a DSSE Statement
// v1 bundle referrer) and the legacy layout (a .sig layer with the certificate, chain, Rekor
// bundle and timestamp annotations).
Result<Written> sign_image_keyless(ArtifactStore& store, const ImageSubject& image,
                                   KeylessSigner& signer, const SigningOptions& options);

// Attaches a keyless-signed in-toto attestation to `image` like attest_image() (image_signing.h):
// a .att layer (DSSE envelope of the v0.1 Statement, with certificate, chain, Rekor bundle and
// timestamp annotations) and a DSSE bundle referrer of the v1 Statement. Each envelope is logged
// as a Rekor dsse entry.
Result<Written> attest_image_keyless(ArtifactStore& store, const ImageSubject& image,
                                     KeylessSigner& signer, std::string_view predicate_type,
                                     std::string_view predicate, const SigningOptions& options);

}  // namespace bulwark::trust
