// Provenance verification (issue 6), each figure against its peer or target in the same run:
//   - cold keyless verification: verify_bundle_json() of the keyless blob vector of
//     ../shared/data/sigstore (bundle parse, Fulcio chain at signing time, embedded SCT, Rekor SET,
//     inclusion proof and checkpoint, RFC 3161 timestamp, identity and issuer), p50/p99 of RUNS
//     runs against the 5 ms target and against @sigstore/verify doing the same verification in node
//     (bench/sigstore-verify-peer.js, timed in-process after a warm-up);
//   - cached verdict: the answer for an (image digest, policy) already verified, through the
//     single-flight cache the server and the admission webhook use, p50/p99 against 100 us.
//
// Usage: trust_bench [--runs=200]   (run by bench/run-all; needs node and tests/sigstore)
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "bench_images.h"
#include "common/single_flight_cache.h"
#include "trust/image_verify.h"
#include "trust/sigstore_verify.h"
#include "trust/trusted_root.h"

namespace {

using namespace bulwark;
using bench::Clock;
namespace fs = std::filesystem;

[[noreturn]] void die(const std::string& what) { bench::die("trust_bench", what); }

const std::string kSan =
    "https://github.com/example-org/example-repo/.github/workflows/release.yml@refs/heads/main";
const std::string kIssuer = "https://token.actions.githubusercontent.com";

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) die("cannot read " + p.string());
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void row(const char* figure, const std::string& value, const std::string& peer,
         const std::string& ratio) {
  std::printf("%-58s %12s %12s %10s\n", figure, value.c_str(), peer.c_str(), ratio.c_str());
}
std::string num(double v, int decimals = 3) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}
double at(const std::vector<double>& sorted, double q) {
  return sorted[std::min(sorted.size() - 1, static_cast<size_t>(q * sorted.size()))];
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 200;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--runs=", 0) == 0) runs = std::max(1, std::stoi(a.substr(7)));
  }
  const fs::path vectors = fs::path(BULWARK_SHARED_DIR) / "data/sigstore/keyless-mock";
  const fs::path bundle_file = vectors / "blob/artifact.txt.sigstore.json";
  const fs::path artifact_file = vectors / "blob/artifact.txt";
  const std::string bundle = read(bundle_file);
  const std::string artifact = read(artifact_file);
  auto root = trust::load_trusted_root(vectors / "trusted_root.json");
  if (!root) die(root.error().message);
  trust::SigstorePolicy policy;
  policy.identities.push_back(trust::KeylessIdentity{kSan, "", kIssuer, ""});
  policy.timestamp_threshold = 1;

  auto verify = [&] {
    return trust::verify_bundle_json(bundle, trust::Artifact::from_bytes(artifact), *root, policy);
  };
  trust::Verdict first = verify();
  if (!first.verified()) die("the vector does not verify: " + first.message);
  for (int i = 0; i < 20; ++i) verify();  // warm-up, as the peer does
  std::vector<double> cold = bench::sample_ms(runs, verify);

  // The peer: @sigstore/verify in node on the same bundle, root, artifact and policy.
  const fs::path source = fs::path(BULWARK_SOURCE_DIR);
  const std::string command = "NODE_PATH='" + (source / "tests/sigstore/node_modules").string() +
                              "' node '" + (source / "bench/sigstore-verify-peer.js").string() +
                              "' '" + bundle_file.string() + "' '" +
                              (vectors / "trusted_root.json").string() + "' '" +
                              artifact_file.string() + "' '" + kSan + "' '" + kIssuer + "' " +
                              std::to_string(runs);
  double peer_p50 = -1, peer_p99 = -1;
  if (FILE* p = ::popen(command.c_str(), "r")) {
    if (std::fscanf(p, "%lf %lf", &peer_p50, &peer_p99) != 2) peer_p50 = peer_p99 = -1;
    ::pclose(p);
  }

  // Cached verdicts: one (digest, policy) verified once, then answered from the cache.
  SingleFlightCache<trust::Verdict> cache(10000);
  const std::string digest = "sha256:" + std::string(64, 'a');
  const std::string policy_key = "sha256:" + std::string(64, 'b');
  cache.get(digest, policy_key, verify);
  std::vector<double> cached_ms = bench::sample_ms(runs * 50, [&] {
    if (!cache.get(digest, policy_key, verify).verified()) die("cached verdict changed");
  });

  std::printf("provenance verification (%d runs; peer: @sigstore/verify in node, same inputs)\n",
              runs);
  row("figure", "bulwark", "peer/target", "ratio");
  auto peer = [](double v) { return v < 0 ? std::string("n/a") : num(v); };
  auto ratio = [](double a, double b) { return b <= 0 ? std::string("n/a") : num(a / b, 2); };
  row("cold keyless bundle verify p50 (ms) vs @sigstore/verify", num(at(cold, 0.5)),
      peer(peer_p50), ratio(at(cold, 0.5), peer_p50));
  row("cold keyless bundle verify p99 (ms) vs @sigstore/verify", num(at(cold, 0.99)),
      peer(peer_p99), ratio(at(cold, 0.99), peer_p99));
  row("cold keyless bundle verify p99 (ms) vs target 5 ms", num(at(cold, 0.99)), "5",
      ratio(at(cold, 0.99), 5));
  row("cached verdict p50 (us) vs target 100 us", num(at(cached_ms, 0.5) * 1000), "100",
      ratio(at(cached_ms, 0.5) * 1000, 100));
  row("cached verdict p99 (us) vs target 100 us", num(at(cached_ms, 0.99) * 1000), "100",
      ratio(at(cached_ms, 0.99) * 1000, 100));
  return 0;
}
