//! One rpm header blob (a database record) through the header parser and the package builder.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = consign::fuzzing::rpm_header(data);
});
