# Image sources: docker:// (registries), oci: (layout directories), docker-archive: (docker save
# tars), and images stored in Bulwark itself. Tests run a real docker-registry and skopeo.
list(APPEND SCAN_SOURCE_SOURCES source/open_images.cc source/manifests.cc source/config.cc
     source/layout.cc source/oci_layout.cc source/docker_archive.cc source/registry.cc
     source/pipe_stream.cc source/stored.cc)
bulwark_test(scan_source_test SOURCES source/source_test.cc source/registry_test.cc
             LIBS bulwark_scan_source bulwark_http_client)
