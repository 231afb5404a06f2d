//! An executable's bytes through the Go build info extractor and the Go binary cataloger.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = consign::fuzzing::catalog_file(&["go-module-binary-cataloger"], "usr/local/bin/app", 0o755, data);
});
