# The matcher: package-side helpers (match.cc) and the index with the matching itself
# (match_index.cc).
list(APPEND VULNDB_FILES match.cc match_index.cc)

# Synthetic advisories for every rule, plus the real Go vulndb and Alpine secdb samples read by
# their importers (expected findings derived from the sample files by hand, cited in the test).
function(vulndb_tests_match)
  bulwark_test(vulndb_match_test SOURCES match_test.cc LIBS bulwark_vulndb)
  target_compile_definitions(vulndb_match_test PRIVATE
    VULNDB_SHARED_DATA="${BULWARK_SHARED_DIR}/data")
endfunction()
