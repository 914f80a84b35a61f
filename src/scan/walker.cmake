# The layer walker and its tests (hostile archives, whiteouts, links).
list(APPEND SCAN_SOURCES layer_reader.cc walker.cc)
bulwark_test(scan_walker_test SOURCES walker_test.cc LIBS bulwark_scan PkgConfig::LIBARCHIVE)
