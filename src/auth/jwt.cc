#include "auth/jwt.h"

#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/json/serialize.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <vector>

#include "auth/encoding.h"
#include "common/strict_json.h"
#include "common/random.h"

namespace bulwark::auth {
namespace {

namespace json = boost::json;
using Code = ErrorCode;

// ---- OpenSSL plumbing ---------------------------------------------------------------------------

template <auto Free>
struct Freer {
  template <class T>
  void operator()(T* p) const {
    Free(p);
  }
};
using Bio = std::unique_ptr<BIO, Freer<BIO_free>>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, Freer<EVP_MD_CTX_free>>;
using EcdsaSig = std::unique_ptr<ECDSA_SIG, Freer<ECDSA_SIG_free>>;

constexpr size_t kCoordinateBytes = 32;  // P-256 field size: r and s are 32 bytes each
constexpr size_t kSignatureBytes = 2 * kCoordinateBytes;

std::shared_ptr<EVP_PKEY> own(EVP_PKEY* key) { return {key, EVP_PKEY_free}; }

Bio memory_bio(std::string_view bytes) {
  return Bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

std::string bio_contents(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(n));
}

// Refuses to prompt on a terminal for an encrypted PEM: encrypted keys simply fail to load.
int no_passphrase(char*, int, int, void*) { return 0; }

// Failure that also drops OpenSSL's thread-local error queue, so it does not grow across requests.
tl::unexpected<Error> openssl_fail(Code code, std::string message) {
  ERR_clear_error();
  return fail(code, std::move(message));
}

bool is_p256(EVP_PKEY* key) {
  std::array<char, 32> group{};
  size_t len = 0;
  return EVP_PKEY_is_a(key, "EC") &&
         EVP_PKEY_get_group_name(key, group.data(), group.size(), &len) == 1 &&
         std::string_view(group.data(), len) == "prime256v1";
}

// libtrust's keyIDFromCryptoKey: base32(sha256(SPKI DER)[:30]) in ':'-joined groups of four.
std::string libtrust_key_id(std::string_view spki_der) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> hash{};
  unsigned int hash_len = 0;
  EVP_Digest(spki_der.data(), spki_der.size(), hash.data(), &hash_len, EVP_sha256(), nullptr);
  // 240 bits = 30 bytes = 48 base32 characters, so no padding.
  std::string b32 = base32_encode(std::span<const unsigned char>(hash.data(), 30));
  std::string out;
  for (size_t i = 0; i < b32.size(); i += 4) {
    if (i > 0) out += ':';
    out += b32.substr(i, 4);
  }
  return out;
}

// Writes `bytes` to `file` with `mode` through a fsynced temporary file and rename(2).
Result<void> write_file_atomically(const std::filesystem::path& file, std::string_view bytes,
                                   mode_t mode) {
  std::filesystem::path temp = file;
  temp += ".tmp-" + random_hex(8);
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) return fail(Code::kIo, "cannot create " + temp.string() + ": " + strerror(errno));
  bool written = ::fchmod(fd, mode) == 0;  // the umask may have narrowed, never widened, `mode`
  for (size_t done = 0; written && done < bytes.size();) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    written = n > 0;
    if (written) done += static_cast<size_t>(n);
  }
  written = written && ::fsync(fd) == 0;
  written = ::close(fd) == 0 && written;
  if (!written || ::rename(temp.c_str(), file.c_str()) != 0) {
    std::string reason = strerror(errno);
    ::unlink(temp.c_str());
    return fail(Code::kIo, "cannot write " + file.string() + ": " + reason);
  }
  // Make the rename itself durable.
  std::filesystem::path dir = file.parent_path().empty() ? "." : file.parent_path();
  int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return ok();
}

