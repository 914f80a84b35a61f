// `bulwark verify`, `verify-attestation` and `verify-blob`: offline provenance checks as cosign
// (and Notation) name them; exit 0 only when verified, 1 when verification said no, 2 on usage or
// operational errors.
//
//   bulwark verify             TRUST [--trust-policy F --trust-store DIR] [-o table|json] [registry flags] REF
//   bulwark verify-attestation TRUST --type T [-o table|json] [registry flags] REF
//   bulwark verify-blob        TRUST --bundle FILE [-o table|json] ARTIFACT
//   TRUST = --key PUB | --certificate-identity[-regexp] X --certificate-oidc-issuer[-regexp] Y
//           [--trusted-root FILE] [--require-tlog | --insecure-ignore-tlog]
//
// The signatures are read from the registry (cosign's .sig/.att tags, OCI 1.1 referrers and the
// referrers fallback tag) and verified with trust/image_verify.h; nothing else is fetched.
// Key-based signatures need no transparency log unless --require-tlog (keys made with
// `bulwark keygen` sign offline); keyless ones need a verified Rekor entry unless
// --insecure-ignore-tlog. The trusted root is --trusted-root, else $BULWARK_TRUSTED_ROOT.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include <boost/json/serialize.hpp>

#include "cli/commands.h"
#include "cli/registry_store.h"
#include "cli/source_flags.h"
#include "cli/trust_flags.h"
#include "common/clock.h"
#include "trust/image_verify.h"
#include "trust/intoto.h"

