# OSV importer (osv.cc): OSV JSON and the PyPA YAML form.
list(APPEND VULNDB_SOURCE_FILES sources/osv.cc)

# Against the shared samples, checked by tests/vulndb/osv_expect.py, plus hostile inputs.
bulwark_test(vulndb_osv_test
  SOURCES sources/osv_test.cc
  LIBS bulwark_vulndb_sources)
target_compile_definitions(vulndb_osv_test PRIVATE
  VULNDB_SHARED_DATA="${BULWARK_SHARED_DIR}/data"
  VULNDB_OSV_EXPECT_SCRIPT="${PROJECT_SOURCE_DIR}/tests/vulndb/osv_expect.py")
