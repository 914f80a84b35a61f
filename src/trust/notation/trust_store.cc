#include "trust/notation/trust_store.h"

#include <openssl/x509v3.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <iterator>
#include <system_error>

#include "common/strict_json.h"

namespace bulwark::trust::notation {
namespace {

namespace fs = std::filesystem;

struct StoreTypeName {
  StoreType type;
  std::string_view name;
};
constexpr std::array<StoreTypeName, 3> kStoreTypes = {{
    {StoreType::kCa, "ca"},
    {StoreType::kSigningAuthority, "signingAuthority"},
    {StoreType::kTsa, "tsa"},
}};

constexpr uintmax_t kMaxFileBytes = 1u << 20;
constexpr size_t kMaxFiles = 256;

// A certificate a store may hold: a CA, or a self-signed certificate (a signer trusted directly).
bool acceptable(const Certificate& cert) {
  return cert.is_ca() || (cert.subject() == cert.issuer() &&
                          X509_check_issued(cert.native(), cert.native()) == X509_V_OK);
}

Result<std::vector<Certificate>> read_file(const fs::path& file, const std::string& label) {
  std::error_code ec;
  const uintmax_t size = fs::file_size(file, ec);
  if (ec || size > kMaxFileBytes) {
    return fail(ErrorCode::kInvalidArgument,
                label + ": " + file.filename().string() + " is unreadable or larger than 1 MiB");
  }
  std::ifstream in(file, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) {
    return fail(ErrorCode::kIo, label + ": cannot read " + file.filename().string());
  }
  if (bytes.find("-----BEGIN") != std::string::npos) {
    auto certs = Certificate::all_from_pem(bytes);
    if (!certs) {
      return fail(ErrorCode::kInvalidArgument,
                  label + ": " + file.filename().string() + ": " + certs.error().message);
    }
    return std::move(*certs);
  }
  auto cert = Certificate::from_der(bytes);
  if (!cert) {
    return fail(ErrorCode::kInvalidArgument,
                label + ": " + file.filename().string() + " holds no PEM or DER certificate");
  }
  return std::vector<Certificate>{std::move(*cert)};
}

}  // namespace

std::string_view store_type_name(StoreType type) {
  for (const StoreTypeName& t : kStoreTypes) {
    if (t.type == type) return t.name;
  }
  return "unknown";
}

std::optional<StoreType> parse_store_type(std::string_view name) {
  for (const StoreTypeName& t : kStoreTypes) {
    if (t.name == name) return t.type;
  }
  return std::nullopt;
}

bool valid_store_name(std::string_view name) {
  if (name.empty() || name == "." || name == "..") return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
}

TrustStore TrustStore::directory(std::filesystem::path root) {
  TrustStore s;
  s.root_ = std::move(root);
  return s;
}

TrustStore TrustStore::in_memory(
    std::map<std::pair<StoreType, std::string>, std::vector<Certificate>> stores) {
  TrustStore s;
  s.memory_ = std::move(stores);
  return s;
}

Result<std::vector<Certificate>> TrustStore::certificates(StoreType type,
                                                          std::string_view name) const {
  const std::string label =
      "trust store " + std::string(store_type_name(type)) + ":" + quote_untrusted(name);
  if (!valid_store_name(name)) return fail(ErrorCode::kInvalidArgument, label + ": invalid name");
  std::vector<Certificate> certs;
  if (!root_) {
    auto it = memory_.find({type, std::string(name)});
    if (it == memory_.end()) return fail(ErrorCode::kNotFound, label + " does not exist");
    certs = it->second;
  } else {
    const fs::path dir = *root_ / "x509" / std::string(store_type_name(type)) / std::string(name);
    std::error_code ec;
    const auto status = fs::symlink_status(dir, ec);
    if (ec || !fs::exists(status)) return fail(ErrorCode::kNotFound, label + " does not exist");
    if (fs::is_symlink(status) || !fs::is_directory(status)) {
      return fail(ErrorCode::kInvalidArgument, label + " is not a directory");
    }
    std::vector<fs::path> files;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      const auto st = it->symlink_status(ec);
      if (ec) break;
      if (fs::is_symlink(st)) {
        return fail(ErrorCode::kInvalidArgument,
                    label + ": " + it->path().filename().string() + " is a symlink");
      }
      if (!fs::is_regular_file(st)) {
        return fail(ErrorCode::kInvalidArgument,
                    label + ": " + it->path().filename().string() + " is not a regular file");
      }
      files.push_back(it->path());
      if (files.size() > kMaxFiles) return fail(ErrorCode::kTooLarge, label + ": too many files");
    }
    if (ec) return fail(ErrorCode::kIo, label + ": cannot list the directory");
    std::sort(files.begin(), files.end());
    for (const fs::path& f : files) {
      BULWARK_ASSIGN_OR_RETURN(std::vector<Certificate> in_file, read_file(f, label));
      certs.insert(certs.end(), in_file.begin(), in_file.end());
    }
  }
  if (certs.empty()) return fail(ErrorCode::kInvalidArgument, label + " holds no certificate");
  for (const Certificate& c : certs) {
    if (!acceptable(c)) {
      return fail(ErrorCode::kInvalidArgument, label + ": certificate " +
                                                   quote_untrusted(c.subject()) +
                                                   " is neither a CA certificate nor self-signed");
    }
  }
  return certs;
}

}  // namespace bulwark::trust::notation
