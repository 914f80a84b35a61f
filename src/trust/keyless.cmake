# Keyless signing: ephemeral key, Fulcio certificate, Rekor entry, RFC 3161 timestamp, bundle.
# The test runs the round trip against the local mock services when node and the npm packages of
# tests/sigstore are there; tests/e2e_keyless.sh adds the npm verifiers and the CLI.
list(APPEND TRUST_FILES keyless_signer.cc)
function(trust_tests_keyless)
  bulwark_test(trust_keyless_test SOURCES keyless_signer_test.cc
               LIBS bulwark_trust bulwark_http_client)
  target_compile_definitions(trust_keyless_test PRIVATE ${TRUST_TEST_DEFS}
      KEYLESS_NODE_MODULES="${PROJECT_SOURCE_DIR}/tests/sigstore/node_modules")
endfunction()
