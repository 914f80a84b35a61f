# pki: keys, X.509 certificates, embedded SCTs and RFC 3161 timestamps (keys.h, x509.h, sct.h,
# rfc3161.h).
list(APPEND TRUST_FILES keys.cc x509.cc sct.cc rfc3161.cc)

function(trust_tests_pki)
  bulwark_test(trust_pki_test
    SOURCES keys_test.cc x509_test.cc sct_test.cc rfc3161_test.cc
    LIBS bulwark_trust)
  target_compile_definitions(trust_pki_test PRIVATE ${TRUST_TEST_DEFS})
endfunction()
