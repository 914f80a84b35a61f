#include "trust/merkle.h"

#include <openssl/evp.h>

#include "common/digest.h"

namespace bulwark::trust {
namespace {

constexpr size_t kHashSize = 32;

std::string sha256_prefixed(unsigned char prefix, std::string_view a, std::string_view b) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool good =
      ctx != nullptr && EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) == 1 &&
      EVP_DigestUpdate(ctx, &prefix, 1) == 1 && EVP_DigestUpdate(ctx, a.data(), a.size()) == 1 &&
      EVP_DigestUpdate(ctx, b.data(), b.size()) == 1 && EVP_DigestFinal_ex(ctx, out, &len) == 1;
  EVP_MD_CTX_free(ctx);
  if (!good) return {};  // only on allocation failure; an empty hash never matches a root
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string hex(std::string_view bytes) {
  return to_hex({reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()});
}

}  // namespace

std::string merkle_leaf_hash(std::string_view leaf) { return sha256_prefixed(0x00, leaf, {}); }

std::string merkle_node_hash(std::string_view left, std::string_view right) {
  return sha256_prefixed(0x01, left, right);
}

Result<std::string> merkle_root_from_inclusion_proof(std::string_view leaf_hash, uint64_t index,
                                                     uint64_t tree_size,
                                                     std::span<const std::string> proof) {
  if (index >= tree_size) {
    return fail(ErrorCode::kInvalidArgument, "inclusion proof: index " + std::to_string(index) +
                                                 " is not below tree size " +
                                                 std::to_string(tree_size));
  }
  if (leaf_hash.size() != kHashSize) {
    return fail(ErrorCode::kInvalidArgument, "inclusion proof: leaf hash is not 32 bytes");
  }
  // RFC 9162 §2.1.3.2: fn walks the leaf's position up the tree, sn the last node's.
  uint64_t fn = index;
  uint64_t sn = tree_size - 1;
  std::string r(leaf_hash);
  for (size_t i = 0; i < proof.size(); ++i) {
    const std::string& p = proof[i];
    if (p.size() != kHashSize) {
      return fail(ErrorCode::kInvalidArgument,
                  "inclusion proof: hash " + std::to_string(i) + " is not 32 bytes");
    }
    if (sn == 0) {
      return fail(ErrorCode::kInvalidArgument, "inclusion proof: too many hashes (" +
                                                   std::to_string(proof.size()) + ") for index " +
                                                   std::to_string(index) + " in a tree of " +
                                                   std::to_string(tree_size));
    }
    if ((fn & 1) == 1 || fn == sn) {
      r = merkle_node_hash(p, r);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = merkle_node_hash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) {
    return fail(ErrorCode::kInvalidArgument, "inclusion proof: too few hashes (" +
                                                 std::to_string(proof.size()) + ") for index " +
                                                 std::to_string(index) + " in a tree of " +
                                                 std::to_string(tree_size));
  }
  return r;
}

Result<void> verify_inclusion(std::string_view leaf_hash, uint64_t index, uint64_t tree_size,
                              std::span<const std::string> proof, std::string_view expected_root) {
  BULWARK_ASSIGN_OR_RETURN(std::string root,
                           merkle_root_from_inclusion_proof(leaf_hash, index, tree_size, proof));
  if (!constant_time_equal(root, expected_root) || root.size() != expected_root.size()) {
    return fail(ErrorCode::kInvalidArgument,
                "inclusion proof leads to root " + hex(root) + ", expected " + hex(expected_root));
  }
  return ok();
}

}  // namespace bulwark::trust
