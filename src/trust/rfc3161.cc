#include "trust/rfc3161.h"

#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <openssl/x509_vfy.h>

#include <ctime>
#include <vector>

#include "trust/pki_internal.h"

namespace bulwark::trust {
namespace {

using Code = ErrorCode;
using pki::bytes_of;

using Pkcs7 = pki::Owned<PKCS7, PKCS7_free>;
using TsResp = pki::Owned<TS_RESP, TS_RESP_free>;
using TstInfo = pki::Owned<TS_TST_INFO, TS_TST_INFO_free>;
using Store = pki::Owned<X509_STORE, X509_STORE_free>;
// A stack that does not own its certificates.
using CertRefs =
    std::unique_ptr<STACK_OF(X509), decltype([](STACK_OF(X509) * s) { sk_X509_free(s); })>;

// PKIStatus values that carry a token (RFC 3161 §2.4.2).
constexpr long kGranted = 0;
constexpr long kGrantedWithMods = 1;

// The imprint hashes Bulwark accepts, by OpenSSL NID.
struct ImprintHash {
  int nid;
  HashAlgorithm hash;
};
constexpr ImprintHash kImprintHashes[] = {
    {NID_sha256, HashAlgorithm::kSha256},
    {NID_sha384, HashAlgorithm::kSha384},
    {NID_sha512, HashAlgorithm::kSha512},
};

Result<void> invalid(std::string message) {
  return pki::openssl_fail(Code::kInvalidArgument, std::move(message));
}

// The TimeStampToken of `der`: a whole TimeStampResp whose status grants one, or a bare token.
Result<Pkcs7> parse_token(std::string_view der) {
  const unsigned char* p = bytes_of(der);
  const unsigned char* end = p + der.size();
  TsResp resp(d2i_TS_RESP(nullptr, &p, static_cast<long>(der.size())));
  if (resp && p == end) {
    long status = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(TS_RESP_get_status_info(resp.get())));
    PKCS7* token = TS_RESP_get_token(resp.get());
    if ((status != kGranted && status != kGrantedWithMods) || token == nullptr) {
      return pki::openssl_fail(Code::kInvalidArgument, "timestamp was not granted");
    }
    Pkcs7 copy(PKCS7_dup(token));
    if (!copy) return pki::openssl_fail(Code::kInternal, "out of memory");
    return copy;
  }
  ERR_clear_error();
  p = bytes_of(der);
  Pkcs7 token(d2i_PKCS7(nullptr, &p, static_cast<long>(der.size())));
  if (!token || p != end || PKCS7_type_is_signed(token.get()) == 0) {
    return pki::openssl_fail(Code::kInvalidArgument, "not an RFC 3161 timestamp");
  }
  return token;
}

int64_t gen_time_of(TS_TST_INFO* info) {
  struct tm tm {};
  if (ASN1_TIME_to_tm(TS_TST_INFO_get_time(info), &tm) != 1) return -1;
  return static_cast<int64_t>(timegm(&tm));
}

Result<void> check_imprint(TS_TST_INFO* info, std::string_view data) {
  TS_MSG_IMPRINT* imprint = TS_TST_INFO_get_msg_imprint(info);
  int nid = OBJ_obj2nid(TS_MSG_IMPRINT_get_algo(imprint)->algorithm);
  const ASN1_OCTET_STRING* digest = TS_MSG_IMPRINT_get_msg(imprint);
  for (const auto& h : kImprintHashes) {
    if (h.nid != nid) continue;
    std::string expected = hash_bytes(h.hash, data);
    std::string_view actual(reinterpret_cast<const char*>(ASN1_STRING_get0_data(digest)),
                            static_cast<size_t>(ASN1_STRING_length(digest)));
    if (actual != expected) return invalid("imprint is over other bytes");
    return ok();
  }
  return pki::openssl_fail(Code::kUnsupported, "timestamp imprint uses an unsupported hash");
}

// The certificates embedded in `token` (may be none); owned by the token.
std::vector<Certificate> embedded_certs(PKCS7* token) {
  std::vector<Certificate> out;
  STACK_OF(X509)* certs = token->d.sign->cert;
  for (int i = 0; certs != nullptr && i < sk_X509_num(certs); ++i) {
    auto cert = Certificate::from_der(pki::to_der(i2d_X509, sk_X509_value(certs, i)));
    if (cert) out.push_back(std::move(*cert));
  }
  return out;
}

// The certificate among `candidates` that the token's SignerInfo names (issuer and serial).
const Certificate* find_signer(PKCS7* token, const std::vector<Certificate>& candidates) {
  STACK_OF(PKCS7_SIGNER_INFO)* infos = PKCS7_get_signer_info(token);
  if (infos == nullptr || sk_PKCS7_SIGNER_INFO_num(infos) != 1) return nullptr;
  PKCS7_ISSUER_AND_SERIAL* ias = sk_PKCS7_SIGNER_INFO_value(infos, 0)->issuer_and_serial;
  for (const auto& cert : candidates) {
    if (X509_NAME_cmp(X509_get_issuer_name(cert.native()), ias->issuer) == 0 &&
        ASN1_INTEGER_cmp(X509_get0_serialNumber(cert.native()), ias->serial) == 0) {
      return &cert;
    }
  }
  return nullptr;
}

// The CMS signature and the ESS signing-certificate binding of `token`, checked by OpenSSL against
// `chain` (the signer's verified chain) at `at`.
// Verifies the token's signature by `signer`, building the signer's chain from `untrusted` up to
// `anchor` at time `at` (OpenSSL's timestamping purpose: the leaf must be a TSA certificate). One
// pass: the chain and the signature are each verified once.
Result<void> check_signature(PKCS7* token, const std::vector<Certificate>& untrusted,
                             const Certificate& anchor, int64_t at) {
  Store store(X509_STORE_new());
  CertRefs certs(sk_X509_new_null());
  if (!store || !certs) return pki::openssl_fail(Code::kInternal, "out of memory");
  for (const auto& cert : untrusted) sk_X509_push(certs.get(), cert.native());
  X509_STORE_add_cert(store.get(), anchor.native());
  X509_VERIFY_PARAM* param = X509_STORE_get0_param(store.get());
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(at));
  X509* signer = nullptr;
  if (TS_RESP_verify_signature(token, certs.get(), store.get(), &signer) != 1) {
    unsigned long error = ERR_peek_last_error();
    const char* reason = error != 0 ? ERR_reason_error_string(error) : nullptr;
    std::string why = reason != nullptr ? reason : "";
    X509_free(signer);
    return invalid("timestamp signature does not verify" + (why.empty() ? "" : " (" + why + ")"));
  }
  X509_free(signer);
  return ok();
}

}  // namespace