Result<std::string> read_small_file(const std::filesystem::path& file) {
  constexpr size_t kMaxKeyFileBytes = 64 * 1024;
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int error = errno;
    return fail(error == ENOENT ? Code::kNotFound : Code::kIo,
                "cannot open " + file.string() + ": " + strerror(error));
  }
  std::string out;
  std::array<char, 4096> buf{};
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || out.size() + static_cast<size_t>(n) > kMaxKeyFileBytes) {
      bool failed = n != 0;
      ::close(fd);
      OPENSSL_cleanse(buf.data(), buf.size());
      if (failed) return fail(Code::kIo, "cannot read " + file.string());
      return out;
    }
    out.append(buf.data(), static_cast<size_t>(n));
  }
}

// ---- token structure ----------------------------------------------------------------------------

tl::unexpected<Error> malformed(std::string_view why) {
  return fail(Code::kInvalidArgument, "malformed token: " + std::string(why));
}

// Decodes one base64url part and parses it as a strict JSON object.
Result<json::object> decode_json_part(std::string_view part, std::string_view what) {
  auto bytes = base64url_decode(part);
  if (!bytes) return malformed(std::string(what) + " is not base64url");
  auto value = parse_strict_json(*bytes, /*max_depth=*/16);
  if (!value) return malformed(std::string(what) + ": " + value.error().message);
  if (!value->is_object()) return malformed(std::string(what) + " is not a JSON object");
  return std::move(value->as_object());
}

std::optional<std::string_view> string_member(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string_view(v->get_string());
}

Result<void> check_header(const json::object& header) {
  const json::value* alg = header.if_contains("alg");
  if (alg == nullptr) return malformed("header has no alg");
  if (!alg->is_string() || alg->get_string() != "ES256") {
    return fail(Code::kUnsupported, "token algorithm is not ES256");
  }
  if (header.contains("crit")) return fail(Code::kUnsupported, "token has critical extensions");
  if (const json::value* typ = header.if_contains("typ");
      typ != nullptr && (!typ->is_string() || typ->get_string() != "JWT")) {
    return fail(Code::kUnsupported, "token type is not JWT");
  }
  return ok();
}

// ---- claim checks (RFC 7519 §4.1) ---------------------------------------------------------------

// A NumericDate as whole seconds; fractions are truncated toward the past, out-of-range values
// clamp (a uint64 far future stays far future). Nothing else is a NumericDate.
std::optional<int64_t> numeric_date(const json::value& v) {
  constexpr int64_t kLimit = int64_t{1} << 62;
  if (v.is_int64()) return std::clamp(v.get_int64(), -kLimit, kLimit);
  if (v.is_uint64()) return std::min<uint64_t>(v.get_uint64(), kLimit);
  if (v.is_double() && std::isfinite(v.get_double())) {
    return static_cast<int64_t>(std::clamp(std::floor(v.get_double()), -0x1p62, 0x1p62));
  }
  return std::nullopt;
}

using ClaimCheck = Result<void> (*)(const json::object&, const TokenExpectations&);

Result<void> check_issuer(const json::object& c, const TokenExpectations& e) {
  if (string_member(c, "iss") != e.issuer)
    return fail(Code::kInvalidArgument, "wrong token issuer");
  return ok();
}

Result<void> check_audience(const json::object& c, const TokenExpectations& e) {
  const json::value* aud = c.if_contains("aud");
  bool match = false;
  if (aud != nullptr && aud->is_string()) match = aud->get_string() == e.audience;
  if (aud != nullptr && aud->is_array()) {
    for (const json::value& a : aud->get_array())
      match = match || (a.is_string() && a.get_string() == e.audience);
  }
  if (!match) return fail(Code::kInvalidArgument, "wrong token audience");
  return ok();
}

Result<void> check_expiry(const json::object& c, const TokenExpectations& e) {
  const json::value* exp = c.if_contains("exp");
  std::optional<int64_t> at = exp ? numeric_date(*exp) : std::nullopt;
  if (!at) return fail(Code::kInvalidArgument, "token has no valid exp");
  if (e.now - e.leeway >= *at) return fail(Code::kInvalidArgument, "token expired");
  return ok();
}

