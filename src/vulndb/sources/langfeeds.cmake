# Language-ecosystem feed importers: RustSec (rustsec.cc), RubySec (rubysec.cc), FriendsOfPHP
# (friendsofphp.cc), with their shared version-requirement mapping and per-file record reading.
list(APPEND VULNDB_SOURCE_FILES
  sources/version_requirements.cc sources/record_files.cc
  sources/rustsec.cc sources/rubysec.cc sources/friendsofphp.cc)

# Against the shared samples, checked by tests/vulndb/<feed>_expect.py, plus hostile inputs.
bulwark_test(vulndb_langfeeds_test
  SOURCES sources/langfeeds_test.cc
  LIBS bulwark_vulndb_sources)
target_compile_definitions(vulndb_langfeeds_test PRIVATE
  VULNDB_SHARED_DATA="${BULWARK_SHARED_DIR}/data"
  VULNDB_EXPECT_DIR="${PROJECT_SOURCE_DIR}/tests/vulndb")
