//! A Java archive (jar/war/ear, with nested archives) through the Java archive extractor and cataloger.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = consign::fuzzing::catalog_file(&["java-archive-cataloger"], "opt/app/lib/app.jar", 0o644, data);
});
