// A hand-built inventory for the SBOM writer tests: OS packages (deb with a source package, rpm
// with an epoch), scoped npm, maven inside a jar, golang, pypi, an unknown licence text, an
// expression, and two packages with the same purl. Test-only.
#pragma once

#include "scan/package.h"

namespace bulwark::scan::testing {

inline constexpr const char* kManifestDigest =
    "sha256:1111111111111111111111111111111111111111111111111111111111111111";
inline constexpr const char* kLayer0 =
    "sha256:aaaaaaaaaaaa0000000000000000000000000000000000000000000000000000";
inline constexpr const char* kLayer1 =
    "sha256:bbbbbbbbbbbb0000000000000000000000000000000000000000000000000000";

inline Package make_package(std::string type, std::string ns, std::string name, std::string version,
                            std::vector<std::string> licenses, std::string evidence, int layer) {
  Package p;
  p.type = std::move(type);
  p.namespace_ = std::move(ns);
  p.name = std::move(name);
  p.version = std::move(version);
  p.licenses = std::move(licenses);
  p.evidence = std::move(evidence);
  p.layer = layer;
  return p;
}

inline Inventory sample_inventory() {
  Inventory inv;
  inv.name = "docker.io/library/debian:12";
  inv.manifest_digest = kManifestDigest;
  inv.config_digest = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
  inv.platform = "linux/amd64";
  inv.created = "2024-01-11T22:23:49.123456789+01:00";
  inv.os =
      OsRelease{"debian", "12", "bookworm", "Debian GNU/Linux 12 (bookworm)", "/etc/os-release"};
  inv.layers = {LayerInfo{kLayer0, "sha256:d0", 1000, "ADD rootfs.tar.xz /"},
                LayerInfo{kLayer1, "sha256:d1", 2000, "COPY app /app"}};

  Package libssl = make_package("deb", "", "libssl3", "3.0.11-1~deb12u2", {"Apache-2.0"},
                                "/var/lib/dpkg/status", 0);
  libssl.arch = "amd64";
  libssl.source_name = "openssl";
  libssl.source_version = "3.0.11-1~deb12u2";
  Package bash =
      make_package("deb", "", "bash", "5.2.15-2+b2", {"GPL-3.0-or-later", "Bash Custom Licence"},
                   "/var/lib/dpkg/status", 0);
  bash.arch = "amd64";
  bash.source_name = "bash";
  Package vim = make_package("rpm", "redhat", "vim-minimal", "8.0.1763-19.el8_6.4", {"Vim"},
                             "/var/lib/rpm/rpmdb.sqlite", 0);
  vim.epoch = 2;
  vim.arch = "x86_64";
  vim.source_name = "vim-8.0.1763-19.el8_6.4.src.rpm";

  inv.packages = {
      libssl,
      bash,
      vim,
      make_package("npm", "@babel", "core", "7.23.0", {"MIT"},
                   "/app/node_modules/@babel/core/package.json", 1),
      make_package("npm", "", "dual", "1.0.0", {"(mit or Apache-2.0)"},
                   "/app/node_modules/dual/package.json", 1),
      make_package("npm", "", "ms", "2.1.3", {"MIT"}, "/app/node_modules/ms/package.json", 1),
      make_package("npm", "", "ms", "2.1.3", {"MIT"},
                   "/app/node_modules/debug/node_modules/ms/package.json", 1),
      make_package("maven", "org.apache.logging.log4j", "log4j-core", "2.17.1", {"Apache-2.0"},
                   "/app/app.jar!/BOOT-INF/lib/log4j-core-2.17.1.jar", 1),
      make_package("golang", "github.com/sirupsen", "logrus", "v1.9.3", {}, "/app/server", 1),
      make_package("pypi", "", "Django_Rest", "3.14.0", {"BSD License", "MIT"},
                   "/usr/lib/python3/dist-packages/Django_Rest-3.14.0.dist-info/METADATA", 1),
  };
  inv.warnings = {"/app/broken/package-lock.json: npm-lock: not valid JSON"};
  return inv;
}

}  // namespace bulwark::scan::testing
