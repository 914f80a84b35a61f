# notation: Notary Project signatures — a strict CBOR decoder for COSE (cbor.h), the JWS and COSE
# envelopes (notation/envelope.h), trust stores, trust policy documents and verification
# (notation/trust_store.h, notation/trust_policy.h, notation/verify.h).
list(APPEND TRUST_FILES cbor.cc notation/envelope.cc notation/jws.cc notation/cose.cc
                        notation/trust_store.cc notation/trust_policy.cc notation/verify.cc
                        notation/signature_manifest.cc)

function(trust_tests_notation)
  bulwark_test(trust_notation_test
    SOURCES cbor_test.cc notation/envelope_test.cc notation/trust_policy_test.cc
            notation/verify_test.cc notation/signature_manifest_test.cc notation/test_support.cc
    LIBS bulwark_trust)
  target_compile_definitions(trust_notation_test PRIVATE ${TRUST_TEST_DEFS})
endfunction()