Result<void> check_not_before(const json::object& c, const TokenExpectations& e) {
  const json::value* nbf = c.if_contains("nbf");
  if (nbf == nullptr) return ok();
  std::optional<int64_t> at = numeric_date(*nbf);
  if (!at) return fail(Code::kInvalidArgument, "token nbf is not a NumericDate");
  if (e.now + e.leeway < *at) return fail(Code::kInvalidArgument, "token not yet valid");
  return ok();
}

Result<void> check_issued_at(const json::object& c, const TokenExpectations& e) {
  const json::value* iat = c.if_contains("iat");
  if (iat == nullptr) return ok();
  std::optional<int64_t> at = numeric_date(*iat);
  if (!at) return fail(Code::kInvalidArgument, "token iat is not a NumericDate");
  if (*at > e.now + e.leeway) return fail(Code::kInvalidArgument, "token issued in the future");
  return ok();
}

constexpr std::array<ClaimCheck, 5> kClaimChecks = {check_issuer, check_audience, check_expiry,
                                                    check_not_before, check_issued_at};

}  // namespace

// ---- keys ---------------------------------------------------------------------------------------

Result<PublicKey> PublicKey::from_key(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(key, &der);
  if (len <= 0) return openssl_fail(Code::kInternal, "cannot encode public key");
  std::string spki(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  const unsigned char* p = reinterpret_cast<const unsigned char*>(spki.data());
  EVP_PKEY* pub = d2i_PUBKEY(nullptr, &p, len);
  if (pub == nullptr) return openssl_fail(Code::kInternal, "cannot decode public key");
  return PublicKey(own(pub), libtrust_key_id(spki));
}

Result<PublicKey> PublicKey::from_pem(std::string_view pem) {
  Bio bio = memory_bio(pem);
  std::shared_ptr<EVP_PKEY> key =
      own(PEM_read_bio_PUBKEY(bio.get(), nullptr, no_passphrase, nullptr));
  if (!key) return openssl_fail(Code::kInvalidArgument, "not a PEM public key");
  if (!is_p256(key.get())) return fail(Code::kUnsupported, "public key is not an EC P-256 key");
  return from_key(key.get());
}

std::string PublicKey::pem() const {
  Bio bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PUBKEY(bio.get(), key_.get());
  return bio_contents(bio.get());
}

bool PublicKey::verify_es256(std::string_view message, std::string_view signature) const {
  if (signature.size() != kSignatureBytes) return false;
  // JOSE carries r||s; OpenSSL verifies the DER ECDSA-Sig-Value, so re-encode.
  const auto* raw = reinterpret_cast<const unsigned char*>(signature.data());
  EcdsaSig sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(raw, kCoordinateBytes, nullptr);
  BIGNUM* s = BN_bin2bn(raw + kCoordinateBytes, kCoordinateBytes, nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ERR_clear_error();
    return false;
  }
  unsigned char* der = nullptr;
  int der_len = i2d_ECDSA_SIG(sig.get(), &der);
  MdCtx ctx(EVP_MD_CTX_new());
  bool valid =
      der_len > 0 && ctx &&
      EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) == 1 &&
      EVP_DigestVerify(ctx.get(), der, static_cast<size_t>(der_len),
                       reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  OPENSSL_free(der);
  ERR_clear_error();
  return valid;
}

Result<SigningKey> SigningKey::generate() {
  std::shared_ptr<EVP_PKEY> key = own(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) return openssl_fail(Code::kInternal, "cannot generate a P-256 key");
  BULWARK_ASSIGN_OR_RETURN(PublicKey pub, PublicKey::from_key(key.get()));
  return SigningKey(std::move(key), std::move(pub));
}

Result<SigningKey> SigningKey::from_pem(std::string_view pem) {
  Bio bio = memory_bio(pem);
  std::shared_ptr<EVP_PKEY> key =
      own(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  if (!key) return openssl_fail(Code::kInvalidArgument, "not an unencrypted PEM private key");
  if (!is_p256(key.get())) return fail(Code::kUnsupported, "signing key is not an EC P-256 key");
  BULWARK_ASSIGN_OR_RETURN(PublicKey pub, PublicKey::from_key(key.get()));
  return SigningKey(std::move(key), std::move(pub));
}

Result<SigningKey> SigningKey::load(const std::filesystem::path& file) {
  BULWARK_ASSIGN_OR_RETURN(std::string pem, read_small_file(file));
  auto key = from_pem(pem);
  OPENSSL_cleanse(pem.data(), pem.size());
  if (!key) return fail(key.error().code, file.string() + ": " + key.error().message);
  return key;
}

Result<void> SigningKey::save(const std::filesystem::path& file) const {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return openssl_fail(Code::kInternal, "cannot encode the signing key");
  }
  std::string pem = bio_contents(bio.get());
  auto written = write_file_atomically(file, pem, 0600);
  OPENSSL_cleanse(pem.data(), pem.size());
  return written;
}

Result<std::string> SigningKey::sign_es256(std::string_view message) const {
  MdCtx ctx(EVP_MD_CTX_new());
  size_t der_len = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(message.data());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &der_len, data, message.size()) != 1) {
    return openssl_fail(Code::kInternal, "cannot sign");
  }
  std::vector<unsigned char> der(der_len);
  if (EVP_DigestSign(ctx.get(), der.data(), &der_len, data, message.size()) != 1) {
    return openssl_fail(Code::kInternal, "cannot sign");
  }
  const unsigned char* p = der.data();
  EcdsaSig sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len)));
  std::string raw(kSignatureBytes, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  if (!sig || BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out, kCoordinateBytes) < 0 ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out + kCoordinateBytes, kCoordinateBytes) < 0) {
    return openssl_fail(Code::kInternal, "cannot encode signature");
  }
  return raw;
}

