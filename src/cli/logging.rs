//! Diagnostics on stderr: the `tracing` subscriber behind `-q` / `-v`, and whether stderr gets
//! colours (`NO_COLOR`).
//!
//! stdout carries only what a command produces (SBOMs, reports, digests), so that it can be
//! piped; everything else — warnings, `-v` progress notes, the batch summary, errors — goes to
//! stderr. Levels: `-q` errors only; default warnings; `-v` info; `-vv` debug; `-vvv` trace.
//! `CONSIGN_LOG` (tracing "targets" syntax, e.g. `consign=debug` or `info,consign::scan=trace`)
//! overrides the level for finer control. Lines look like `warning: message`; at debug and
//! trace the event's module is named too (`debug: consign::source: …`).
//!
//! Colour ([`color_enabled`]) follows <https://no-color.org>: a non-empty `NO_COLOR` turns it
//! off, a `CLICOLOR_FORCE` other than `0` turns it on, otherwise stderr must be a terminal whose
//! `TERM` is not `dumb`. clap colours `--help` by the same variables.

use std::fmt;
use std::io::IsTerminal;
use std::str::FromStr;

use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::FmtContext;
use tracing_subscriber::fmt::format::{FormatEvent, FormatFields, Writer};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;

/// The environment variable with a tracing targets filter that overrides `-q`/`-v`.
pub const LOG_ENV: &str = "CONSIGN_LOG";

/// Whether stderr gets ANSI colours; see the module docs.
pub fn color_enabled() -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    if set("NO_COLOR") {
        return false;
    }
    if std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0") {
        return true;
    }
    std::io::stderr().is_terminal() && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
}

/// `label` in bold `color` (an SGR colour number) when colours are on.
pub fn paint(label: &str, color: u8, on: bool) -> String {
    if on {
        format!("\x1b[1;{color}m{label}\x1b[0m")
    } else {
        label.to_owned()
    }
}

/// The level `-q` / `-v` select.
pub fn level(quiet: bool, verbose: u8) -> LevelFilter {
    match (quiet, verbose) {
        (true, _) => LevelFilter::ERROR,
        (false, 0) => LevelFilter::WARN,
        (false, 1) => LevelFilter::INFO,
        (false, 2) => LevelFilter::DEBUG,
        (false, _) => LevelFilter::TRACE,
    }
}

/// Installs the stderr subscriber. A malformed `CONSIGN_LOG` is an error naming it.
pub fn init(quiet: bool, verbose: u8) -> anyhow::Result<()> {
    let filter = match std::env::var(LOG_ENV) {
        Ok(spec) if !spec.trim().is_empty() => Targets::from_str(spec.trim())
            .map_err(|e| anyhow::anyhow!("{LOG_ENV}={spec:?}: {e}"))?,
        _ => Targets::new().with_default(level(quiet, verbose)),
    };
    let layer = tracing_subscriber::fmt::layer()
        .event_format(Plain {
            color: color_enabled(),
        })
        .with_writer(std::io::stderr);
    // A second init (tests calling `run` twice) keeps the first subscriber.
    let _ = tracing_subscriber::registry()
        .with(layer)
        .with(filter)
        .try_init();
    Ok(())
}

/// `level: message` lines, with the target at debug and trace.
struct Plain {
    color: bool,
}

impl<S, N> FormatEvent<S, N> for Plain
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut w: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let meta = event.metadata();
        let (label, color) = match *meta.level() {
            Level::ERROR => ("error", 31),
            Level::WARN => ("warning", 33),
            Level::INFO => ("info", 32),
            Level::DEBUG => ("debug", 34),
            Level::TRACE => ("trace", 35),
        };
        write!(w, "{}: ", paint(label, color, self.color))?;
        if *meta.level() >= Level::DEBUG {
            write!(w, "{}: ", meta.target())?;
        }
        ctx.field_format().format_fields(w.by_ref(), event)?;
        writeln!(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_wins_and_each_v_adds_a_level() {
        assert_eq!(level(false, 0), LevelFilter::WARN);
        assert_eq!(level(false, 1), LevelFilter::INFO);
        assert_eq!(level(false, 2), LevelFilter::DEBUG);
        assert_eq!(level(false, 7), LevelFilter::TRACE);
        assert_eq!(level(true, 3), LevelFilter::ERROR);
    }

    #[test]
    fn paint_only_when_on() {
        assert_eq!(paint("error", 31, false), "error");
        assert_eq!(paint("error", 31, true), "\x1b[1;31merror\x1b[0m");
    }
}
