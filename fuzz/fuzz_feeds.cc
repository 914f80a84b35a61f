// libFuzzer target: the vulnerability feed importers and the vulndb text parsers on arbitrary
// bytes. The first byte picks the case (a table: an importer and the file name its feed uses, or
// a parser), the rest is the input. Importers read a file written into a per-process temporary
// directory, as `bulwark db import` would; besides the sanitizers it checks what the store and the
// matcher rely on: every advisory has an id and survives the JSON round trip the store makes.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "invariant.h"
#include "vulndb/advisory.h"
#include "vulndb/advisory_json.h"
#include "vulndb/cvss/cvss.h"
#include "vulndb/ignore.h"
#include "vulndb/version/npm_range.h"
#include "vulndb/version/range.h"

namespace bulwark::vulndb {
extern const Importer kOsvImporter;
extern const Importer kDebianTrackerImporter;
extern const Importer kAlpineSecdbImporter;
extern const Importer kKevImporter;
extern const Importer kEpssImporter;
extern const Importer kNvdImporter;
extern const Importer kRustsecImporter;
extern const Importer kRubysecImporter;
extern const Importer kFriendsOfPhpImporter;
}  // namespace bulwark::vulndb

namespace {

using namespace bulwark::vulndb;
namespace fs = std::filesystem;

using bulwark::fuzz::check;

// Checks every record an importer hands over.
class CheckingSink : public ImportSink {
 public:
  bulwark::Result<void> add_advisory(Advisory advisory) override {
    check(!advisory.id.empty(), "an advisory has an id");
    auto back = advisory_from_json_text(advisory_to_json_text(advisory));
    if (!back) std::fprintf(stderr, "round trip: %s\n", back.error().message.c_str());
    check(back.has_value(), "an imported advisory survives the store's JSON round trip");
    check(back->id == advisory.id && back->affected.size() == advisory.affected.size(),
          "the JSON round trip keeps the advisory");
    return bulwark::ok();
  }
  bulwark::Result<void> add_kev(KevEntry entry) override {
    check(!entry.cve.empty(), "a KEV entry has a CVE");
    return bulwark::ok();
  }
  bulwark::Result<void> add_epss(EpssScore score) override {
    check(!score.cve.empty(), "an EPSS score has a CVE");
    return bulwark::ok();
  }
};

struct FeedCase {
  const Importer* importer;
  std::string_view file;  // where the feed keeps such a file, relative to the temp dir
};

const FeedCase kFeeds[] = {
    {&kOsvImporter, "GHSA-test.json"},
    {&kOsvImporter, "PYSEC-test.yaml"},
    {&kDebianTrackerImporter, "debian.json"},
    {&kDebianTrackerImporter, "DSA/list"},
    {&kAlpineSecdbImporter, "v3.19/main.yaml"},
    {&kAlpineSecdbImporter, "v3.19/main.json"},
    {&kKevImporter, "known_exploited_vulnerabilities.json"},
    {&kEpssImporter, "epss_scores.csv"},
    {&kNvdImporter, "nvdcve-2.0.json"},
    {&kRustsecImporter, "crates/x/RUSTSEC-2020-0001.md"},
    {&kRubysecImporter, "gems/x/CVE-2020-0001.yml"},
    {&kFriendsOfPhpImporter, "vendor/package/2020-01-01.yaml"},
};

// The text parsers, after the feeds in the case numbering.
void parse_text(uint8_t which, std::string_view text) {
  switch (which % 4) {
    case 0: (void)parse_ignore_list(text); break;
    case 1: (void)parse_cvss(text); break;
    case 2: (void)parse_version_range(text); break;
    default: (void)parse_npm_range(text); break;
  }
}

const fs::path& work_dir() {
  static const fs::path dir = [] {
    fs::path d = fs::temp_directory_path() / ("bulwark-fuzz-feeds-" + std::to_string(getpid()));
    fs::create_directories(d);
    return d;
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t which = data[0];
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  constexpr size_t kFeedCount = sizeof(kFeeds) / sizeof(kFeeds[0]);
  if (which % (kFeedCount + 1) == kFeedCount) {
    parse_text(which / (kFeedCount + 1), rest);
    return 0;
  }
  const FeedCase& feed = kFeeds[which % (kFeedCount + 1)];
  const fs::path root = work_dir() / "feed";
  std::error_code ec;
  fs::remove_all(root, ec);
  const fs::path file = root / feed.file;
  fs::create_directories(file.parent_path());
  {
    std::ofstream out(file, std::ios::binary);
    out.write(rest.data(), static_cast<std::streamsize>(rest.size()));
  }
  CheckingSink sink;
  (void)feed.importer->import(root, sink);
  return 0;
}
