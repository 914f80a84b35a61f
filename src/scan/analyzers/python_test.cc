// Tests for the Python analyzers (python.cc): METADATA/PKG-INFO, poetry.lock, Pipfile.lock and
// requirements*.txt samples.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scan/analyzers/lang_test_util.h"

namespace bulwark::scan {
extern const Analyzer kPythonMetadataAnalyzer, kPoetryLockAnalyzer, kPipfileLockAnalyzer,
    kRequirementsAnalyzer;
namespace {

using lang_test::packages_of;
using lang_test::read_testdata;
using lang_test::rejects;
using lang_test::run;
using ::testing::ElementsAre;

TEST(PythonMetadataAnalyzer, WantsDistInfoAndEggInfo) {
  auto wants = [](std::string_view path) {
    return kPythonMetadataAnalyzer.wants(path, 0644, 100);
  };
  EXPECT_TRUE(wants("usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA"));
  EXPECT_TRUE(wants("usr/lib/python3.11/site-packages/six-1.16.0.egg-info/PKG-INFO"));
  EXPECT_TRUE(wants("usr/lib/python3/dist-packages/python_apt-2.6.0.egg-info"));
  EXPECT_TRUE(wants("opt/lib/foo-1.0-py3.11.egg/EGG-INFO/PKG-INFO"));
  EXPECT_FALSE(wants("usr/lib/python3/dist-packages/requests/METADATA"));
  EXPECT_FALSE(wants("src/PKG-INFO"));
  EXPECT_FALSE(wants("usr/lib/x.dist-info/RECORD"));
  EXPECT_FALSE(wants(".egg-info"));
}

TEST(PythonMetadataAnalyzer, ReadsWheelMetadataStoppingAtTheBody) {
  auto findings = run(kPythonMetadataAnalyzer, "x/requests-2.31.0.dist-info/METADATA",
                      read_testdata("python/METADATA"));
  ASSERT_TRUE(findings.has_value()) << findings.error().message;
  ASSERT_EQ(findings->packages.size(), 1u);
  const Package& p = findings->packages[0];
  EXPECT_EQ(p.type, "pypi");
  EXPECT_EQ(p.name, "requests");
  EXPECT_EQ(p.version, "2.31.0");
  EXPECT_THAT(p.licenses, ElementsAre("Apache-2.0"));  // the classifier beats free text
}

TEST(PythonMetadataAnalyzer, ReadsFoldedPkgInfo) {
  auto findings = run(kPythonMetadataAnalyzer, "x/python_dateutil-2.8.2.egg-info/PKG-INFO",
                      read_testdata("python/PKG-INFO"));
  ASSERT_TRUE(findings.has_value()) << findings.error().message;
  ASSERT_EQ(findings->packages.size(), 1u);
  EXPECT_EQ(findings->packages[0].name, "python-dateutil");
  EXPECT_EQ(findings->packages[0].version, "2.8.2");
  EXPECT_THAT(findings->packages[0].licenses, ElementsAre("BSD License", "Apache-2.0"));
}

TEST(PythonMetadataAnalyzer, LicencePrecedence) {
  auto licences = [](std::string_view metadata) {
    auto findings = run(kPythonMetadataAnalyzer, "a.dist-info/METADATA", metadata);
    EXPECT_TRUE(findings.has_value());
    return findings && findings->packages.size() == 1 ? findings->packages[0].licenses
                                                      : std::vector<std::string>{"<error>"};
  };
  EXPECT_THAT(licences("Metadata-Version: 2.4\nName: Foo_Bar\nVersion: 1.0\n"
                       "License-Expression: MIT OR Apache-2.0\n"
                       "Classifier: License :: OSI Approved :: MIT License\n"),
              ElementsAre("MIT OR Apache-2.0"));
  EXPECT_THAT(licences("Name: a\nVersion: 1\nLicense: BSD-3-Clause\n"), ElementsAre("BSD-3-Clause"));
  EXPECT_THAT(licences("Name: a\nVersion: 1\nLicense: UNKNOWN\n"), ElementsAre());
  EXPECT_THAT(licences("Name: a\nVersion: 1\nLicense: Copyright (c) 2020 Someone\n"
                       "        Permission is hereby granted, free of charge\n"),
              ElementsAre());
  EXPECT_THAT(licences("Name: a\nVersion: 1\nClassifier: License :: OSI Approved\n"
                       "Classifier: License :: OSI Approved :: GNU General Public License v3 "
                       "or later (GPLv3+)\n"),
              ElementsAre("GPL-3.0-or-later"));
}

TEST(PythonMetadataAnalyzer, KeepsTheNameAsWritten) {
  EXPECT_THAT(packages_of(kPythonMetadataAnalyzer, "x/Foo_Bar-1.0.egg-info",
                          "Metadata-Version: 1.0\r\nName: Foo_Bar\r\nVersion: 1.0\r\n"),
              ElementsAre("pypi:Foo_Bar@1.0"));
}

TEST(PythonMetadataAnalyzer, RejectsMalformedMetadata) {
  EXPECT_TRUE(rejects(kPythonMetadataAnalyzer, "a.dist-info/METADATA", ""));
  EXPECT_TRUE(rejects(kPythonMetadataAnalyzer, "a.dist-info/METADATA", "Name: a\n"));
  EXPECT_TRUE(rejects(kPythonMetadataAnalyzer, "a.dist-info/METADATA", "garbage line\n"));
  EXPECT_TRUE(rejects(kPythonMetadataAnalyzer, "a.dist-info/METADATA",
                      std::string("Name: a\nVersion: 1\0\n", 21)));
  EXPECT_TRUE(rejects(kPythonMetadataAnalyzer, "a.dist-info/METADATA",
                      "\nName: a\nVersion: 1\n"));  // headers end before the name
}

TEST(PoetryLockAnalyzer, ReadsPackages) {
  EXPECT_THAT(packages_of(kPoetryLockAnalyzer, "app/poetry.lock",
                          read_testdata("python/poetry.lock")),
              ElementsAre("pypi:Django@4.2.4", "pypi:certifi@2023.7.22", "pypi:mylib@0.3.0",
                          "pypi:pytest@7.4.0 dev"));
  EXPECT_FALSE(kPoetryLockAnalyzer.wants("app/poetry.toml", 0644, 1));
  EXPECT_TRUE(kPoetryLockAnalyzer.wants("poetry.lock", 0644, 1));
}

TEST(PoetryLockAnalyzer, RejectsMalformedLocks) {
  EXPECT_TRUE(rejects(kPoetryLockAnalyzer, "poetry.lock", "[[package]\nname = \"a\"\n"));
  EXPECT_TRUE(rejects(kPoetryLockAnalyzer, "poetry.lock", "[[package]]\nname = \"a\"\n"));
  EXPECT_TRUE(rejects(kPoetryLockAnalyzer, "poetry.lock", "package = \"x\"\n"));
  EXPECT_TRUE(rejects(kPoetryLockAnalyzer, "poetry.lock", "[tool]\nx = 1\n"));
  EXPECT_TRUE(rejects(kPoetryLockAnalyzer, "poetry.lock",
                      "[[package]]\nname = \"a\nversion = \"1\"\n"));
  EXPECT_TRUE(
      rejects(kPoetryLockAnalyzer, "poetry.lock", "[[package]]\nx = " + std::string(5000, '[')));
}

TEST(PipfileLockAnalyzer, ReadsDefaultAndDevelop) {
  EXPECT_THAT(packages_of(kPipfileLockAnalyzer, "app/Pipfile.lock",
                          read_testdata("python/Pipfile.lock")),
              ElementsAre("pypi:flask@2.3.3", "pypi:iniconfig@2.0.0 dev", "pypi:jinja2@3.1.2",
                          "pypi:pytest@7.4.0 dev", "pypi:werkzeug@2.3.7"));
}

TEST(PipfileLockAnalyzer, RejectsMalformedLocks) {
  EXPECT_TRUE(rejects(kPipfileLockAnalyzer, "Pipfile.lock", "{"));
  EXPECT_TRUE(rejects(kPipfileLockAnalyzer, "Pipfile.lock", R"({"_meta":{}})"));
  EXPECT_TRUE(rejects(kPipfileLockAnalyzer, "Pipfile.lock", R"({"default":{"a":"==1"}})"));
}

TEST(RequirementsAnalyzer, ReadsOnlyExactPins) {
  EXPECT_THAT(packages_of(kRequirementsAnalyzer, "app/requirements.txt",
                          read_testdata("python/requirements.txt")),
              ElementsAre("pypi:Django@4.2.4", "pypi:PyYAML@6.0.1", "pypi:requests@2.31.0",
                          "pypi:typing_extensions@4.7.1", "pypi:urllib3@1.26.16",
                          "pypi:zope.interface@6.0"));
}

TEST(RequirementsAnalyzer, WantsRequirementsFiles) {
  EXPECT_TRUE(kRequirementsAnalyzer.wants("app/requirements.txt", 0644, 1));
  EXPECT_TRUE(kRequirementsAnalyzer.wants("app/requirements-dev.txt", 0644, 1));
  EXPECT_TRUE(kRequirementsAnalyzer.wants("requirements_prod.txt", 0644, 1));
  EXPECT_FALSE(kRequirementsAnalyzer.wants("app/requirements.in", 0644, 1));
  EXPECT_FALSE(kRequirementsAnalyzer.wants("app/dev-requirements.txt", 0644, 1));
}

TEST(RequirementsAnalyzer, RejectsBinaryFiles) {
  EXPECT_TRUE(rejects(kRequirementsAnalyzer, "requirements.txt", std::string("a==1\n\0\x01", 7)));
  EXPECT_THAT(packages_of(kRequirementsAnalyzer, "requirements.txt", "a==\nb ==  \n==1\n[x]==1\n"),
              ElementsAre());
}

}  // namespace
}  // namespace bulwark::scan
