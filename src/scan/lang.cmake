# Language-package analyzers: JavaScript (npm, yarn, pnpm), Python, Ruby, PHP, .NET.
list(APPEND SCAN_SOURCES
  analyzers/lang_common.cc
  analyzers/npm.cc analyzers/yarn.cc analyzers/pnpm.cc analyzers/python.cc analyzers/ruby.cc
  analyzers/php.cc analyzers/dotnet.cc)

# Unit tests over hand-written, real-world-shaped samples in analyzers/testdata/lang.
bulwark_test(scan_lang_test
  SOURCES analyzers/npm_test.cc analyzers/yarn_test.cc
          analyzers/pnpm_test.cc analyzers/python_test.cc analyzers/ruby_test.cc
          analyzers/php_test.cc analyzers/dotnet_test.cc
  LIBS bulwark_scan)
target_compile_definitions(scan_lang_test PRIVATE
  SCAN_LANG_TESTDATA_DIR="${CMAKE_CURRENT_SOURCE_DIR}/analyzers/testdata/lang")

# The npm analyzers against a real tree: `npm ci` of shared/data/vulndb/npm-tree (needs npm and
# the npm registry) and `npm ls --all --json` as the independent answer.
bulwark_test(scan_npm_tree_test SOURCES analyzers/npm_tree_test.cc LIBS bulwark_scan)
target_compile_definitions(scan_npm_tree_test PRIVATE
  NPM_TREE_DIR="${BULWARK_SHARED_DIR}/data/vulndb/npm-tree")

# kPythonMetadataAnalyzer against the installed Python distributions of this machine, compared
# with python3's importlib.metadata (needs python3).
bulwark_test(scan_python_installed_test SOURCES analyzers/python_installed_test.cc LIBS bulwark_scan)
