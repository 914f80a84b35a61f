# vulndb bundle: `bulwark db import --from URL` (bundle.cc): download over bulwark_http_client,
# digest check, safe unpacking with libarchive, import. Included by CMakeLists.txt before
# bulwark_vulndb is defined, so its libraries go to VULNDB_LIBS (linked privately there).
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBARCHIVE REQUIRED IMPORTED_TARGET libarchive)
list(APPEND VULNDB_FILES bundle.cc)
list(APPEND VULNDB_LIBS bulwark_http_client PkgConfig::LIBARCHIVE Boost::url)

# Unpacking hostile and benign archives written here with libarchive (no network).
function(vulndb_tests_bundle)
  bulwark_test(vulndb_bundle_test SOURCES bundle_test.cc LIBS bulwark_vulndb PkgConfig::LIBARCHIVE)
endfunction()
