#include "trust/sct.h"

#include <openssl/ct.h>

#include "trust/pki_internal.h"

namespace bulwark::trust {
namespace {

using Code = ErrorCode;

using SctList =
    std::unique_ptr<STACK_OF(SCT), decltype([](STACK_OF(SCT) * s) { SCT_LIST_free(s); })>;

constexpr std::string_view kNoSct = "no embedded SCT";
constexpr std::string_view kUnknownLog = "SCT from unknown log";
constexpr std::string_view kBadSignature = "SCT signature does not verify";

const TransparencyLog* find_log(std::span<const TransparencyLog> logs, std::string_view id) {
  for (const auto& log : logs) {
    if (log.log_id == id) return &log;
  }
  return nullptr;
}

// The precertificate TBSCertificate the log signed: the leaf's TBS without the SCT list
// extension, re-encoded (RFC 6962 §3.2, as OpenSSL's own SCT code rebuilds it).
Result<std::string> precert_tbs(const Certificate& leaf) {
  pki::X509Ptr copy(X509_dup(leaf.native()));
  if (!copy) return pki::openssl_fail(Code::kInternal, "out of memory");
  for (int nid : {NID_ct_precert_scts, NID_ct_precert_poison}) {
    int index = X509_get_ext_by_NID(copy.get(), nid, -1);
    if (index >= 0) X509_EXTENSION_free(X509_delete_ext(copy.get(), index));
  }
  unsigned char* der = nullptr;
  int len = i2d_re_X509_tbs(copy.get(), &der);
  if (len <= 0) return pki::openssl_fail(Code::kInternal, "cannot encode the precertificate");
  std::string tbs(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return tbs;
}

void put_be(std::string& out, uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out += static_cast<char>((value >> (8 * i)) & 0xff);
}

// The digitally-signed struct of a precert_entry SCT (RFC 6962 §3.2).
std::string signed_entry(const SCT* sct, std::string_view issuer_key_hash, std::string_view tbs) {
  constexpr int kCertificateTimestamp = 0;  // SignatureType
  constexpr int kPrecertEntry = 1;          // LogEntryType
  unsigned char* ext = nullptr;
  size_t ext_len = SCT_get0_extensions(sct, &ext);
  std::string out;
  put_be(out, static_cast<uint64_t>(SCT_get_version(sct)), 1);
  put_be(out, kCertificateTimestamp, 1);
  put_be(out, SCT_get_timestamp(sct), 8);
  put_be(out, kPrecertEntry, 2);
  out += issuer_key_hash;
  put_be(out, tbs.size(), 3);
  out += tbs;
  put_be(out, ext_len, 2);
  out.append(reinterpret_cast<const char*>(ext), ext_len);
  return out;
}

// The signature algorithms of SCTs Bulwark verifies (TLS SignatureAndHashAlgorithm as OpenSSL
// names them).
struct SctAlgorithm {
  int nid;
  SignatureScheme scheme;
};
const SctAlgorithm kSctAlgorithms[] = {
    {NID_ecdsa_with_SHA256, {HashAlgorithm::kSha256, RsaPadding::kPkcs1v15}},
    {NID_sha256WithRSAEncryption, {HashAlgorithm::kSha256, RsaPadding::kPkcs1v15}},
};

// Checks one SCT's signature with the key of `log`.
Result<void> check_signature(const SCT* sct, std::string_view issuer_key_hash, std::string_view tbs,
                             const TransparencyLog& log) {
  int nid = SCT_get_signature_nid(sct);
  const SctAlgorithm* algorithm = nullptr;
  for (const auto& a : kSctAlgorithms) {
    if (a.nid == nid) algorithm = &a;
  }
  if (algorithm == nullptr) return fail(Code::kUnsupported, "unsupported SCT signature algorithm");
  unsigned char* sig = nullptr;
  size_t sig_len = SCT_get0_signature(sct, &sig);
  auto verified = log.key.verify(signed_entry(sct, issuer_key_hash, tbs),
                                 std::string_view(reinterpret_cast<const char*>(sig), sig_len),
                                 algorithm->scheme);
  if (!verified) return fail(Code::kInvalidArgument, std::string(kBadSignature));
  return ok();
}

SctOutcome check_one(const SCT* sct, std::string_view issuer_key_hash, std::string_view tbs,
                     std::span<const TransparencyLog> logs) {
  SctOutcome out;
  unsigned char* id = nullptr;
  size_t id_len = SCT_get0_log_id(sct, &id);
  out.log_id.assign(reinterpret_cast<const char*>(id), id_len);
  out.timestamp_ms = static_cast<int64_t>(SCT_get_timestamp(sct));
  if (SCT_get_version(sct) != SCT_VERSION_V1) {
    out.status = fail(Code::kUnsupported, "unsupported SCT version");
    return out;
  }
  const TransparencyLog* log = find_log(logs, out.log_id);
  if (log == nullptr) {
    out.status = fail(Code::kInvalidArgument, std::string(kUnknownLog));
    return out;
  }
  out.status = check_signature(sct, issuer_key_hash, tbs, *log);
  if (out.status && !log->validity.contains(out.timestamp_ms / 1000)) {
    out.status = fail(Code::kInvalidArgument, "SCT time outside the log's validity period");
  }
  return out;
}

}  // namespace

Result<std::vector<SctOutcome>> check_embedded_scts(const Certificate& leaf,
                                                    const Certificate& issuer,
                                                    std::span<const TransparencyLog> ct_logs) {
  int critical = 0;
  SctList scts(static_cast<STACK_OF(SCT)*>(
      X509_get_ext_d2i(leaf.native(), NID_ct_precert_scts, &critical, nullptr)));
  ERR_clear_error();
  if (!scts || sk_SCT_num(scts.get()) <= 0) {
    return fail(Code::kInvalidArgument, std::string(kNoSct));
  }
  BULWARK_ASSIGN_OR_RETURN(std::string tbs, precert_tbs(leaf));
  std::string issuer_spki = pki::to_der(i2d_X509_PUBKEY, X509_get_X509_PUBKEY(issuer.native()));
  if (issuer_spki.empty()) return fail(Code::kInvalidArgument, "issuer has no public key");
  std::string issuer_key_hash = hash_bytes(HashAlgorithm::kSha256, issuer_spki);
  std::vector<SctOutcome> outcomes;
  for (int i = 0; i < sk_SCT_num(scts.get()); ++i) {
    outcomes.push_back(check_one(sk_SCT_value(scts.get(), i), issuer_key_hash, tbs, ct_logs));
  }
  return outcomes;
}

Result<size_t> verify_embedded_scts(const Certificate& leaf, const Certificate& issuer,
                                    std::span<const TransparencyLog> ct_logs, size_t threshold) {
  BULWARK_ASSIGN_OR_RETURN(std::vector<SctOutcome> outcomes,
                           check_embedded_scts(leaf, issuer, ct_logs));
  size_t verified = 0;
  const Error* first_failure = nullptr;
  for (const auto& outcome : outcomes) {
    if (outcome.status) {
      ++verified;
    } else if (first_failure == nullptr) {
      first_failure = &outcome.status.error();
    }
  }
  if (verified >= threshold) return verified;
  std::string why = first_failure != nullptr ? first_failure->message : std::string(kNoSct);
  return fail(Code::kInvalidArgument, why + " (" + std::to_string(verified) + " of " +
                                          std::to_string(outcomes.size()) + " SCTs verify, " +
                                          std::to_string(threshold) + " required)");
}

}  // namespace bulwark::trust
