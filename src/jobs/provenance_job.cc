#include "jobs/provenance_job.h"

#include <algorithm>
#include <utility>

#include <boost/json.hpp>

#include "common/clock.h"
#include "common/log.h"
#include "jobs/stored_artifacts.h"
#include "trust/intoto.h"

namespace bulwark::jobs {
namespace {

constexpr size_t kStalePage = 500;

// Carries a store error through SingleFlightCache (which passes exceptions to every waiter and
// stores nothing).
struct StoreFailure {
  Error error;
};

// The found material an attestation verification needs: attestations only (the image's
// signatures are verified once, by the first verify_image call).
trust::FoundSignatures attestations_only(const trust::FoundSignatures& found) {
  trust::FoundSignatures out;
  for (const trust::FoundSignature& s : found.signatures) {
    const bool attestation =
        s.format == trust::SignatureFormat::kCosignAttestation ||
        (s.format == trust::SignatureFormat::kSigstoreBundle && !s.predicate_type.empty() &&
         s.predicate_type != trust::kCosignSignPredicateType);
    if (attestation) out.signatures.push_back(s);
  }
  return out;
}

std::string subject_key(std::string_view repository, std::string_view digest) {
  return std::string(repository) + "@" + std::string(digest);
}

}  // namespace

ProvenanceVerifier::ProvenanceVerifier(storage::BlobStore& blobs,
                                       metadata::MetadataStore& metadata,
                                       metadata::ProvenanceStore& provenance,
                                       std::shared_ptr<const ProvenanceTrust> trust,
                                       size_t cache_capacity)
    : blobs_(blobs),
      metadata_(metadata),
      provenance_(provenance),
      trust_(std::move(trust)),
      cache_(std::max<size_t>(cache_capacity, 1)) {}

Result<metadata::ProvenanceRecord> ProvenanceVerifier::verify_and_store(
    const std::string& repository, const std::string& digest_text) {
  metadata::ProvenanceRecord record;
  record.repository = repository;
  record.digest = digest_text;
  record.trust_fingerprint = trust_->fingerprint;
  record.verified_at = unix_seconds();
  BULWARK_ASSIGN_OR_RETURN(Digest digest, Digest::parse(digest_text));
  const ProvenanceRule* rule = trust_->rule_for(repository);
  boost::json::object detail;
  if (rule == nullptr && !trust_->notation_policy) {
    record.reason = std::string(kNoTrustRule);
    detail = boost::json::object{
        {"digest", digest_text},
        {"verified", false},
        {"reason", kNoTrustRule},
        {"message", "no trust rule (trust.rules) matches repository " + repository}};
  } else {
    StoredArtifacts store(blobs_, metadata_, repository);
    BULWARK_ASSIGN_OR_RETURN(trust::FoundSignatures found, trust::find_signatures(store, digest));
    const trust::ImageTrust image_trust = trust_->image_trust(rule, record.verified_at);
    trust::ImageVerification result =
        trust::verify_image(found, repository, digest, image_trust, std::nullopt);
    detail = trust::verification_to_json(result);
    record.verified = result.signed_verified();
    record.reason = std::string(trust::reason_name(result.signature_reason()));
    // Each attestation type the rule reports: verified when one attestation of it verifies. The
    // other types found are verified too (under their declared type), so that a policy may
    // require a type the rule does not report (policy/provenance.h).
    boost::json::array attestations;
    boost::json::array attested;
    if (rule != nullptr) {
      const trust::FoundSignatures candidates = attestations_only(found);
      std::vector<std::string> types = rule->attestations;
      for (const trust::FoundSignature& s : candidates.signatures) {
        if (!s.predicate_type.empty() &&
            std::find(types.begin(), types.end(), s.predicate_type) == types.end()) {
          types.push_back(s.predicate_type);
        }
      }
      for (size_t i = 0; i < types.size(); ++i) {
        const std::string& type = types[i];
        trust::ImageVerification typed =
            trust::verify_image(candidates, repository, digest, image_trust, type);
        if (i < rule->attestations.size()) {
          boost::json::object summary{{"predicateType", type}, {"verified", typed.attested(type)}};
          if (!typed.attested(type)) {
            summary["reason"] = typed.attestations.empty()
                                    ? trust::reason_name(trust::Reason::kNoSignature)
                                    : trust::reason_name(typed.attestations.front().verdict.reason);
          }
          attested.push_back(std::move(summary));
        }
        boost::json::object typed_json = trust::verification_to_json(typed);
        for (const auto& item : typed_json["attestations"].as_array()) attestations.push_back(item);
      }
    }
    detail["attestations"] = std::move(attestations);
    detail["attestationTypes"] = std::move(attested);
  }
  detail["rule"] = rule != nullptr ? boost::json::value(rule->index) : boost::json::value(nullptr);
  record.detail_json = boost::json::serialize(detail);
  BULWARK_ASSIGN_OR_RETURN(bool stored, provenance_.put_provenance(record));
  if (stored) {
    log_event(LogLevel::kInfo, "image provenance verified",
              {{"repository", repository},
               {"digest", digest_text},
               {"verified", record.verified},
               {"reason", record.reason}});
  }
  return record;
}

Result<metadata::ProvenanceRecord> ProvenanceVerifier::cached(const std::string& repository,
                                                              const std::string& digest,
                                                              bool use_stored) {
  const std::string subject = subject_key(repository, digest);
  try {
    return cache_.get(subject, trust_->fingerprint, [&]() -> metadata::ProvenanceRecord {
      std::lock_guard lock(image_locks_[std::hash<std::string>()(subject) % image_locks_.size()]);
      if (use_stored) {
        auto stored = provenance_.get_provenance(repository, digest);
        if (!stored) throw StoreFailure{std::move(stored.error())};
        if (*stored && (*stored)->trust_fingerprint == trust_->fingerprint) return **stored;
      }
      auto fresh = verify_and_store(repository, digest);
      if (!fresh) throw StoreFailure{std::move(fresh.error())};
      return std::move(*fresh);
    });
  } catch (const StoreFailure& failure) {
    return fail(failure.error);
  }
}

Result<metadata::ProvenanceRecord> ProvenanceVerifier::refresh(std::string_view repository,
                                                               std::string_view digest) {
  cache_.invalidate(subject_key(repository, digest));
  return cached(std::string(repository), std::string(digest), /*use_stored=*/false);
}

Result<metadata::ProvenanceRecord> ProvenanceVerifier::status(std::string_view repository,
                                                              std::string_view digest) {
  return cached(std::string(repository), std::string(digest), /*use_stored=*/true);
}

Result<uint64_t> ProvenanceVerifier::queue_stale(metadata::JobStore& jobs,
                                                 const std::function<void()>& queued) {
  uint64_t total = 0;
  std::string cursor;
  do {
    BULWARK_ASSIGN_OR_RETURN(auto page,
                             provenance_.list_images_to_verify(trust_->fingerprint, cursor, kStalePage));
    for (const metadata::ImageRef& image : page) {
      BULWARK_TRY_VOID(jobs.enqueue_job(kProvenanceJob, image.repository, image.digest));
    }
    total += page.size();
    if (!page.empty() && queued) queued();
  } while (!cursor.empty());
  if (total > 0) {
    log_event(LogLevel::kInfo, "images queued for provenance verification",
              {{"images", static_cast<int64_t>(total)}, {"trust_fingerprint", trust_->fingerprint}});
  }
  return total;
}

}  // namespace bulwark::jobs
