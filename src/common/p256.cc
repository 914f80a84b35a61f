#include "common/p256.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <vector>


namespace bulwark {
namespace {

using Code = ErrorCode;

template <auto Free>
struct Freer {
  template <class T>
  void operator()(T* p) const {
    Free(p);
  }
};
using Bio = std::unique_ptr<BIO, Freer<BIO_free_all>>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, Freer<EVP_MD_CTX_free>>;
using EcdsaSig = std::unique_ptr<ECDSA_SIG, Freer<ECDSA_SIG_free>>;

constexpr int kCoordinateBytes = kP256SignatureBytes / 2;  // r and s are 32 bytes each
constexpr size_t kMaxKeyFileBytes = 64 * 1024;
constexpr mode_t kPrivateMode = 0600;

Bio memory_bio(std::string_view bytes) {
  return Bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

std::string bio_contents(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

// Refuses to prompt on a terminal for an encrypted PEM: encrypted keys simply fail to load.
int no_passphrase(char*, int, int, void*) { return 0; }

// Failure that also drops OpenSSL's thread-local error queue.
tl::unexpected<Error> openssl_fail(Code code, std::string message) {
  ERR_clear_error();
  return fail(code, std::move(message));
}

bool is_p256(EVP_PKEY* key) {
  std::array<char, 64> group{};
  size_t len = 0;
  return EVP_PKEY_is_a(key, "EC") == 1 &&
         EVP_PKEY_get_group_name(key, group.data(), group.size(), &len) == 1 &&
         std::string_view(group.data(), len) == "prime256v1";
}

// The parser for each PemKind but kEither, and what its failure says.
struct PemReader {
  EVP_PKEY* (*read)(BIO*);
  bool is_private;
  const char* refusal;
};
constexpr PemReader kPrivateReader = {
    [](BIO* bio) { return PEM_read_bio_PrivateKey(bio, nullptr, no_passphrase, nullptr); }, true,
    "not an unencrypted PEM private key"};
constexpr PemReader kPublicReader = {
    [](BIO* bio) { return PEM_read_bio_PUBKEY(bio, nullptr, no_passphrase, nullptr); }, false,
    "not a PEM public key"};

const PemReader& reader_for(PemKind kind, std::string_view pem) {
  if (kind == PemKind::kEither) {
    return pem.find("PRIVATE KEY") != std::string_view::npos ? kPrivateReader : kPublicReader;
  }
  return kind == PemKind::kPrivate ? kPrivateReader : kPublicReader;
}

// Reads a key file of at most kMaxKeyFileBytes; with `owner_only`, refuses a file that group or
// others may access. The read buffer is wiped; the caller wipes the result.
Result<std::string> read_key_file(const std::filesystem::path& file, bool owner_only) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int error = errno;
    return fail(error == ENOENT ? Code::kNotFound : Code::kIo,
                "cannot open " + file.string() + ": " + std::strerror(error));
  }
  struct stat st {};
  if (owner_only && ::fstat(fd, &st) != 0) {
    int error = errno;
    ::close(fd);
    return fail(Code::kIo, "cannot stat " + file.string() + ": " + std::strerror(error));
  }
  if (owner_only && (st.st_mode & 077) != 0) {
    ::close(fd);
    return fail(Code::kUnsupported,
                file.string() + " may be read by group or others; restrict it to mode 0600");
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
      if (failed) {
        OPENSSL_cleanse(out.data(), out.size());
        return fail(Code::kIo, "cannot read " + file.string());
      }
      return out;
    }
    out.append(buf.data(), static_cast<size_t>(n));
  }
}

}  // namespace

Result<P256Key> P256Key::adopt(EVP_PKEY* key, bool has_private) {
  std::shared_ptr<EVP_PKEY> owned(key, EVP_PKEY_free);
  if (!is_p256(key)) return openssl_fail(Code::kUnsupported, "not an EC P-256 key");
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(key, &der);
  if (len <= 0) return openssl_fail(Code::kInternal, "cannot encode the public key");
  std::string spki(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return P256Key(std::move(owned), std::move(spki), has_private);
}

Result<P256Key> P256Key::generate() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  if (key == nullptr) return openssl_fail(Code::kInternal, "cannot generate a P-256 key");
  return adopt(key, /*has_private=*/true);
}

