//! Running the real `consign` binary as a user runs it: a cleared environment, a fixed
//! `SOURCE_DATE_EPOCH`.

use std::process::{Command, Output};

/// The binary with a cleared environment.
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_consign"));
    c.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("SOURCE_DATE_EPOCH", "1700000000");
    c
}

/// Runs the binary with `args`.
pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run consign")
}

/// stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
