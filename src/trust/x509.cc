#include "trust/x509.h"

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <ctime>

#include "trust/pki_internal.h"

namespace bulwark::trust {
namespace {

using Code = ErrorCode;
using pki::bytes_of;
using pki::openssl_fail;

using GeneralNames = pki::Owned<GENERAL_NAMES, GENERAL_NAMES_free>;
using Store = pki::Owned<X509_STORE, X509_STORE_free>;
using StoreCtx = pki::Owned<X509_STORE_CTX, X509_STORE_CTX_free>;
using CertStack =
    std::unique_ptr<STACK_OF(X509),
                    decltype([](STACK_OF(X509) * s) { sk_X509_pop_free(s, X509_free); })>;
// A stack that does not own its certificates (they belong to Certificate objects).
using CertRefs =
    std::unique_ptr<STACK_OF(X509), decltype([](STACK_OF(X509) * s) { sk_X509_free(s); })>;

// Fulcio's OIDC issuer extensions, newest first.
constexpr std::string_view kFulcioIssuerV2 = "1.3.6.1.4.1.57264.1.8";  // DER UTF8String
constexpr std::string_view kFulcioIssuerV1 = "1.3.6.1.4.1.57264.1.1";  // raw text

int64_t unix_time(const ASN1_TIME* t) {
  struct tm tm {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
    ERR_clear_error();
    return 0;
  }
  return static_cast<int64_t>(timegm(&tm));
}

std::string name_text(const X509_NAME* name) {
  pki::Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) {
    ERR_clear_error();
    return {};
  }
  return pki::bio_contents(bio.get());
}

std::string asn1_string_text(const ASN1_STRING* s) {
  if (s == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<size_t>(ASN1_STRING_length(s)));
}

// Where each SAN kind goes in SubjectAltNames; otherName is handled apart.
struct SanKind {
  int type;
  std::vector<std::string> SubjectAltNames::*field;
};
constexpr SanKind kSanKinds[] = {
    {GEN_EMAIL, &SubjectAltNames::emails},
    {GEN_URI, &SubjectAltNames::uris},
    {GEN_DNS, &SubjectAltNames::dns},
};

// The extended key usages ChainOptions can require of a leaf.
struct RequiredUsage {
  bool ChainOptions::*required;
  uint32_t xku_bit;
  std::string_view name;
};
constexpr RequiredUsage kRequiredUsages[] = {
    {&ChainOptions::require_code_signing, XKU_CODE_SIGN, "codeSigning"},
    {&ChainOptions::require_timestamping, XKU_TIMESTAMP, "timeStamping"},
};

Result<void> check_leaf_usage(const Certificate& leaf, const ChainOptions& options) {
  X509* x = leaf.native();
  // X509_get_extended_key_usage() answers "all usages" when the extension is absent.
  bool has_eku = (X509_get_extension_flags(x) & EXFLAG_XKUSAGE) != 0;
  uint32_t eku = X509_get_extended_key_usage(x);
  for (const auto& usage : kRequiredUsages) {
    if (!(options.*usage.required)) continue;
    if (!has_eku || (eku & usage.xku_bit) == 0) {
      return fail(Code::kInvalidArgument, "certificate " + leaf.subject() + " lacks the " +
                                              std::string(usage.name) + " extended key usage");
    }
  }
  return ok();
}

}  // namespace

Result<Certificate> Certificate::from_der(std::string_view der) {
  const unsigned char* p = bytes_of(der);
  X509* cert = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  if (cert == nullptr) return openssl_fail(Code::kInvalidArgument, "not a DER X.509 certificate");
  std::shared_ptr<X509> owned(cert, X509_free);
  if (p != bytes_of(der) + der.size()) {
    return fail(Code::kInvalidArgument, "trailing bytes after a DER X.509 certificate");
  }
  return Certificate(std::move(owned), std::string(der));
}

Result<std::vector<Certificate>> Certificate::all_from_pem(std::string_view pem) {
  std::vector<Certificate> certs;
  for (const pki::PemBlock& block : pki::pem_blocks(pem)) {
    if (block.name != "CERTIFICATE") continue;
    auto cert = from_der(block.body);
    if (!cert) {
      return fail(cert.error().code, "PEM certificate " + std::to_string(certs.size() + 1) + ": " +
                                         cert.error().message);
    }
    certs.push_back(std::move(*cert));
  }
  if (certs.empty()) return fail(Code::kInvalidArgument, "no PEM certificate");
  return certs;
}

Result<Certificate> Certificate::from_pem(std::string_view pem) {
  BULWARK_ASSIGN_OR_RETURN(std::vector<Certificate> certs, all_from_pem(pem));
  return std::move(certs.front());
}

std::string Certificate::pem() const {
  pki::Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert_.get()) != 1) {
    ERR_clear_error();
    return {};
  }
  return pki::bio_contents(bio.get());
}

std::string Certificate::sha256_fingerprint() const {
  return hash_bytes(HashAlgorithm::kSha256, der_);
}

std::string Certificate::subject() const { return name_text(X509_get_subject_name(cert_.get())); }
std::string Certificate::issuer() const { return name_text(X509_get_issuer_name(cert_.get())); }
int64_t Certificate::not_before() const { return unix_time(X509_get0_notBefore(cert_.get())); }
int64_t Certificate::not_after() const { return unix_time(X509_get0_notAfter(cert_.get())); }

bool Certificate::is_ca() const {
  bool ca = (X509_get_extension_flags(cert_.get()) & EXFLAG_CA) != 0;
  ERR_clear_error();
  return ca;
}

