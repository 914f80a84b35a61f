# vulndb store: the SQLite vulnerability database (store.cc) and the JSON form of one advisory
# (advisory_json.cc). Included by CMakeLists.txt before bulwark_vulndb is defined.
list(APPEND VULNDB_FILES store.cc advisory_json.cc)

# Imports of the shared feed samples (counts against the importers' own sinks), incremental
# re-imports, atomicity, concurrent readers, and the advisory JSON round trip.
function(vulndb_tests_store)
  bulwark_test(vulndb_store_test SOURCES store_test.cc LIBS bulwark_vulndb)
  target_compile_definitions(vulndb_store_test
    PRIVATE VULNDB_SHARED_DATA="${BULWARK_SHARED_DIR}/data")
endfunction()
