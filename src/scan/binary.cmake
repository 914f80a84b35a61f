# Analyzers of compiled artefacts: Go binaries and go.mod, Cargo.lock and cargo-auditable
# binaries, Java archives (analyzers/{go,rust,java}.cc, with the bounds-checked ELF reader).
list(APPEND SCAN_SOURCES analyzers/elf.cc analyzers/go.cc analyzers/rust.cc analyzers/java.cc)

# The tests build real inputs with the real tools (go, cc + objcopy + python3, javac + jar) in
# temporary directories, without network access.
bulwark_test(scan_go_test SOURCES analyzers/go_test.cc LIBS bulwark_scan)
bulwark_test(scan_rust_test SOURCES analyzers/rust_test.cc LIBS bulwark_scan)
bulwark_test(scan_java_test SOURCES analyzers/java_test.cc LIBS bulwark_scan)
