// Merkle trees of transparency logs (RFC 6962 §2.1, RFC 9162 §2.1): the leaf and node hashes and
// the check that an inclusion proof leads from a leaf to a tree's root. Rekor (v1 and v2) and
// certificate transparency logs use SHA-256 throughout. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"

namespace bulwark::trust {

// SHA-256 of 0x00 || leaf (RFC 6962 MTH of one entry); raw 32 bytes. For Rekor the leaf is the
// entry's canonicalized body.
std::string merkle_leaf_hash(std::string_view leaf);
// SHA-256 of 0x01 || left || right; raw 32 bytes.
std::string merkle_node_hash(std::string_view left, std::string_view right);

// The root an inclusion proof leads to (RFC 9162 §2.1.3.2): `leaf_hash` is entry `index` of a tree
// of `tree_size` entries and `proof` holds the sibling hashes from the leaf up (the RFC 6962 PATH,
// as Rekor and CT logs return them). kInvalidArgument when index >= tree_size, a hash is not 32
// bytes, or the proof has too few or too many hashes for that index and size.
Result<std::string> merkle_root_from_inclusion_proof(std::string_view leaf_hash, uint64_t index,
                                                     uint64_t tree_size,
                                                     std::span<const std::string> proof);

// Ok when the proof leads to `expected_root`; kInvalidArgument naming the failure otherwise
// ("inclusion proof leads to root <hex>, expected <hex>", or an error of the function above).
Result<void> verify_inclusion(std::string_view leaf_hash, uint64_t index, uint64_t tree_size,
                              std::span<const std::string> proof, std::string_view expected_root);

}  // namespace bulwark::trust
