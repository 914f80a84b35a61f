# formats: the signature formats of cosign and Sigstore without any crypto (bundle.h, dsse.h,
# intoto.h, simple_signing.h, cosign_layout.h).
list(APPEND TRUST_FILES bundle.cc dsse.cc intoto.cc simple_signing.cc cosign_layout.cc)

function(trust_tests_formats)
  bulwark_test(trust_formats_test
    SOURCES bundle_test.cc dsse_test.cc intoto_test.cc simple_signing_test.cc
            cosign_layout_test.cc
    LIBS bulwark_trust)
  target_compile_definitions(trust_formats_test PRIVATE ${TRUST_TEST_DEFS})
endfunction()
