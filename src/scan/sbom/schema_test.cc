// The SBOM documents against the official JSON schemas (CycloneDX 1.5 and 1.6 with their SPDX
// licence list and JSF, SPDX 2.3) as validated by the real ajv: node tests/ajv/validate.js.
// Each document kind is also shown to be rejected once broken, so a validator that accepts
// everything cannot pass.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/temp_dir.h"
#include "scan/sbom/cyclonedx.h"
#include "scan/sbom/sample_inventory_test.h"
#include "scan/sbom/spdx.h"

extern char** environ;

namespace bulwark::scan {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

std::string find_on_path(std::string_view program) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/local/bin:/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    fs::path candidate = fs::path(dir.empty() ? "." : dir) / program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return "";
}

struct Validation {
  int status = -1;     // validate.js's exit status: 0 valid, 1 invalid, 2 usage/I-O
  std::string output;  // its stdout and stderr
};

class SbomSchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* source = std::getenv("BULWARK_SOURCE_DIR");
    ASSERT_NE(source, nullptr) << "BULWARK_SOURCE_DIR is not set (run the test through ctest)";
    script_ = fs::path(source) / "tests" / "ajv" / "validate.js";
    // validate.js reads the official schemas from the shared test data.
    ASSERT_TRUE(fs::exists(fs::path(BULWARK_SCHEMA_DIR) / "spdx-2.3.schema.json"))
        << "the shared schemas are missing: " << BULWARK_SCHEMA_DIR;
    ::setenv("BULWARK_SCHEMA_DIR", BULWARK_SCHEMA_DIR, 1);
    node_ = find_on_path("node");
    ASSERT_FALSE(node_.empty()) << "node is not installed: run scripts/install-deps";
    ASSERT_TRUE(fs::exists(script_.parent_path() / "node_modules" / "ajv" / "package.json"))
        << "the npm packages of tests/ajv are not installed: run scripts/install-deps";
  }

  std::string write(std::string_view name, std::string_view content) {
    std::string path = dir_.file(name);
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  // Runs `node validate.js KIND FILES...` and waits for it.
  Validation validate(std::string_view kind, const std::vector<std::string>& files) {
    std::string log = dir_.file("validate.log");
    std::vector<std::string> args = {node_, script_.string(), std::string(kind)};
    args.insert(args.end(), files.begin(), files.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    pid_t pid = 0;
    int rc = posix_spawn(&pid, node_.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    Validation v;
    if (rc != 0) {
      v.output = "cannot start node";
      return v;
    }
    int wstatus = 0;
    while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
    }
    v.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
    std::ifstream in(log);
    v.output.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return v;
  }

  // The generated document with `change` applied to its parsed form.
  template <class F>
  std::string broken(const std::string& document, F change) {
    json::value doc = json::parse(document);
    change(doc.as_object());
    return json::serialize(doc);
  }

  TempDir dir_{"bulwark-sbom-schema"};
  fs::path script_;
  std::string node_;
};

// Richer than the unit-test sample: every optional path of the writers at least once.
Inventory rich_inventory() {
  Inventory inv = testing::sample_inventory();
  inv.packages.push_back(testing::make_package(
      "cargo", "", "serde", "1.0.193",
      {"MIT OR Apache-2.0", "GPL-2.0-only WITH Classpath-exception-2.0"}, "/app/Cargo.lock", 1));
  Package gem = testing::make_package("gem", "", "rails", "7.1.2", {"LicenseRef-Rails"},
                                      "/usr/lib/ruby/gems/specifications/rails.gemspec", 1);
  gem.dev = true;
  inv.packages.push_back(gem);
  inv.packages.push_back(testing::make_package("composer", "Symfony", "Console", "v6.4.1",
                                               {"\xC3\xA9trange \xFF licence"},
                                               "/app/composer.lock", 1));
  inv.packages.push_back(testing::make_package("nuget", "", "Newtonsoft.Json", "13.0.3", {"mit"},
                                               "/app/app.deps.json", 7));
  inv.packages.push_back(testing::make_package("apk", "", "", "", {""}, "", -1));  // all empty
  return inv;
}

TEST_F(SbomSchemaTest, CycloneDx15And16AreValid) {
  const Inventory inv = rich_inventory();
  for (int minor : {5, 6}) {
    std::string kind = "cyclonedx-1." + std::to_string(minor);
    std::string rich = write(kind + ".json", to_cyclonedx(inv, minor));
    std::string empty = write(kind + "-empty.json", to_cyclonedx(Inventory{}, minor));
    Validation v = validate(kind, {rich, empty});
    EXPECT_EQ(v.status, 0) << v.output;
    EXPECT_NE(v.output.find("ok " + rich), std::string::npos) << v.output;
    EXPECT_NE(v.output.find("ok " + empty), std::string::npos) << v.output;
  }
}

TEST_F(SbomSchemaTest, Spdx23IsValid) {
  std::string rich = write("spdx.json", to_spdx(rich_inventory()));
  std::string empty = write("spdx-empty.json", to_spdx(Inventory{}));
  Validation v = validate("spdx-2.3", {rich, empty});
  EXPECT_EQ(v.status, 0) << v.output;
  EXPECT_NE(v.output.find("ok " + rich), std::string::npos) << v.output;
}

TEST_F(SbomSchemaTest, BrokenCycloneDxIsRejected) {
  const std::string good = to_cyclonedx(rich_inventory(), 6);
  // A licence id that is not in the SPDX list.
  std::string bad_license = write("bad-license.json", broken(good, [](json::object& bom) {
                                    bom["components"].as_array()[1].as_object()["licenses"] =
                                        json::parse(R"([{"license":{"id":"Not-A-Real-License"}}])");
                                  }));
  // A malformed serial number.
  std::string bad_serial =
      write("bad-serial.json",
            broken(good, [](json::object& bom) { bom["serialNumber"] = "urn:uuid:not-a-uuid"; }));
  Validation v = validate("cyclonedx-1.6", {bad_license, bad_serial});
  EXPECT_EQ(v.status, 1) << v.output;
  EXPECT_NE(v.output.find("invalid " + bad_license), std::string::npos) << v.output;
  EXPECT_NE(v.output.find("invalid " + bad_serial), std::string::npos) << v.output;

  // A 1.6-only component type is valid 1.6 but not 1.5: the two schemas really differ.
  std::string crypto = write("crypto.json", broken(good, [](json::object& bom) {
                               bom["components"].as_array()[1].as_object()["type"] =
                                   "cryptographic-asset";
                             }));
  EXPECT_EQ(validate("cyclonedx-1.6", {crypto}).status, 0);
  v = validate("cyclonedx-1.5", {crypto});
  EXPECT_EQ(v.status, 1) << v.output;
}

TEST_F(SbomSchemaTest, BrokenSpdxIsRejected) {
  const std::string good = to_spdx(rich_inventory());
  std::string bad_relationship =
      write("bad-relationship.json", broken(good, [](json::object& doc) {
              doc["relationships"].as_array()[1].as_object()["relationshipType"] = "INCLUDES";
            }));
  std::string missing_id = write("missing-id.json", broken(good, [](json::object& doc) {
                                   doc["packages"].as_array()[2].as_object().erase("SPDXID");
                                 }));
  Validation v = validate("spdx-2.3", {bad_relationship, missing_id});
  EXPECT_EQ(v.status, 1) << v.output;
  EXPECT_NE(v.output.find("invalid " + bad_relationship), std::string::npos) << v.output;
  EXPECT_NE(v.output.find("invalid " + missing_id), std::string::npos) << v.output;
}

TEST_F(SbomSchemaTest, ValidatorUsageErrors) {
  std::string file = write("x.json", "{}");
  EXPECT_EQ(validate("cyclonedx-9.9", {file}).status, 2);
  EXPECT_EQ(validate("spdx-2.3", {dir_.file("missing.json")}).status, 2);
  EXPECT_EQ(validate("spdx-2.3", {write("not-json.json", "{")}).status, 2);
}

}  // namespace
}  // namespace bulwark::scan
