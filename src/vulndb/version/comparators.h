// The comparators behind version_scheme_for() (internal to vulndb/version): one per
// ecosystem, each defined in its own file and listed once in the table in schemes.cc.
#pragma once

#include "vulndb/version/scheme.h"

namespace bulwark::vulndb::version_detail {

extern const VersionScheme kDebScheme;       // deb.cc: dpkg
extern const VersionScheme kRpmScheme;       // rpm.cc: rpmvercmp over [epoch:]version[-release]
extern const VersionScheme kApkScheme;       // apk.cc: apk-tools
extern const VersionScheme kSemverScheme;    // semver.cc: SemVer 2.0 (npm, cargo)
extern const VersionScheme kPep440Scheme;    // pep440.cc: PyPI
extern const VersionScheme kMavenScheme;     // maven.cc: ComparableVersion
extern const VersionScheme kRubygemsScheme;  // rubygems.cc: Gem::Version
extern const VersionScheme kNugetScheme;     // nuget.cc: NuGetVersion
extern const VersionScheme kGenericScheme;   // generic.cc: dotted numeric/alpha segments
extern const VersionScheme kGolangScheme;    // golang.cc: Go modules and toolchains
extern const VersionScheme kComposerScheme;  // composer.cc: VersionParser + version_compare

}  // namespace bulwark::vulndb::version_detail
