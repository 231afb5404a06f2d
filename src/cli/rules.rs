//! `consign rules [explain ID]`: the audit rules and their documentation.

use anyhow::bail;
use consign::audit::registry;

use super::ExitStatus;

/// Examples shown by `consign rules --help`.
pub const EXAMPLES: &str = "\
Examples:
  consign rules list                     # ID, name, default severity, on/off, title
  consign rules explain IMG001           # what it flags, why, how to fix, a policy example
  consign rules explain runs-as-root     # the same, by name";

/// Arguments of `consign rules`.
#[derive(Debug, clap::Args)]
pub struct RulesArgs {
    #[command(subcommand)]
    command: Option<RulesCommand>,
}

#[derive(Debug, clap::Subcommand)]
enum RulesCommand {
    /// List every rule: ID, name, default severity, whether it is on by default, title.
    #[command(after_long_help = EXAMPLES)]
    List,
    /// Print a rule's documentation: what it flags, why it matters, how to fix it, a policy
    /// example.
    #[command(after_long_help = EXAMPLES)]
    Explain {
        /// Rule ID (`IMG001`) or name (`runs-as-root`).
        rule: String,
    },
}

/// Runs `consign rules`.
pub fn run(a: RulesArgs) -> anyhow::Result<ExitStatus> {
    match a.command.unwrap_or(RulesCommand::List) {
        RulesCommand::List => {
            for m in registry::rules() {
                println!(
                    "{:<7} {:<26} {:<8} {:<3} {}",
                    m.id,
                    m.name,
                    m.severity.as_str(),
                    if m.default_enabled { "on" } else { "off" },
                    m.title
                );
            }
        }
        RulesCommand::Explain { rule } => {
            let Some(m) = registry::lookup(&rule) else {
                bail!("no rule {rule:?}; `consign rules` lists them");
            };
            println!("# {} {}: {}\n", m.id, m.name, m.title);
            println!(
                "Default severity: {}. {}.\n",
                m.severity,
                if m.default_enabled {
                    "On by default"
                } else {
                    "Off by default"
                }
            );
            print!("{}", m.explanation());
        }
    }
    Ok(ExitStatus::Success)
}
