// Helpers shared by the benchmarks over many stored images (index_bench, vulndb_bench): timing,
// and a cheap stored image manifest (no blobs; the metadata store keeps it exactly like a pushed
// one, so get_manifest and referrers work on it). Header-only; single-threaded use.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "metadata/metadata_store.h"

namespace bulwark::bench {

using Clock = std::chrono::steady_clock;

inline double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// Runs `f` `runs` times; returns the sorted durations in milliseconds.
template <class F>
std::vector<double> sample_ms(int runs, F&& f) {
  std::vector<double> times;
  times.reserve(runs);
  for (int i = 0; i < runs; ++i) {
    auto t = Clock::now();
    f();
    times.push_back(ms_since(t));
  }
  std::sort(times.begin(), times.end());
  return times;
}

template <class F>
double median_ms(int runs, F&& f) {
  auto times = sample_ms(runs, f);
  return times[times.size() / 2];
}

[[noreturn]] inline void die(const char* tool, const std::string& what) {
  std::fprintf(stderr, "%s: %s\n", tool, what.c_str());
  std::exit(1);
}

// Image number `i` of a fleet: 400 repositories over 50 projects, one small OCI manifest each.
inline metadata::ManifestPut image_manifest(int i) {
  metadata::ManifestPut m;
  m.repository = "team" + std::to_string(i % 50) + "/app" + std::to_string(i % 400);
  m.media_type = "application/vnd.oci.image.manifest.v1+json";
  m.content = "{\"schemaVersion\":2,\"n\":" + std::to_string(i) + "}";
  m.digest = Digest::of(m.content);
  return m;
}

}  // namespace bulwark::bench
