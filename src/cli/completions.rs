//! `consign completions SHELL`: a completion script for bash, zsh, fish, PowerShell or elvish
//! (clap_complete), generated from the same command definition the parser uses, so it always
//! knows every subcommand, flag and value.

use clap_complete::Shell;

use super::ExitStatus;

/// Examples shown by `consign completions --help`.
pub const EXAMPLES: &str = "\
Examples:
  source <(consign completions bash)                                # this bash session
  consign completions bash > ~/.local/share/bash-completion/completions/consign
  consign completions zsh > \"${fpath[1]}/_consign\"
  consign completions fish > ~/.config/fish/completions/consign.fish
  consign completions powershell >> $PROFILE";

/// Arguments of `consign completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    shell: Shell,
}

/// Writes the script for `a.shell` to stdout.
pub fn run(a: CompletionsArgs, mut cmd: clap::Command) -> anyhow::Result<ExitStatus> {
    let mut script = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "consign", &mut script);
    super::output::write_rendered(vec![(None, script)])?;
    Ok(ExitStatus::Success)
}
