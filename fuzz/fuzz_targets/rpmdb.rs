//! An rpm database through the rpm cataloger; the first byte picks the format: sqlite, NDB
//! (Packages.db), BerkeleyDB (Packages) or the Mariner text manifest.
#![no_main]
use libfuzzer_sys::fuzz_target;

const PATHS: [&str; 4] = [
    "var/lib/rpm/rpmdb.sqlite",
    "usr/lib/sysimage/rpm/Packages.db",
    "var/lib/rpm/Packages",
    "var/lib/rpmmanifest/container-manifest-2",
];

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let path = PATHS[usize::from(which) % PATHS.len()];
    let _ = consign::fuzzing::catalog_file(&["rpm-db-cataloger"], path, 0o644, rest);
});
