// The table of every analyzer, in the order their findings are reported.
// Each analyzer lives in its own file of this folder and is declared here.
#include <array>

#include "scan/analyzer.h"

namespace bulwark::scan {

// Operating system and OS packages (os_release.cc, dpkg.cc, apk.cc, rpm.cc).
extern const Analyzer kOsReleaseAnalyzer, kDpkgAnalyzer, kDpkgDistrolessAnalyzer, kApkAnalyzer,
    kRpmAnalyzer;
// JavaScript (npm.cc, yarn.cc, pnpm.cc).
extern const Analyzer kNpmPackageAnalyzer, kNpmLockAnalyzer, kYarnLockAnalyzer, kPnpmLockAnalyzer;
// Python (python.cc).
extern const Analyzer kPythonMetadataAnalyzer, kPoetryLockAnalyzer, kPipfileLockAnalyzer,
    kRequirementsAnalyzer;
// Ruby, PHP, .NET (ruby.cc, php.cc, dotnet.cc).
extern const Analyzer kGemspecAnalyzer, kGemfileLockAnalyzer, kComposerAnalyzer,
    kDotnetDepsAnalyzer, kNugetLockAnalyzer;
// Go, Rust, Java (go.cc, rust.cc, java.cc).
extern const Analyzer kGoBinaryAnalyzer, kGoModAnalyzer, kCargoLockAnalyzer,
    kCargoAuditableAnalyzer, kJavaArchiveAnalyzer;

namespace {
const std::array<Analyzer, 23> kAll = {
    kOsReleaseAnalyzer,      kDpkgAnalyzer,          kDpkgDistrolessAnalyzer, kApkAnalyzer,
    kRpmAnalyzer,            kNpmPackageAnalyzer,    kNpmLockAnalyzer,        kYarnLockAnalyzer,
    kPnpmLockAnalyzer,       kPythonMetadataAnalyzer, kPoetryLockAnalyzer,    kPipfileLockAnalyzer,
    kRequirementsAnalyzer,   kGemspecAnalyzer,       kGemfileLockAnalyzer,    kComposerAnalyzer,
    kDotnetDepsAnalyzer,     kNugetLockAnalyzer,     kGoBinaryAnalyzer,       kGoModAnalyzer,
    kCargoLockAnalyzer,      kCargoAuditableAnalyzer, kJavaArchiveAnalyzer,
};
}  // namespace

std::span<const Analyzer> all_analyzers() { return kAll; }

}  // namespace bulwark::scan
