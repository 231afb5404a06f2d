//! A whole image archive (docker save or OCI layout in a tar): read in one streaming pass, as
//! `consign scan -` does, and from a file, as `consign scan FILE` does (seekable tar index,
//! layers in parallel, full scan).
#![no_main]
use std::io::Write;

use consign::scan::{ScanOptions, scan};
use consign::source::SourceSpec;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = consign::fuzzing::image_stream(data);
    let dir = if std::path::Path::new("/dev/shm").is_dir() {
        std::path::PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    let Ok(mut f) = tempfile::Builder::new().suffix(".tar").tempfile_in(dir) else {
        return;
    };
    if f.write_all(data).and_then(|()| f.flush()).is_err() {
        return;
    }
    let spec = SourceSpec::Auto(f.path().to_path_buf());
    let mut opts = ScanOptions::default();
    opts.load.limits.max_layer_bytes = 64 << 20;
    let _ = scan(&spec, &opts);
});
