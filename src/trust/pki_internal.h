// Internal to the trust module's PKI files (keys.cc, x509.cc, sct.cc, rfc3161.cc): the OpenSSL
// ownership wrappers and small helpers they share, so each file does not grow its own copy.
// Not part of the module's interface; other parts include keys.h / x509.h instead. Stateless;
// thread-safe.
#pragma once

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "trust/keys.h"

namespace bulwark::trust::pki {

template <auto Free>
struct Freer {
  template <class T>
  void operator()(T* p) const {
    Free(p);
  }
};
template <class T, auto Free>
using Owned = std::unique_ptr<T, Freer<Free>>;

using Bio = Owned<BIO, BIO_free_all>;
using MdCtx = Owned<EVP_MD_CTX, EVP_MD_CTX_free>;
using PkeyCtx = Owned<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using Pkey = Owned<EVP_PKEY, EVP_PKEY_free>;
using X509Ptr = Owned<X509, X509_free>;
using Asn1Object = Owned<ASN1_OBJECT, ASN1_OBJECT_free>;

inline Bio memory_bio(std::string_view bytes) {
  return Bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

// The bytes written to a memory BIO so far.
inline std::string bio_contents(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

// A failure that also drops OpenSSL's thread-local error queue.
inline tl::unexpected<Error> openssl_fail(ErrorCode code, std::string message) {
  ERR_clear_error();
  return fail(code, std::move(message));
}

inline const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// The DER encoding of an OpenSSL object through its i2d function; empty on failure. OpenSSL's
// buffer is wiped before it is freed (the object may be a private key).
template <class T>
std::string to_der(int (*i2d)(const T*, unsigned char**), const T* object) {
  unsigned char* der = nullptr;
  int len = i2d(object, &der);
  if (len <= 0) {
    ERR_clear_error();
    return {};
  }
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_clear_free(der, static_cast<size_t>(len));
  return out;
}

// One PEM block: its type line ("CERTIFICATE"), headers and decoded body (wiped on destruction: it
// may be a secret).
struct PemBlock {
  std::string name;
  std::string header;
  std::string body;
  PemBlock() = default;
  PemBlock(PemBlock&&) = default;
  PemBlock& operator=(PemBlock&&) = default;
  ~PemBlock();
};
// Every PEM block of `text`, in order; text outside blocks is ignored.
std::vector<PemBlock> pem_blocks(std::string_view text);

// The OpenSSL digest for `hash` (static object; never null).
const EVP_MD* md_for(HashAlgorithm hash);

// Reads `file`, at most `max_bytes`. kNotFound / kIo / kTooLarge with the file's name.
Result<std::string> read_small_file(const std::filesystem::path& file, size_t max_bytes);

}  // namespace bulwark::trust::pki
