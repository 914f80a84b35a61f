// libFuzzer target: every parser of the trust module's Sigstore side on the same arbitrary bytes
// (Sigstore bundles, DSSE envelopes, in-toto statements, cosign simple-signing payloads and
// .sig/.att manifests, Rekor entries and cosign bundle annotations, trusted roots, signed-note
// checkpoints). Besides the sanitizers it checks the round trips the signers rely on: what parses
// serialises to something that parses again to the same values. No case selector: every parser
// sees the whole input, so the seeds in fuzz/corpus/fuzz_trust/ are plain vector files.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "invariant.h"
#include "trust/bundle.h"
#include "trust/checkpoint.h"
#include "trust/cosign_layout.h"
#include "trust/dsse.h"
#include "trust/intoto.h"
#include "trust/rekor.h"
#include "trust/simple_signing.h"
#include "trust/trusted_root.h"

namespace {

using namespace bulwark::trust;

using bulwark::fuzz::check;

void fuzz_bundle(std::string_view in) {
  auto b = parse_bundle(in);
  if (!b) return;
  auto again = parse_bundle(serialize_bundle(*b));
  check(again.has_value(), "serialised bundle parses");
  check(again->certificates == b->certificates, "bundle certificates round-trip");
  check(again->rfc3161_timestamps == b->rfc3161_timestamps, "bundle timestamps round-trip");
  check(again->tlog_entries.size() == b->tlog_entries.size(), "bundle tlog entries round-trip");
  for (const auto& entry : b->tlog_entries) (void)parse_tlog_entry(entry);
}

void fuzz_dsse(std::string_view in) {
  auto env = parse_dsse_envelope(in);
  if (!env) return;
  auto again = parse_dsse_envelope(serialize_dsse_envelope(*env));
  check(again.has_value() && again->payload == env->payload &&
            again->signatures.size() == env->signatures.size(),
        "DSSE envelope round-trips");
  (void)dsse_pae(env->payload_type, env->payload);
}

void fuzz_statement(std::string_view in) {
  auto st = parse_statement(in);
  if (!st) return;
  auto again = parse_statement(serialize_statement(*st));
  check(again.has_value() && again->predicate_type == st->predicate_type &&
            again->subjects.size() == st->subjects.size(),
        "statement round-trips");
}

void fuzz_simple_signing(std::string_view in) {
  auto p = parse_simple_signing(in);
  if (!p) return;
  auto again = parse_simple_signing(make_simple_signing(*p));
  check(again.has_value() && again->docker_reference == p->docker_reference &&
            again->manifest_digest == p->manifest_digest,
        "simple signing payload round-trips");
}

void fuzz_cosign_manifest(std::string_view in) {
  auto layers = cosign::parse_cosign_manifest(in);
  if (!layers) return;
  auto built = cosign::make_cosign_manifest(*layers);
  auto again = cosign::parse_cosign_manifest(built.manifest);
  check(again.has_value() && again->size() == layers->size(), "cosign manifest round-trips");
  for (size_t i = 0; i < layers->size(); ++i) {
    check((*again)[i].signature_b64 == (*layers)[i].signature_b64 &&
              (*again)[i].rfc3161_timestamp == (*layers)[i].rfc3161_timestamp,
          "cosign layer annotations round-trip");
  }
  (void)cosign::parse_tag(in);
}

void fuzz_tlog(std::string_view in) {
  (void)parse_tlog_entry_json(in);
  (void)parse_cosign_bundle_annotation(in);
  (void)cosign::parse_rekor_bundle(in);
  (void)parse_trusted_root(in);
  if (auto note = parse_signed_note(in)) (void)parse_checkpoint(note->text);
  (void)parse_checkpoint(in);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  fuzz_bundle(in);
  fuzz_dsse(in);
  fuzz_statement(in);
  fuzz_simple_signing(in);
  fuzz_cosign_manifest(in);
  fuzz_tlog(in);
  return 0;
}
