// The one table from purl types (and vers scheme names) to version comparators.
#include <array>

#include "vulndb/version/comparators.h"
#include "vulndb/version/scheme.h"

namespace bulwark::vulndb {
namespace {

using namespace version_detail;

struct SchemeEntry {
  std::string_view type;
  const VersionScheme* scheme;
};

constexpr std::array kSchemes = {
    SchemeEntry{"deb", &kDebScheme},
    SchemeEntry{"rpm", &kRpmScheme},
    SchemeEntry{"apk", &kApkScheme},
    SchemeEntry{"alpine", &kApkScheme},  // vers scheme name for apk
    SchemeEntry{"npm", &kSemverScheme},
    SchemeEntry{"cargo", &kSemverScheme},
    SchemeEntry{"golang", &kGolangScheme},
    SchemeEntry{"hex", &kSemverScheme},
    SchemeEntry{"swift", &kSemverScheme},
    SchemeEntry{"semver", &kSemverScheme},
    SchemeEntry{"pypi", &kPep440Scheme},
    SchemeEntry{"pep440", &kPep440Scheme},
    SchemeEntry{"maven", &kMavenScheme},
    SchemeEntry{"gem", &kRubygemsScheme},
    SchemeEntry{"rubygems", &kRubygemsScheme},
    SchemeEntry{"nuget", &kNugetScheme},
    SchemeEntry{"composer", &kComposerScheme},
    SchemeEntry{"generic", &kGenericScheme},
};

}  // namespace

const VersionScheme* version_scheme_for(std::string_view purl_type) {
  for (const SchemeEntry& e : kSchemes) {
    if (e.type == purl_type) return e.scheme;
  }
  return nullptr;
}

}  // namespace bulwark::vulndb
