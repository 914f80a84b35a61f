// libFuzzer target: every package analyzer on arbitrary bytes. The first byte picks the file
// path (one each analyzer wants, from a table), the rest is the file. Besides the sanitizers it
// checks what the walker relies on: a package always has a type and a name.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "invariant.h"
#include "scan/analyzer.h"

namespace {

// One path per format; with mode 0755 the binary analyzers want each of them too.
constexpr std::string_view kPaths[] = {
    "etc/os-release",
    "etc/redhat-release",
    "var/lib/dpkg/status",
    "var/lib/dpkg/status.d/base",
    "lib/apk/db/installed",
    "var/lib/rpm/Packages",
    "var/lib/rpm/Packages.db",
    "var/lib/rpm/rpmdb.sqlite",
    "app/node_modules/left-pad/package.json",
    "app/package-lock.json",
    "app/yarn.lock",
    "app/pnpm-lock.yaml",
    "usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA",
    "app/poetry.lock",
    "app/Pipfile.lock",
    "app/requirements.txt",
    "usr/lib/ruby/gems/3.1.0/specifications/rake-13.0.6.gemspec",
    "app/Gemfile.lock",
    "app/composer.lock",
    "app/vendor/composer/installed.json",
    "app/App.deps.json",
    "app/packages.lock.json",
    "app/go.mod",
    "app/Cargo.lock",
    "app/lib/app.jar",
    "usr/local/bin/tool",
};

using bulwark::fuzz::check;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view path = kPaths[data[0] % std::size(kPaths)];
  std::string_view content(reinterpret_cast<const char*>(data + 1), size - 1);
  for (const auto& analyzer : bulwark::scan::all_analyzers()) {
    if (!analyzer.wants(path, 0755, content.size())) continue;
    bulwark::scan::Findings findings;
    (void)analyzer.analyze({path, content, 0755}, findings);
    for (const auto& p : findings.packages) {
      check(!p.type.empty(), "package without a type");
      check(!p.name.empty(), "package without a name");
    }
  }
  return 0;
}
