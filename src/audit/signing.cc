#include "audit/signing.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "common/digest.h"
#include "common/random.h"

namespace bulwark::audit {
namespace {

constexpr size_t kCoordinateBytes = 32;  // P-256
constexpr size_t kKeyIdBytes = 16;

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using EcdsaSig = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;

std::shared_ptr<EVP_PKEY> share(EVP_PKEY* key) { return {key, EVP_PKEY_free}; }

Bio memory_bio(std::string_view bytes) {
  return Bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

std::string bio_contents(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return size > 0 ? std::string(data, static_cast<size_t>(size)) : std::string();
}

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

// Strict standard base64 with padding: the one spelling base64() produces.
std::optional<std::string> unbase64(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0 || text.size() > 4096) return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  size_t padding = text.ends_with("==") ? 2 : text.ends_with('=') ? 1 : 0;
  out.resize(static_cast<size_t>(n) - padding);
  if (base64(out) != text) return std::nullopt;
  return out;
}

bool is_p256(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "EC") != 1) return false;
  std::array<char, 64> group{};
  size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group.data(), group.size(),
                                     &len) != 1) {
    return false;
  }
  return std::string_view(group.data(), len) == "prime256v1";
}

Result<std::string> key_id_of(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(key, &der);
  if (len <= 0) return fail(ErrorCode::kInternal, "cannot encode the audit public key");
  Digest digest = Digest::of(std::string_view(reinterpret_cast<char*>(der), len));
  OPENSSL_free(der);
  return digest.hex().substr(0, kKeyIdBytes * 2);
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorCode::kNotFound, "cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return fail(ErrorCode::kIo, "cannot read " + path);
  return text.str();
}

// Writes `bytes` to a new file at `path` with mode 0600 (fails with kAlreadyExists if present).
Result<void> write_new_private_file(const std::string& path, std::string_view bytes) {
  std::string tmp = path + ".tmp-" + random_hex(8);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return fail(ErrorCode::kIo, "cannot create " + tmp + ": " + std::strerror(errno));
  bool written = ::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()) &&
                 ::fsync(fd) == 0;
  ::close(fd);
  // link() publishes the complete file atomically and refuses to replace an existing key.
  int linked = written ? ::link(tmp.c_str(), path.c_str()) : -1;
  int link_errno = errno;
  ::unlink(tmp.c_str());
  if (!written) return fail(ErrorCode::kIo, "cannot write " + tmp);
  if (linked != 0) {
    if (link_errno == EEXIST) return fail(ErrorCode::kAlreadyExists, path + " exists");
    return fail(ErrorCode::kIo, "cannot create " + path + ": " + std::strerror(link_errno));
  }
  return ok();
}

}  // namespace

std::string checkpoint_statement(int64_t seq, std::string_view hash, int64_t time_ms) {
  return "bulwark-audit-checkpoint v1\n" + std::to_string(seq) + "\n" + std::string(hash) + "\n" +
         std::to_string(time_ms) + "\n";
}

// --- VerifyKey

Result<VerifyKey> VerifyKey::from_pem(std::string_view pem) {
  EVP_PKEY* raw = nullptr;
  if (pem.find("PRIVATE KEY") != std::string_view::npos) {
    Bio bio = memory_bio(pem);
    raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  } else {
    Bio bio = memory_bio(pem);
    raw = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  }
  if (raw == nullptr) return fail(ErrorCode::kInvalidArgument, "not a PEM key");
  std::shared_ptr<EVP_PKEY> key = share(raw);
  if (!is_p256(key.get())) {
    return fail(ErrorCode::kUnsupported, "audit checkpoint keys must be EC P-256 keys");
  }
  BULWARK_ASSIGN_OR_RETURN(std::string id, key_id_of(key.get()));
  return VerifyKey(std::move(key), std::move(id));
}

Result<VerifyKey> VerifyKey::load(const std::string& path) {
  BULWARK_ASSIGN_OR_RETURN(std::string pem, read_file(path));
  auto key = from_pem(pem);
  if (!key) return fail(key.error().code, path + ": " + key.error().message);
  return key;
}

std::string VerifyKey::public_pem() const {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) return {};
  return bio_contents(bio.get());
}

bool VerifyKey::verify(std::string_view message, std::string_view signature) const {
  std::optional<std::string> raw = unbase64(signature);
  if (!raw || raw->size() != 2 * kCoordinateBytes) return false;
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw->data());
  EcdsaSig sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(bytes, kCoordinateBytes, nullptr);
  BIGNUM* s = BN_bin2bn(bytes + kCoordinateBytes, kCoordinateBytes, nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return false;
  }
  unsigned char* der = nullptr;
  int der_len = i2d_ECDSA_SIG(sig.get(), &der);
  if (der_len <= 0) return false;
  MdCtx ctx(EVP_MD_CTX_new());
  bool good =
      ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) == 1 &&
      EVP_DigestVerify(ctx.get(), der, static_cast<size_t>(der_len),
                       reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  OPENSSL_free(der);
  return good;
}

// --- SigningKey

Result<SigningKey> SigningKey::load_or_create(const std::string& path) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) {
      if ((st.st_mode & 077) != 0) {
        return fail(ErrorCode::kUnsupported,
                    path + " may be read by group or others; restrict it to mode 0600");
      }
      BULWARK_ASSIGN_OR_RETURN(std::string pem, read_file(path));
      if (pem.find("PRIVATE KEY") == std::string::npos) {
        return fail(ErrorCode::kInvalidArgument, path + " does not hold a private key");
      }
      auto key = VerifyKey::from_pem(pem);
      if (!key) return fail(key.error().code, path + ": " + key.error().message);
      return SigningKey(std::move(*key));
    }
    if (errno != ENOENT) {
      return fail(ErrorCode::kIo, "cannot stat " + path + ": " + std::strerror(errno));
    }
    EVP_PKEY* generated = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    if (generated == nullptr) return fail(ErrorCode::kInternal, "cannot generate a P-256 key");
    std::shared_ptr<EVP_PKEY> key = share(generated);
    Bio bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                         nullptr) != 1) {
      return fail(ErrorCode::kInternal, "cannot encode the audit signing key");
    }
    auto written = write_new_private_file(path, bio_contents(bio.get()));
    if (!written && written.error().code == ErrorCode::kAlreadyExists) continue;  // lost a race
    if (!written) return fail(std::move(written.error()));
    BULWARK_ASSIGN_OR_RETURN(std::string id, key_id_of(key.get()));
    return SigningKey(VerifyKey(std::move(key), std::move(id)));
  }
  return fail(ErrorCode::kIo, "cannot create or load " + path);
}

Result<std::string> SigningKey::sign(std::string_view message) const {
  MdCtx ctx(EVP_MD_CTX_new());
  size_t der_len = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(message.data());
  if (!ctx ||
      EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, public_.key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &der_len, data, message.size()) != 1) {
    return fail(ErrorCode::kInternal, "cannot sign the audit checkpoint");
  }
  std::string der(der_len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(der.data()), &der_len, data,
                     message.size()) != 1) {
    return fail(ErrorCode::kInternal, "cannot sign the audit checkpoint");
  }
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  EcdsaSig sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len)));
  if (!sig) return fail(ErrorCode::kInternal, "cannot decode the ECDSA signature");
  std::string raw(2 * kCoordinateBytes, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out, kCoordinateBytes) != kCoordinateBytes ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out + kCoordinateBytes, kCoordinateBytes) !=
          kCoordinateBytes) {
    return fail(ErrorCode::kInternal, "cannot encode the ECDSA signature");
  }
  return base64(raw);
}

}  // namespace bulwark::audit
