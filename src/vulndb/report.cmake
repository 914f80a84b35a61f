# vulndb reports: one file per output format (report/), the format table (report/formats.cc) and
# ignore files (ignore.cc). Included by CMakeLists.txt before bulwark_vulndb is defined.
list(APPEND VULNDB_FILES report/common.cc report/formats.cc report/table.cc report/json.cc
     report/sarif.cc report/cyclonedx_vex.cc ignore.cc)

# Each format's content from a hand-built report (JSON outputs parsed back), the CycloneDX VEX and
# SARIF documents against their official JSON schemas (ajv, tests/ajv; skipped when node or the
# validator's node_modules are missing), and ignore files.
function(vulndb_tests_report)
  # The writers reuse the SBOM writers' text and naming helpers (scan/sbom/common.h).
  target_link_libraries(bulwark_vulndb PUBLIC bulwark_scan)
  bulwark_test(vulndb_report_test SOURCES report/report_test.cc ignore_test.cc LIBS bulwark_vulndb)
  target_compile_definitions(vulndb_report_test PRIVATE
    VULNDB_AJV_VALIDATE="${PROJECT_SOURCE_DIR}/tests/ajv/validate.js"
    VULNDB_SCHEMA_DIR="${BULWARK_SHARED_DIR}/data/schemas")
endfunction()
