# The NVD CVE API 2.0 importer (nvd.cc).
list(APPEND VULNDB_SOURCE_FILES sources/nvd.cc)

# Against the shared NVD samples, checked by tests/vulndb/nvd_expect.py, plus hostile inputs.
bulwark_test(vulndb_nvd_test
  SOURCES sources/nvd_test.cc
  LIBS bulwark_vulndb_sources)
target_compile_definitions(vulndb_nvd_test PRIVATE
  VULNDB_SHARED_DATA="${BULWARK_SHARED_DIR}/data"
  VULNDB_EXPECT_DIR="${PROJECT_SOURCE_DIR}/tests/vulndb")
