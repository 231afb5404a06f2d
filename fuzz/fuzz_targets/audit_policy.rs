//! The audit policy file (TOML) through parsing and validation.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = consign::audit::policy::ValidPolicy::from_toml(text, "fuzz.toml");
    }
});