namespace bulwark::cli {
namespace {

struct VerifyFlags {
  SourceFlags source;
  TrustFlags trust;
  std::string output = "table";
  std::string type;    // verify-attestation
  std::string bundle;  // verify-blob
  std::string artifact;
};

int error(std::string_view command, const std::string& message) {
  std::cerr << "bulwark " << command << ": " << message << "\n";
  return kExitError;
}

Result<std::string> read_file(const std::string& path, std::string_view flag) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorCode::kNotFound, "cannot read " + std::string(flag) + " " + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

void add_trust_options(CLI::App* sub, TrustFlags& t, bool notation) {
  sub->add_option("--key", t.key, "trusted public key (PEM) of key-based signatures");
  sub->add_option("--certificate-identity", t.identity, "keyless: the signer's SAN, exactly");
  sub->add_option("--certificate-identity-regexp", t.identity_regexp,
                  "keyless: a regular expression the signer's SAN must match entirely");
  sub->add_option("--certificate-oidc-issuer", t.issuer, "keyless: the OIDC issuer, exactly");
  sub->add_option("--certificate-oidc-issuer-regexp", t.issuer_regexp,
                  "keyless: a regular expression the OIDC issuer must match entirely");
  sub->add_option("--trusted-root", t.trusted_root,
                  "Sigstore trusted_root.json (default: $BULWARK_TRUSTED_ROOT)");
  sub->add_flag("--require-tlog", t.require_tlog,
                "key-based: require a verified Rekor entry (keyless always does)");
  sub->add_flag("--insecure-ignore-tlog", t.ignore_tlog,
                "keyless: accept signatures without a Rekor entry");
  if (notation) {
    sub->add_option("--trust-policy", t.trust_policy, "Notation trust policy document (JSON)");
    sub->add_option("--trust-store", t.trust_store,
                    "Notation trust store directory (the one holding x509/)");
  }
}

Result<trust::ImageTrust> image_trust(const TrustFlags& t) {
  trust::ImageTrust out;
  out.now = unix_seconds();
  const bool keyless = !t.identity.empty() || !t.identity_regexp.empty() || !t.issuer.empty() ||
                       !t.issuer_regexp.empty();
  const bool notation = !t.trust_policy.empty() || !t.trust_store.empty();
  if (!t.key.empty() && keyless) {
    return fail(ErrorCode::kInvalidArgument, "give --key or certificate identities, not both");
  }
  if (t.key.empty() && !keyless && !notation) {
    return fail(ErrorCode::kInvalidArgument,
                "say whom to trust: --key, or --certificate-identity[-regexp] with "
                "--certificate-oidc-issuer[-regexp]" +
                    std::string(notation ? "" : ", or --trust-policy with --trust-store"));
  }
  if (keyless && ((t.identity.empty() && t.identity_regexp.empty()) ||
                  (t.issuer.empty() && t.issuer_regexp.empty()))) {
    return fail(ErrorCode::kInvalidArgument,
                "keyless verification needs both an identity (--certificate-identity[-regexp]) "
                "and an issuer (--certificate-oidc-issuer[-regexp])");
  }
  if (notation && (t.trust_policy.empty() || t.trust_store.empty())) {
    return fail(ErrorCode::kInvalidArgument, "--trust-policy and --trust-store go together");
  }
  if (!t.key.empty()) {
    auto key = trust::PublicKey::load(t.key);
    if (!key) return fail(key.error().code, "--key: " + key.error().message);
    out.sigstore.keys.push_back(std::move(*key));
    out.sigstore.tlog_threshold = t.require_tlog ? 1 : 0;
    out.sigstore.sct_threshold = 0;
  }
  if (keyless) {
    out.sigstore.identities.push_back(
        trust::KeylessIdentity{t.identity, t.identity_regexp, t.issuer, t.issuer_regexp});
    out.sigstore.tlog_threshold = t.ignore_tlog ? 0 : 1;
  }
  std::string root_file = t.trusted_root;
  if (const char* env = std::getenv("BULWARK_TRUSTED_ROOT"); root_file.empty() && env != nullptr) {
    root_file = env;
  }
  if (!root_file.empty()) {
    auto root = trust::load_trusted_root(root_file);
    if (!root) return fail(root.error().code, root.error().message);
    out.root = std::move(*root);
  } else if (keyless) {
    return fail(ErrorCode::kInvalidArgument,
                "keyless verification needs --trusted-root (or BULWARK_TRUSTED_ROOT): Bulwark "
                "fetches nothing at verify time");
  }
  if (notation) {
    BULWARK_ASSIGN_OR_RETURN(std::string policy, read_file(t.trust_policy, "--trust-policy"));
    auto parsed = trust::notation::TrustPolicyDocument::parse(policy);
    if (!parsed) return fail(parsed.error().code, "--trust-policy: " + parsed.error().message);
    out.notation_policy = std::move(*parsed);
    out.notation_store = trust::notation::TrustStore::directory(t.trust_store);
  }
  return out;
}

namespace {

void print_verdict_lines(const trust::Verdict& v, std::string_view indent) {
  for (const trust::Check& c : v.checks) {
    std::cout << indent << (c.passed ? "ok   " : "FAIL ") << c.name;
    if (!c.detail.empty()) std::cout << ": " << c.detail;
    std::cout << "\n";
  }
}

void print_results(std::string_view title, const std::vector<trust::SignatureResult>& results) {
  for (const trust::SignatureResult& r : results) {
    std::cout << title << " " << trust::signature_format_name(r.format) << " (" << r.location
              << "): " << (r.verdict.verified() ? "verified" : "NOT verified");
    if (!r.verdict.verified()) std::cout << " [" << trust::reason_name(r.verdict.reason) << "]";
    if (!r.verdict.signer.empty()) std::cout << " signer " << r.verdict.signer;
    std::cout << "\n";
    print_verdict_lines(r.verdict, "    ");
  }
}

// Reads, verifies and prints; `attestation` is the predicate type URI for verify-attestation.
int run_image(std::string_view command, const VerifyFlags& flags,
              const std::optional<std::string>& attestation) {
  if (flags.output != "table" && flags.output != "json") {
    return error(command, "-o must be table or json");
  }
  auto trust = image_trust(flags.trust);
  if (!trust) return error(command, trust.error().message);
  auto image = resolve_image(flags.source);
  if (!image) return error(command, image.error().message);
  auto found = trust::find_signatures(*image->store, image->digest);
  if (!found) return error(command, found.error().message);
  trust::ImageVerification result =
      trust::verify_image(*found, image->repository, image->digest, *trust, attestation);
  const bool verified = attestation ? result.attested(*attestation) : result.signed_verified();
  if (flags.output == "json") {
    boost::json::object doc = trust::verification_to_json(result);
    doc["image"] = image->repository + "@" + image->digest.str();
    if (attestation) {
      doc["verified"] = verified;
      doc["predicateType"] = *attestation;
      if (!verified) {
        doc["reason"] = result.attestations.empty()
                            ? trust::reason_name(trust::Reason::kNoSignature)
                            : trust::reason_name(result.attestations.front().verdict.reason);
      }
    }
    std::cout << boost::json::serialize(doc) << "\n";
  } else {
    std::cout << image->repository << "@" << image->digest.str() << "\n";
    print_results("signature", result.signatures);
    print_results("attestation", result.attestations);
    for (const std::string& p : result.problems) std::cout << "problem: " << p << "\n";
    if (attestation) {
      std::cout << (verified ? "verified: an attestation of " : "NOT verified: no attestation of ")
                << *attestation << (verified ? " verifies\n" : " verifies\n");
    } else if (verified) {
      std::cout << "verified\n";
    } else {
      std::cout << "NOT verified: " << trust::reason_name(result.signature_reason()) << "\n";
    }
  }
  return verified ? kExitOk : kExitDenied;
}

int run_blob(const VerifyFlags& flags) {
  if (flags.output != "table" && flags.output != "json") {
    return error("verify-blob", "-o must be table or json");
  }
  auto trust = image_trust(flags.trust);
  if (!trust) return error("verify-blob", trust.error().message);
  auto bundle = read_file(flags.bundle, "--bundle");
  if (!bundle) return error("verify-blob", bundle.error().message);
  auto artifact = read_file(flags.artifact, "the artifact");
  if (!artifact) return error("verify-blob", artifact.error().message);
  trust::SigstorePolicy policy = trust->sigstore;
  policy.now = trust->now;
  trust::Verdict verdict = trust::verify_bundle_json(
      *bundle, trust::Artifact::from_bytes(std::move(*artifact)), trust->root, policy);
  if (flags.output == "json") {
    std::cout << boost::json::serialize(trust::verdict_to_json(verdict)) << "\n";
  } else {
    print_verdict_lines(verdict, "");
    std::cout << (verdict.verified() ? "Verified OK" : "NOT verified: " + verdict.message) << "\n";
  }
  return verdict.verified() ? kExitOk : kExitDenied;
}

void add_output(CLI::App* sub, VerifyFlags& flags) {
  sub->add_option("-o,--output", flags.output, "table (default) or json");
}

void add_image_options(CLI::App* sub, VerifyFlags& flags) {
  add_output(sub, flags);
  add_registry_options(sub, flags.source);
  sub->add_option("reference", flags.source.reference, "HOST/REPO:TAG|@DIGEST (docker:// optional)")
      ->required();
}

}  // namespace

Command add_verify(CLI::App& app) {
  auto flags = std::make_shared<VerifyFlags>();
  CLI::App* sub = app.add_subcommand("verify", "verify an image's signatures (cosign, Sigstore, Notation)");
  add_trust_options(sub, flags->trust, /*notation=*/true);
  add_image_options(sub, *flags);
  return {sub, [flags] { return run_image("verify", *flags, std::nullopt); }};
}

Command add_verify_attestation(CLI::App& app) {
  auto flags = std::make_shared<VerifyFlags>();
  CLI::App* sub = app.add_subcommand("verify-attestation",
                                     "verify an image's in-toto attestations of a predicate type");
  add_trust_options(sub, flags->trust, /*notation=*/false);
  sub->add_option("--type", flags->type,
                  "predicate type: cyclonedx, spdx, slsaprovenance, vuln, custom, or a URI")
      ->required();
  add_image_options(sub, *flags);
  return {sub, [flags] {
            auto type = trust::resolve_predicate_type(flags->type);
            if (!type) return error("verify-attestation", "unknown --type " + flags->type);
            return run_image("verify-attestation", *flags, *type);
          }};
}

Command add_verify_blob(CLI::App& app) {
  auto flags = std::make_shared<VerifyFlags>();
  CLI::App* sub = app.add_subcommand("verify-blob", "verify a file against its Sigstore bundle");
  add_trust_options(sub, flags->trust, /*notation=*/false);
  sub->add_option("--bundle", flags->bundle, "the Sigstore bundle (JSON)")->required();
  add_output(sub, *flags);
  sub->add_option("artifact", flags->artifact, "the signed file")->required();
  return {sub, [flags] { return run_blob(*flags); }};
}

}  // namespace bulwark::cli
