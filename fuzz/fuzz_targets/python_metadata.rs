//! A wheel's METADATA (core metadata) through the Python installed cataloger.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = consign::fuzzing::catalog_file(&["python-installed-cataloger"], "usr/lib/python3/site-packages/pkg-1.0.dist-info/METADATA", 0o644, data);
});
