#include "scan/purl.h"

#include <gtest/gtest.h>

namespace bulwark::scan {
namespace {

struct Vector {
  PurlParts parts;
  const char* expected;
};

// "build" test vectors of package-url/purl-spec (tests/types/*-test.json) for the types we report.
const Vector kSpecVectors[] = {
    {{"deb", "debian", "curl", "7.50.3-1", {{"arch", "i386"}, {"distro", "jessie"}}, ""},
     "pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie"},
    {{"deb", "ubuntu", "dpkg", "1.19.0.4", {{"arch", "amd64"}}, ""},
     "pkg:deb/ubuntu/dpkg@1.19.0.4?arch=amd64"},
    {{"deb", "debian", "attr", "1:2.4.47-2", {{"arch", "source"}}, ""},
     "pkg:deb/debian/attr@1:2.4.47-2?arch=source"},
    {{"deb", "debian", "attr", "1:2.4.47-2+b1", {{"arch", "amd64"}}, ""},
     "pkg:deb/debian/attr@1:2.4.47-2%2Bb1?arch=amd64"},
    {{"rpm", "fedora", "curl", "7.50.3-1.fc25", {{"arch", "i386"}, {"distro", "fedora-25"}}, ""},
     "pkg:rpm/fedora/curl@7.50.3-1.fc25?arch=i386&distro=fedora-25"},
    {{"rpm",
      "",
      "centerim",
      "4.22.10-1.el6",
      {{"arch", "i686"}, {"epoch", "1"}, {"distro", "fedora-25"}},
      ""},
     "pkg:rpm/centerim@4.22.10-1.el6?arch=i686&distro=fedora-25&epoch=1"},
    {{"npm", "@angular", "animation", "12.3.1", {}, ""}, "pkg:npm/%40angular/animation@12.3.1"},
    {{"npm", "", "foobar", "12.3.1", {}, ""}, "pkg:npm/foobar@12.3.1"},
    {{"npm",
      "",
      "mypackage",
      "12.4.5",
      {{"vcs_url", "git://host.com/path/to/repo.git@4345abcd34343"}},
      ""},
     "pkg:npm/mypackage@12.4.5?vcs_url=git://host.com/path/to/repo.git%404345abcd34343"},
    {{"pypi", "", "My.PyPI_.--._Package", "1.11.1.dev1", {}, ""},
     "pkg:pypi/my-pypi-package@1.11.1.dev1"},
    {{"pypi", "", "django", "1.11.1", {{"filename", "Django-1.11.1-py2.py3-none-any.whl"}}, ""},
     "pkg:pypi/django@1.11.1?filename=Django-1.11.1-py2.py3-none-any.whl"},
    {{"pypi", "", "django-allauth", "12.23", {}, ""}, "pkg:pypi/django-allauth@12.23"},
    {{"golang", "github.com/gorilla", "context", "234fd47e07d1004f0aed9c", {}, ""},
     "pkg:golang/github.com/gorilla/context@234fd47e07d1004f0aed9c"},
    {{"golang", "google.golang.org", "genproto", "abcdedf", {}, "googleapis/api/annotations"},
     "pkg:golang/google.golang.org/genproto@abcdedf#googleapis/api/annotations"},
    {{"golang", "github.com/gorilla", "context", "234fd47e07d1004f0aed9c", {}, "api"},
     "pkg:golang/github.com/gorilla/context@234fd47e07d1004f0aed9c#api"},
    {{"maven", "org.apache.commons", "io", "1.3.4", {}, ""},
     "pkg:maven/org.apache.commons/io@1.3.4"},
    {{"maven", "org.apache.commons", "io", "", {}, ""}, "pkg:maven/org.apache.commons/io"},
    {{"maven", "HTTPClient", "HTTPClient", "0.3-3", {}, ""},
     "pkg:maven/HTTPClient/HTTPClient@0.3-3"},
    {{"maven", "mygroup", "myartifact", "1.0.0 Final", {{"mykey", "my value"}}, ""},
     "pkg:maven/mygroup/myartifact@1.0.0%20Final?mykey=my%20value"},
    {{"maven",
      "org.apache.xmlgraphics",
      "batik-anim",
      "1.9.1",
      {{"type", "zip"}, {"classifier", "dist"}},
      ""},
     "pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1?classifier=dist&type=zip"},
    {{"maven",
      "org.apache.xmlgraphics",
      "batik-anim",
      "1.9.1",
      {{"classifier", "sources"}, {"repository_url", "repo.spring.io/release"}},
      ""},
     "pkg:maven/org.apache.xmlgraphics/"
     "batik-anim@1.9.1?classifier=sources&repository_url=repo.spring.io/release"},
    {{"maven", "groovy", "groovy", "1.0", {{"repository_url", "https://maven.google.com"}}, ""},
     "pkg:maven/groovy/groovy@1.0?repository_url=https://maven.google.com"},
    {{"apk", "alpine", "curl", "7.83.0-r0", {{"arch", "x86"}}, ""},
     "pkg:apk/alpine/curl@7.83.0-r0?arch=x86"},
    {{"cargo", "", "rand", "0.7.2", {}, ""}, "pkg:cargo/rand@0.7.2"},
    {{"composer", "laravel", "laravel", "5.5.0", {}, ""}, "pkg:composer/laravel/laravel@5.5.0"},
    {{"gem", "", "jruby-launcher", "1.1.2", {{"platform", "java"}}, ""},
     "pkg:gem/jruby-launcher@1.1.2?platform=java"},
    {{"nuget", "", "EnterpriseLibrary.Common", "6.0.1304", {}, ""},
     "pkg:nuget/EnterpriseLibrary.Common@6.0.1304"},
    {{"oci", "", "hello-wasm", "sha256:244fd47e07d10", {{"tag", "v1"}}, ""},
     "pkg:oci/hello-wasm@sha256:244fd47e07d10?tag=v1"},
};

TEST(BuildPurl, PurlSpecTestVectors) {
  for (const auto& v : kSpecVectors) {
    EXPECT_EQ(build_purl(v.parts), v.expected) << v.expected;
  }
}

TEST(BuildPurl, TypeCaseRules) {
  EXPECT_EQ(build_purl({"DEB", "Debian", "Curl", "1", {}, ""}), "pkg:deb/debian/curl@1");
  EXPECT_EQ(build_purl({"npm", "@MyScope", "MyPackage", "1.0.0", {}, ""}),
            "pkg:npm/%40myscope/mypackage@1.0.0");
  EXPECT_EQ(build_purl({"composer", "Vendor", "Name", "1", {}, ""}), "pkg:composer/vendor/name@1");
  // rpm names are case-sensitive; its vendor is not.
  EXPECT_EQ(build_purl({"rpm", "Fedora", "NetworkManager", "1", {}, ""}),
            "pkg:rpm/fedora/NetworkManager@1");
  // Go module paths are case-sensitive (github.com/Azure/...).
  EXPECT_EQ(build_purl({"golang", "github.com/Azure", "go-autorest", "v14.2.0", {}, ""}),
            "pkg:golang/github.com/Azure/go-autorest@v14.2.0");
}

TEST(BuildPurl, Encoding) {
  // Only unreserved characters and ':' stay as they are; '/' inside a name is encoded.
  EXPECT_EQ(build_purl({"generic", "", "a/b c", "1.0+x~y:z", {}, ""}),
            "pkg:generic/a%2Fb%20c@1.0%2Bx~y:z");
  EXPECT_EQ(build_purl({"generic", "", "caf\xC3\xA9", "", {}, ""}), "pkg:generic/caf%C3%A9");
  // Namespace segments are encoded one by one; empty segments disappear.
  EXPECT_EQ(build_purl({"golang", "/example.com//a b/", "x", "", {}, ""}),
            "pkg:golang/example.com/a%20b/x");
  // Qualifier values: '&', '=', '?', '#', '@' and '+' are encoded, '/' and ':' are not.
  EXPECT_EQ(build_purl({"generic", "", "x", "", {{"k", "a&b=c?d#e@f+g/h:i"}}, ""}),
            "pkg:generic/x?k=a%26b%3Dc%3Fd%23e%40f%2Bg/h:i");
}

TEST(BuildPurl, QualifiersSortedEmptyDroppedFirstWins) {
  EXPECT_EQ(build_purl({"deb",
                        "debian",
                        "x",
                        "1",
                        {{"upstream", "src"}, {"Arch", "amd64"}, {"distro", ""}, {"arch", "i386"}},
                        ""}),
            "pkg:deb/debian/x@1?arch=amd64&upstream=src");
  EXPECT_EQ(build_purl({"deb", "debian", "x", "1", {{"distro", ""}}, ""}), "pkg:deb/debian/x@1");
}

TEST(BuildPurl, SubpathDropsDotSegments) {
  EXPECT_EQ(build_purl({"npm", "", "core", "2.0.1", {}, "/googleapis/./../api/annotations/"}),
            "pkg:npm/core@2.0.1#googleapis/api/annotations");
}

OsRelease os(std::string family, std::string version) {
  return OsRelease{std::move(family), std::move(version), "", "", ""};
}

Package pkg(std::string type, std::string ns, std::string name, std::string version) {
  Package p;
  p.type = std::move(type);
  p.namespace_ = std::move(ns);
  p.name = std::move(name);
  p.version = std::move(version);
  return p;
}

TEST(PurlOf, DebianPackageWithSourcePackage) {
  Package p = pkg("deb", "", "libssl3", "3.0.11-1~deb12u2");
  p.arch = "amd64";
  p.source_name = "openssl";
  EXPECT_EQ(purl_of(p, os("debian", "12")),
            "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl");
  // Same source name as the package: no upstream qualifier.
  p.name = "openssl";
  EXPECT_EQ(purl_of(p, os("debian", "12")),
            "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12");
}

TEST(PurlOf, DebianEpochStaysInTheVersion) {
  Package p = pkg("deb", "", "attr", "1:2.4.47-2+b1");
  p.arch = "amd64";
  EXPECT_EQ(purl_of(p, os("ubuntu", "22.04")),
            "pkg:deb/ubuntu/attr@1:2.4.47-2%2Bb1?arch=amd64&distro=ubuntu-22.04");
}

TEST(PurlOf, RpmVendorsEpochAndUpstream) {
  Package p = pkg("rpm", "", "vim-minimal", "8.0.1763-19.el8_6.4");
  p.arch = "x86_64";
  p.epoch = 2;
  p.source_name = "vim-8.0.1763-19.el8_6.4.src.rpm";
  EXPECT_EQ(purl_of(p, os("rhel", "8.9")),
            "pkg:rpm/redhat/vim-minimal@8.0.1763-19.el8_6.4?arch=x86_64&distro=rhel-8.9&epoch=2"
            "&upstream=vim-8.0.1763-19.el8_6.4.src.rpm");
  p.source_name.clear();
  p.epoch = 0;  // epoch 0 is the same as none
  EXPECT_EQ(purl_of(p, os("rocky", "9.3")),
            "pkg:rpm/rocky/vim-minimal@8.0.1763-19.el8_6.4?arch=x86_64&distro=rocky-9.3");
  EXPECT_EQ(purl_of(p, os("almalinux", "9.3")),
            "pkg:rpm/almalinux/vim-minimal@8.0.1763-19.el8_6.4?arch=x86_64&distro=almalinux-9.3");
  EXPECT_EQ(purl_of(p, os("amzn", "2023")),
            "pkg:rpm/amzn/vim-minimal@8.0.1763-19.el8_6.4?arch=x86_64&distro=amzn-2023");
  EXPECT_EQ(purl_of(p, os("ol", "8.9")),
            "pkg:rpm/oracle/vim-minimal@8.0.1763-19.el8_6.4?arch=x86_64&distro=ol-8.9");
}

TEST(PurlOf, AlpineDistroIsTheVersion) {
  Package p = pkg("apk", "", "musl", "1.2.4_git20230717-r4");
  p.arch = "x86_64";
  p.source_name = "musl";
  EXPECT_EQ(purl_of(p, os("alpine", "3.19.1")),
            "pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=3.19.1");
  p.name = "musl-utils";
  EXPECT_EQ(
      purl_of(p, os("alpine", "3.19.1")),
      "pkg:apk/alpine/musl-utils@1.2.4_git20230717-r4?arch=x86_64&distro=3.19.1&upstream=musl");
}

TEST(PurlOf, OsPackageWithoutOsOrWithExplicitVendor) {
  Package p = pkg("deb", "", "bash", "5.2");
  EXPECT_EQ(purl_of(p, std::nullopt), "pkg:deb/bash@5.2");
  p.namespace_ = "ubuntu";
  EXPECT_EQ(purl_of(p, os("debian", "12")), "pkg:deb/ubuntu/bash@5.2?distro=debian-12");
  // An OS without a version gives no distro qualifier.
  p.namespace_.clear();
  EXPECT_EQ(purl_of(p, os("debian", "")), "pkg:deb/debian/bash@5.2");
}

TEST(PurlOf, LanguagePackagesIgnoreTheOs) {
  const auto debian = os("debian", "12");
  EXPECT_EQ(purl_of(pkg("npm", "@babel", "core", "7.23.0"), debian),
            "pkg:npm/%40babel/core@7.23.0");
  EXPECT_EQ(purl_of(pkg("pypi", "", "Django_Rest", "3.14.0"), debian),
            "pkg:pypi/django-rest@3.14.0");
  EXPECT_EQ(purl_of(pkg("golang", "github.com/foo", "bar", "v1.2.3"), debian),
            "pkg:golang/github.com/foo/bar@v1.2.3");
  EXPECT_EQ(purl_of(pkg("maven", "org.apache.logging.log4j", "log4j-core", "2.17.1"), debian),
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1");
  EXPECT_EQ(purl_of(pkg("cargo", "", "serde", "1.0.193"), debian), "pkg:cargo/serde@1.0.193");
  EXPECT_EQ(purl_of(pkg("gem", "", "rails", "7.1.2"), debian), "pkg:gem/rails@7.1.2");
  EXPECT_EQ(purl_of(pkg("composer", "symfony", "console", "v6.4.1"), debian),
            "pkg:composer/symfony/console@v6.4.1");
  EXPECT_EQ(purl_of(pkg("nuget", "", "Newtonsoft.Json", "13.0.3"), debian),
            "pkg:nuget/Newtonsoft.Json@13.0.3");
}

}  // namespace
}  // namespace bulwark::scan
