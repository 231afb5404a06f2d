//! The Dockerfile parser used by the audit's build checks.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let d = consign::audit::dockerfile::Dockerfile::parse(&text, "Dockerfile");
    let _ = d.final_base();
});
