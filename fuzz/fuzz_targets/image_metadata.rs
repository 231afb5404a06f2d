//! Image metadata (manifest.json / index.json, manifests, configs) through the planner. See
//! `consign::fuzzing::image_metadata` for the input layout (documents and digest placeholders).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = consign::fuzzing::image_metadata(data);
});
