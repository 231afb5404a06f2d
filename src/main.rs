//! The `consign` binary: parse arguments (over config-file and environment defaults), set up
//! stderr logging, run, map the outcome to an exit code (0 success, 1 findings, 2 error).

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut verbose = 0;
    let result = cli::parse().and_then(|args| {
        verbose = args.verbose;
        cli::logging::init(args.quiet, args.verbose)?;
        cli::run(args)
    });
    match result {
        Ok(status) => status.code(),
        Err(err) if cli::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            cli::report(&err, verbose);
            ExitCode::from(2)
        }
    }
}
