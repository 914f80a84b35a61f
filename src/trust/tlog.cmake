# tlog: Sigstore trusted roots, RFC 6962/9162 Merkle proofs, signed-note checkpoints and Rekor
# entries (trusted_root.h, merkle.h, checkpoint.h, rekor.h).
list(APPEND TRUST_FILES trusted_root.cc merkle.cc checkpoint.cc rekor.cc)

function(trust_tests_tlog)
  bulwark_test(trust_tlog_test
    SOURCES trusted_root_test.cc merkle_test.cc checkpoint_test.cc rekor_test.cc
    LIBS bulwark_trust)
  target_compile_definitions(trust_tlog_test PRIVATE ${TRUST_TEST_DEFS})
endfunction()