Result<VerifiedTimestamp> verify_rfc3161(std::string_view timestamp_der, std::string_view data,
                                         std::span<const CertificateAuthority> authorities) {
  BULWARK_ASSIGN_OR_RETURN(Pkcs7 token, parse_token(timestamp_der));
  TstInfo info(PKCS7_to_TS_TST_INFO(token.get()));
  if (!info) return pki::openssl_fail(Code::kInvalidArgument, "not an RFC 3161 timestamp token");
  int64_t gen_time = gen_time_of(info.get());
  if (gen_time < 0) return pki::openssl_fail(Code::kInvalidArgument, "unreadable genTime");
  BULWARK_TRY_VOID(check_imprint(info.get(), data));

  std::vector<Certificate> embedded = embedded_certs(token.get());
  std::string last_failure = "no trusted TSA";
  for (const auto& authority : authorities) {
    if (authority.chain.empty()) continue;
    // The signer may be embedded in the token or be one of the authority's own certificates.
    std::vector<Certificate> candidates = authority.chain;
    candidates.insert(candidates.end(), embedded.begin(), embedded.end());
    const Certificate* signer = find_signer(token.get(), candidates);
    if (signer == nullptr) continue;
    // The common case in one pass (chain and signature); when it fails, verify_chain says
    // whether the chain or the signature is at fault.
    if (auto signed_ok = check_signature(token.get(), candidates, authority.chain.back(), gen_time);
        !signed_ok) {
      ChainOptions options;
      options.at = gen_time;
      options.require_code_signing = false;
      options.require_timestamping = true;
      auto chain = verify_chain(*signer, candidates,
                                std::span<const Certificate>(&authority.chain.back(), 1), options);
      if (!chain) {
        last_failure =
            "no trusted TSA: TSA certificate " + signer->subject() + ": " + chain.error().message;
        continue;
      }
      return fail(std::move(signed_ok.error()));
    }
    if (!authority.validity.contains(gen_time)) {
      return fail(Code::kInvalidArgument, "genTime outside the TSA's validity period");
    }
    ERR_clear_error();
    return VerifiedTimestamp{gen_time, authority.uri, signer->subject()};
  }
  ERR_clear_error();
  return fail(Code::kInvalidArgument, last_failure);
}

}  // namespace bulwark::trust
