# Feed importers: Debian security tracker (debian.cc), Alpine secdb (alpine.cc), CISA KEV
# (kev.cc), FIRST EPSS (epss.cc), with their shared helpers (feed_io.cc).
list(APPEND VULNDB_SOURCE_FILES
  sources/feed_io.cc sources/debian.cc sources/alpine.cc sources/kev.cc sources/epss.cc)

# Against the shared samples, checked by tests/vulndb/<feed>_expect.py, plus hostile inputs.
bulwark_test(vulndb_feeds_test
  SOURCES sources/feeds_test.cc
  LIBS bulwark_vulndb_sources)
target_compile_definitions(vulndb_feeds_test PRIVATE
  VULNDB_SHARED_DATA="${BULWARK_SHARED_DIR}/data"
  VULNDB_EXPECT_DIR="${PROJECT_SOURCE_DIR}/tests/vulndb")
