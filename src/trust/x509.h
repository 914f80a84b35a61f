// X.509 certificates for provenance: Fulcio and Notation signing certificates, the certificate
// authorities of a Sigstore trusted root or a Notation trust store, and TSA chains. Wraps OpenSSL;
// the trust module's other files never call X509_* themselves.
//
// Certificate is immutable and cheap to copy (copies share one OpenSSL object); every const method
// and verify_chain() are thread-safe. Times are Unix seconds (UTC).
#pragma once

#include <openssl/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "trust/keys.h"

namespace bulwark::trust {

// The subject alternative names of a certificate, by kind.
struct SubjectAltNames {
  std::vector<std::string> emails;  // rfc822Name
  std::vector<std::string> uris;    // uniformResourceIdentifier
  std::vector<std::string> dns;     // dNSName
  // otherName values that are UTF8Strings (Fulcio's username SAN, OID 1.3.6.1.4.1.57264.1.7).
  std::vector<std::string> others;
};

class Certificate {
 public:
  static Result<Certificate> from_der(std::string_view der);
  // The first certificate of a PEM text. kInvalidArgument when there is none.
  static Result<Certificate> from_pem(std::string_view pem);
  // Every certificate of a PEM text, in order (a chain file, a trust-store file). At least one.
  static Result<std::vector<Certificate>> all_from_pem(std::string_view pem);

  const std::string& der() const { return der_; }
  std::string pem() const;
  // SHA-256 of der(), raw 32 bytes (Notation's x509chain thumbprints are its hex).
  std::string sha256_fingerprint() const;
  // RFC 2253 forms, e.g. "CN=Example Signer,O=Example,C=US".
  std::string subject() const;
  std::string issuer() const;
  int64_t not_before() const;
  int64_t not_after() const;
  bool valid_at(int64_t unix_seconds) const {
    return not_before() <= unix_seconds && unix_seconds <= not_after();
  }
  bool is_ca() const;
  Result<PublicKey> public_key() const;
  SubjectAltNames subject_alt_names() const;
  // The contents of the extension `oid` (dotted, e.g. "1.3.6.1.4.1.57264.1.8"): the bytes inside
  // its extnValue OCTET STRING, still DER-encoded as the extension defines. nullopt when absent.
  std::optional<std::string> extension(std::string_view oid) const;

  X509* native() const { return cert_.get(); }

 private:
  Certificate(std::shared_ptr<X509> cert, std::string der)
      : cert_(std::move(cert)), der_(std::move(der)) {}
  std::shared_ptr<X509> cert_;
  std::string der_;
};

// Who Fulcio says signed: the OIDC issuer (extension 1.3.6.1.4.1.57264.1.8, a DER UTF8String, or
// the deprecated 1.3.6.1.4.1.57264.1.1 whose contents are the raw text) and the identities of the
// SAN (emails, URIs and otherName UTF8Strings, in that order). kInvalidArgument when the
// certificate has no issuer extension or no such SAN.
struct FulcioIdentity {
  std::string issuer;
  std::vector<std::string> identities;
};
Result<FulcioIdentity> fulcio_identity(const Certificate& cert);

struct ChainOptions {
  int64_t at = 0;                     // validity of every certificate is checked at this time
  bool require_code_signing = true;   // the leaf must carry the codeSigning extended key usage
  bool require_timestamping = false;  // the leaf must carry timeStamping (TSA certificates)
};

// Verifies that `leaf` chains through `intermediates` to one of `roots` (trust anchors; a root need
// not be self-signed, as in a trusted root whose chain starts at an intermediate) with every
// certificate valid at options.at. Returns the chain found, leaf first and anchor last.
// kInvalidArgument with OpenSSL's reason ("certificate has expired", "unable to get local
// issuer certificate", ...) otherwise.
Result<std::vector<Certificate>> verify_chain(const Certificate& leaf,
                                              std::span<const Certificate> intermediates,
                                              std::span<const Certificate> roots,
                                              const ChainOptions& options);

}  // namespace bulwark::trust
