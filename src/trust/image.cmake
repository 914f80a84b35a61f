# Image-level provenance: finding an image's signatures in a registry (cosign tags, referrers),
# verifying them under a trust configuration, and signing images with a key.
list(APPEND TRUST_FILES image_signatures.cc image_signing.cc image_verify.cc)
function(trust_tests_image)
  bulwark_test(trust_image_test SOURCES image_test.cc verdict_test.cc LIBS bulwark_trust)
  target_compile_definitions(trust_image_test PRIVATE ${TRUST_TEST_DEFS})
endfunction()
