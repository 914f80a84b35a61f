# Operating system analyzers: os-release and release files, dpkg, apk, rpm (BerkeleyDB, ndb and
# SQLite rpmdbs, read without libdb/librpm).
list(APPEND SCAN_SOURCES
  analyzers/os_release.cc analyzers/dpkg.cc analyzers/apk.cc analyzers/rpm.cc
  analyzers/rpm_header.cc analyzers/rpm_bdb.cc analyzers/rpm_ndb.cc analyzers/rpm_sqlite.cc)

# Unit tests, and comparisons with independent answers: the shell's reading of os-release files,
# `rpm -qa` of the shared SQLite rpmdb, and go-rpmdb's recorded `rpm -qa` lists for the real CentOS
# BerkeleyDB files shipped by Debian's golang-github-knqyf263-go-rpmdb-dev (scripts/install-deps).
bulwark_test(scan_os_test
  SOURCES analyzers/os_release_test.cc analyzers/dpkg_test.cc analyzers/apk_test.cc
          analyzers/rpm_test.cc
  LIBS bulwark_scan SQLite::SQLite3)
target_compile_definitions(scan_os_test PRIVATE
  SCAN_OS_TESTDATA="${CMAKE_CURRENT_SOURCE_DIR}/analyzers/testdata"
  BULWARK_SHARED_DATA="${BULWARK_SHARED_DIR}/data")

# kDpkgAnalyzer against dpkg-query on a real debootstrapped Debian bookworm (minbase). The tree is
# built once per build directory by tests/make-rootfs.sh, as the CTest fixture
# `scan_bookworm_rootfs` (other tests may require it too and read BULWARK_ROOTFS).
set(SCAN_BOOKWORM_ROOTFS ${CMAKE_BINARY_DIR}/fixtures/bookworm-minbase)
add_test(NAME scan_make_bookworm_rootfs
         COMMAND bash ${PROJECT_SOURCE_DIR}/tests/make-rootfs.sh ${SCAN_BOOKWORM_ROOTFS})
set_tests_properties(scan_make_bookworm_rootfs PROPERTIES
  FIXTURES_SETUP scan_bookworm_rootfs TIMEOUT 900)
add_executable(scan_os_rootfs_test analyzers/os_rootfs_test.cc)
target_link_libraries(scan_os_rootfs_test PRIVATE bulwark_scan GTest::gtest GTest::gtest_main)
target_compile_definitions(scan_os_rootfs_test PRIVATE
  SCAN_MAKE_ROOTFS="${PROJECT_SOURCE_DIR}/tests/make-rootfs.sh"
  SCAN_DEFAULT_ROOTFS="${SCAN_BOOKWORM_ROOTFS}")
gtest_discover_tests(scan_os_rootfs_test DISCOVERY_TIMEOUT 60
  PROPERTIES ENVIRONMENT "BULWARK_ROOTFS=${SCAN_BOOKWORM_ROOTFS}"
             FIXTURES_REQUIRED scan_bookworm_rootfs TIMEOUT 900)
