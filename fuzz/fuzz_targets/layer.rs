//! One layer blob (tar, gzip or zstd) through the layer reader, then every cataloger.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = consign::fuzzing::layer(data);
});
