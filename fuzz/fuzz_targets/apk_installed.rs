//! apk's installed database through the apk cataloger.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = consign::fuzzing::catalog_file(&["apk-db-cataloger"], "lib/apk/db/installed", 0o644, data);
});