// ---- tokens -------------------------------------------------------------------------------------

Result<std::string> SigningKey::sign(const json::object& claims) const {
  json::object header;
  header["alg"] = "ES256";
  header["typ"] = "JWT";
  header["kid"] = key_id();
  std::string input =
      base64url_encode(json::serialize(header)) + "." + base64url_encode(json::serialize(claims));
  BULWARK_ASSIGN_OR_RETURN(std::string signature, sign_es256(input));
  return input + "." + base64url_encode(signature);
}

Result<json::object> verify_jwt(std::string_view token, const KeySet& keys,
                                const TokenExpectations& expect) {
  if (token.size() > kMaxTokenBytes) return fail(Code::kTooLarge, "token longer than 8 KiB");
  size_t dot1 = token.find('.');
  size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return malformed("not three dot-separated parts");
  }
  std::string_view signing_input = token.substr(0, dot2);

  BULWARK_ASSIGN_OR_RETURN(json::object header, decode_json_part(token.substr(0, dot1), "header"));
  BULWARK_TRY_VOID(check_header(header));
  std::optional<std::string_view> kid = string_member(header, "kid");
  if (!kid) return malformed("header has no kid");
  auto key = keys.find(*kid);
  if (key == keys.end()) return fail(Code::kNotFound, "token signed by an unknown key");

  auto signature = base64url_decode(token.substr(dot2 + 1));
  if (!signature) return malformed("signature is not base64url");
  if (signature->size() != kSignatureBytes) return malformed("signature is not 64 bytes");
  if (!key->second.verify_es256(signing_input, *signature)) {
    return fail(Code::kInvalidArgument, "token signature does not verify");
  }

  BULWARK_ASSIGN_OR_RETURN(json::object claims,
                           decode_json_part(token.substr(dot1 + 1, dot2 - dot1 - 1), "claims"));
  for (ClaimCheck check : kClaimChecks) BULWARK_TRY_VOID(check(claims, expect));
  return claims;
}

}  // namespace bulwark::auth