Result<P256Key> P256Key::from_pem(std::string_view pem, PemKind kind) {
  const PemReader& reader = reader_for(kind, pem);
  Bio bio = memory_bio(pem);
  EVP_PKEY* key = bio ? reader.read(bio.get()) : nullptr;
  if (key == nullptr) return openssl_fail(Code::kInvalidArgument, reader.refusal);
  return adopt(key, reader.is_private);
}

Result<P256Key> P256Key::load(const std::filesystem::path& file, PemKind kind) {
  BULWARK_ASSIGN_OR_RETURN(std::string pem, read_key_file(file, /*owner_only=*/false));
  auto key = from_pem(pem, kind);
  OPENSSL_cleanse(pem.data(), pem.size());
  if (!key) return fail(key.error().code, file.string() + ": " + key.error().message);
  return key;
}

Result<P256Key> P256Key::load_or_create(const std::filesystem::path& file) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto pem = read_key_file(file, /*owner_only=*/true);
    if (pem) {
      auto key = from_pem(*pem, PemKind::kPrivate);
      OPENSSL_cleanse(pem->data(), pem->size());
      if (!key) return fail(key.error().code, file.string() + ": " + key.error().message);
      return key;
    }
    if (pem.error().code != Code::kNotFound) return fail(std::move(pem.error()));
    BULWARK_ASSIGN_OR_RETURN(P256Key key, generate());
    auto saved = key.save_private(file, KeyFileWrite::kCreateNew);
    if (!saved && saved.error().code == Code::kAlreadyExists) continue;  // lost a race: load it
    if (!saved) return fail(std::move(saved.error()));
    return key;
  }
  return fail(Code::kIo, "cannot create or load " + file.string());
}

Result<P256Key> P256Key::public_only() const {
  if (!has_private_) return *this;
  const auto* p = reinterpret_cast<const unsigned char*>(spki_der_.data());
  EVP_PKEY* pub = d2i_PUBKEY(nullptr, &p, static_cast<long>(spki_der_.size()));
  if (pub == nullptr) return openssl_fail(Code::kInternal, "cannot decode the public key");
  return adopt(pub, /*has_private=*/false);
}

std::string P256Key::public_pem() const {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) {
    ERR_clear_error();
    return {};
  }
  return bio_contents(bio.get());
}

Result<std::string> P256Key::private_pem() const {
  if (!has_private_) return fail(Code::kInvalidArgument, "a public key has no private PEM");
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return openssl_fail(Code::kInternal, "cannot encode the private key");
  }
  std::string pem = bio_contents(bio.get());
  // The memory BIO's buffer is freed without being wiped; wipe it first.
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  if (n > 0) OPENSSL_cleanse(data, static_cast<size_t>(n));
  return pem;
}

Result<void> P256Key::save_private(const std::filesystem::path& file, KeyFileWrite how) const {
  BULWARK_ASSIGN_OR_RETURN(std::string pem, private_pem());
  auto written = write_durable_file(file, pem, kPrivateMode, how);
  OPENSSL_cleanse(pem.data(), pem.size());
  return written;
}

Result<std::string> P256Key::sign_raw(std::string_view message) const {
  if (!has_private_) return fail(Code::kInvalidArgument, "a public key cannot sign");
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
  // OpenSSL produces a DER ECDSA-Sig-Value; JOSE wants r||s, each left-padded to 32 bytes.
  const unsigned char* p = der.data();
  EcdsaSig sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len)));
  std::string raw(kP256SignatureBytes, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  if (!sig ||
      BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out, kCoordinateBytes) != kCoordinateBytes ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out + kCoordinateBytes, kCoordinateBytes) !=
          kCoordinateBytes) {
    return openssl_fail(Code::kInternal, "cannot encode the signature");
  }
  return raw;
}

bool P256Key::verify_raw(std::string_view message, std::string_view signature) const {
  if (signature.size() != kP256SignatureBytes) return false;
  // OpenSSL verifies the DER ECDSA-Sig-Value, so re-encode r||s.
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

}  // namespace bulwark
