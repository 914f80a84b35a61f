# engine: verification of Sigstore bundles and cosign signatures against a trusted root and a
# key-based or keyless policy (sigstore_verify.h).
list(APPEND TRUST_FILES sigstore_verify.cc)

function(trust_tests_engine)
  bulwark_test(trust_engine_test
    SOURCES sigstore_verify_test.cc
    LIBS bulwark_trust)
  target_compile_definitions(trust_engine_test PRIVATE ${TRUST_TEST_DEFS})
endfunction()
