# Package URLs (purl.cc) and the SBOM writers (sbom/): CycloneDX 1.5/1.6, SPDX 2.3, a table, and
# the table of output formats. sbom/spdx_license_ids.inc is generated from the CycloneDX schemas'
# SPDX licence list by sbom/gen_spdx_license_ids.py (committed; regenerate when the list changes).
list(APPEND SCAN_SOURCES
  purl.cc sbom/common.cc sbom/license.cc sbom/cyclonedx.cc sbom/spdx.cc sbom/table.cc sbom/format.cc)

# Unit tests: purl-spec test vectors, licence classification, exact fields and determinism of
# every writer on a hand-built inventory.
bulwark_test(scan_sbom_test
  SOURCES purl_test.cc sbom/license_test.cc sbom/common_test.cc sbom/cyclonedx_test.cc
          sbom/spdx_test.cc sbom/table_test.cc sbom/format_test.cc
  LIBS bulwark_scan)

# The documents against the official JSON schemas with real ajv: node tests/ajv/validate.js
# (npm ajv + ajv-formats, installed by scripts/install-deps) and ../shared/data/schemas.
bulwark_test(scan_sbom_schema_test SOURCES sbom/schema_test.cc LIBS bulwark_scan)
target_compile_definitions(scan_sbom_schema_test PRIVATE
  BULWARK_SCHEMA_DIR="${BULWARK_SHARED_DIR}/data/schemas")
