//! dpkg's status database through the dpkg cataloger.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = consign::fuzzing::catalog_file(&["dpkg-db-cataloger"], "var/lib/dpkg/status", 0o644, data);
});