Result<PublicKey> Certificate::public_key() const {
  EVP_PKEY* key = X509_get0_pubkey(cert_.get());
  if (key == nullptr) return openssl_fail(Code::kInvalidArgument, "certificate has no usable key");
  return PublicKey::from_native(key);
}

SubjectAltNames Certificate::subject_alt_names() const {
  SubjectAltNames out;
  GeneralNames names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert_.get(), NID_subject_alt_name, nullptr, nullptr)));
  ERR_clear_error();
  if (!names) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    int type = 0;
    void* value = GENERAL_NAME_get0_value(name, &type);
    if (type == GEN_OTHERNAME) {
      const auto* other = static_cast<const OTHERNAME*>(value);
      if (other->value != nullptr && other->value->type == V_ASN1_UTF8STRING) {
        out.others.push_back(asn1_string_text(other->value->value.utf8string));
      }
      continue;
    }
    for (const auto& kind : kSanKinds) {
      if (kind.type == type) {
        (out.*kind.field).push_back(asn1_string_text(static_cast<const ASN1_STRING*>(value)));
      }
    }
  }
  return out;
}

std::optional<std::string> Certificate::extension(std::string_view oid) const {
  pki::Asn1Object object(OBJ_txt2obj(std::string(oid).c_str(), /*no_name=*/1));
  if (!object) {
    ERR_clear_error();
    return std::nullopt;
  }
  int index = X509_get_ext_by_OBJ(cert_.get(), object.get(), -1);
  if (index < 0) return std::nullopt;
  X509_EXTENSION* ext = X509_get_ext(cert_.get(), index);
  return asn1_string_text(X509_EXTENSION_get_data(ext));
}

Result<FulcioIdentity> fulcio_identity(const Certificate& cert) {
  FulcioIdentity id;
  if (auto v2 = cert.extension(kFulcioIssuerV2)) {
    const unsigned char* p = bytes_of(*v2);
    ASN1_UTF8STRING* s = d2i_ASN1_UTF8STRING(nullptr, &p, static_cast<long>(v2->size()));
    bool whole = s != nullptr && p == bytes_of(*v2) + v2->size();
    if (whole) id.issuer = asn1_string_text(s);
    ASN1_UTF8STRING_free(s);
    if (!whole) {
      return openssl_fail(Code::kInvalidArgument,
                          "Fulcio issuer extension 1.3.6.1.4.1.57264.1.8 is not a UTF8String");
    }
  } else if (auto v1 = cert.extension(kFulcioIssuerV1)) {
    id.issuer = *v1;
  }
  if (id.issuer.empty()) {
    return fail(Code::kInvalidArgument, "certificate has no Fulcio OIDC issuer extension");
  }
  SubjectAltNames san = cert.subject_alt_names();
  for (auto* list : {&san.emails, &san.uris, &san.others}) {
    for (auto& name : *list) id.identities.push_back(std::move(name));
  }
  if (id.identities.empty()) {
    return fail(Code::kInvalidArgument,
                "certificate has no email, URI or otherName subject alternative name");
  }
  return id;
}

Result<std::vector<Certificate>> verify_chain(const Certificate& leaf,
                                              std::span<const Certificate> intermediates,
                                              std::span<const Certificate> roots,
                                              const ChainOptions& options) {
  if (roots.empty()) return fail(Code::kInvalidArgument, "no trusted root certificate");
  Store store(X509_STORE_new());
  CertRefs untrusted(sk_X509_new_null());
  StoreCtx ctx(X509_STORE_CTX_new());
  if (!store || !untrusted || !ctx) return openssl_fail(Code::kInternal, "out of memory");
  for (const Certificate& root : roots) {
    if (X509_STORE_add_cert(store.get(), root.native()) != 1) {
      ERR_clear_error();  // a duplicate root is harmless
    }
  }
  for (const Certificate& cert : intermediates) {
    if (sk_X509_push(untrusted.get(), cert.native()) <= 0) {
      return openssl_fail(Code::kInternal, "out of memory");
    }
  }
  if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf.native(), untrusted.get()) != 1) {
    return openssl_fail(Code::kInternal, "cannot set up chain verification");
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  // A trust anchor may be an intermediate; every certificate is checked at `at`, not now. No
  // purpose is set: OpenSSL's purpose checks on CA certificates are stricter than the extended
  // key usages Sigstore's and Notation's CAs carry, so the leaf's usage is checked below instead.
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(options.at));
  if (X509_verify_cert(ctx.get()) != 1) {
    int error = X509_STORE_CTX_get_error(ctx.get());
    X509* where = X509_STORE_CTX_get_current_cert(ctx.get());
    std::string message = X509_verify_cert_error_string(error);
    if (where != nullptr) message += " (" + name_text(X509_get_subject_name(where)) + ")";
    return openssl_fail(Code::kInvalidArgument, message);
  }
  CertStack chain(X509_STORE_CTX_get1_chain(ctx.get()));
  std::vector<Certificate> out;
  for (int i = 0; chain && i < sk_X509_num(chain.get()); ++i) {
    std::string der = pki::to_der(i2d_X509, sk_X509_value(chain.get(), i));
    BULWARK_ASSIGN_OR_RETURN(Certificate cert, Certificate::from_der(der));
    out.push_back(std::move(cert));
  }
  ERR_clear_error();
  if (out.empty()) return fail(Code::kInternal, "chain verification returned no chain");
  BULWARK_TRY_VOID(check_leaf_usage(leaf, options));
  return out;
}

}  // namespace bulwark::trust
