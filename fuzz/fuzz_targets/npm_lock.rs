//! npm lockfiles through the npm lock cataloger; the first byte picks the file:
//! package-lock.json, yarn.lock or pnpm-lock.yaml.
#![no_main]
use libfuzzer_sys::fuzz_target;

const PATHS: [&str; 3] = [
    "app/package-lock.json",
    "app/yarn.lock",
    "app/pnpm-lock.yaml",
];

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let path = PATHS[usize::from(which) % PATHS.len()];
    let _ = consign::fuzzing::catalog_file(&["npm-lock-cataloger"], path, 0o644, rest);
});
