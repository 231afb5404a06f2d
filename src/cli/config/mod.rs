//! Defaults from a config file: `./consign.toml`, then `$XDG_CONFIG_HOME/consign/config.toml`
//! (`~/.config/consign/config.toml` when `XDG_CONFIG_HOME` is unset).
//!
//! Precedence, highest first: a flag on the command line, its `CONSIGN_*` environment variable,
//! `./consign.toml`, the user's config file, the built-in default. The two files are merged key
//! by key. `CONSIGN_CONFIG=FILE` reads only FILE instead (an empty value reads none).
//!
//! Every key is the long name of the flag it sets, in a section named after the subcommand
//! (`[registry]` sets `--insecure-registry` / `--registry-ca` of `sbom`, `audit`, `attach`
//! and `referrers`); unknown sections and keys are errors. A value is checked here, so a mistake is
//! reported as `FILE:LINE:COLUMN: [section] key: cause`, not as a bad flag. Paths of inputs
//! (`policy`, `base-catalog`, `key`, `ca`) are relative to the file that names them; output
//! paths (`output`) to the working directory, like `-o`.
//!
//! The values become clap default values ([`Config::apply`]), which is what makes the command
//! line and the environment win, and what `--help` then shows as `[default: …]`.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use anyhow::Context;

mod schema;

/// The file in the working directory.
pub const LOCAL_FILE: &str = "consign.toml";

/// One default: the flag (`arg`, a clap id) of the subcommand `command`, and its values.
#[derive(Debug, Clone, PartialEq)]
pub struct ArgDefault {
    /// The subcommand.
    pub command: &'static str,
    /// The clap argument id (the field name).
    pub arg: &'static str,
    /// The values, as they would be given on the command line.
    pub values: Vec<String>,
    /// Where it was set: `FILE`.
    pub origin: PathBuf,
}

/// The merged defaults of every config file read.
#[derive(Debug, Default)]
pub struct Config {
    /// The files read, lowest precedence first.
    pub files: Vec<PathBuf>,
    defaults: BTreeMap<(&'static str, &'static str), ArgDefault>,
    /// The `[limits]` section, merged key by key; applied by `--limit`'s handling
    /// ([`crate::cli::limits`]) rather than as clap defaults, so that a flag overrides one
    /// limit, not all.
    limits: BTreeMap<String, String>,
}

impl Config {
    /// Reads the config files the environment and the working directory name; see the module
    /// docs.
    pub fn load() -> anyhow::Result<Config> {
        let mut cfg = Config::default();
        for path in Config::paths() {
            if path.is_file() {
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("cannot read config {}", path.display()))?;
                cfg.merge(&path, &text)?;
            }
        }
        Ok(cfg)
    }

    /// The candidate files, lowest precedence first.
    fn paths() -> Vec<PathBuf> {
        if let Some(explicit) = std::env::var_os("CONSIGN_CONFIG") {
            return if explicit.is_empty() {
                Vec::new()
            } else {
                vec![PathBuf::from(explicit)]
            };
        }
        let absolute = |v: Option<OsString>| {
            v.map(PathBuf::from)
                .filter(|p| p.is_absolute())
                .filter(|p| !p.as_os_str().is_empty())
        };
        let user = absolute(std::env::var_os("XDG_CONFIG_HOME"))
            .or_else(|| absolute(std::env::var_os("HOME")).map(|h| h.join(".config")))
            .map(|d| d.join("consign").join("config.toml"));
        user.into_iter()
            .chain([PathBuf::from(LOCAL_FILE)])
            .collect()
    }

    /// Parses one file's text and lays its values over those already read.
    pub fn merge(&mut self, path: &Path, text: &str) -> anyhow::Result<()> {
        let file: schema::File = toml::from_str(text).map_err(|e| {
            let at = e.span().map(|s| s.start).unwrap_or(0);
            located(path, text, at, None, e.message().trim())
        })?;
        let base = path.parent().unwrap_or(Path::new(""));
        let mut b = schema::Builder {
            path,
            text,
            base,
            out: Vec::new(),
            limits: Vec::new(),
        };
        b.collect(file)?;
        self.files.push(path.to_owned());
        for d in b.out {
            self.defaults.insert((d.command, d.arg), d);
        }
        self.limits.extend(b.limits);
        Ok(())
    }

    /// The `[limits]` settings as `NAME=VALUE`, for the commands that read images (`sbom`, `audit`, `diff`, `base add`).
    pub fn limits(&self) -> Vec<String> {
        self.limits
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect()
    }

    /// The defaults, in a stable order.
    pub fn defaults(&self) -> impl Iterator<Item = &ArgDefault> {
        self.defaults.values()
    }

    /// Sets every default on `cmd`'s subcommands. A config default also satisfies a flag that
    /// is otherwise required (`attest --key`).
    pub fn apply(&self, mut cmd: clap::Command) -> clap::Command {
        for d in self.defaults.values() {
            let values = d.values.clone();
            cmd = cmd.mut_subcommand(d.command, move |sc| {
                sc.mut_arg(d.arg, move |a| a.default_values(values).required(false))
            });
        }
        cmd
    }
}

/// `FILE:LINE:COLUMN: [section] key: message` for the byte offset `at` of `text`; the key is
/// `what`, or read from the line when not given.
pub(super) fn located(
    path: &Path,
    text: &str,
    at: usize,
    what: Option<&str>,
    message: &str,
) -> anyhow::Error {
    let at = at.min(text.len());
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    let key = what
        .map(str::to_owned)
        .or_else(|| key_at(text, at))
        .map(|k| format!("{k}: "))
        .unwrap_or_default();
    anyhow::anyhow!("{}:{line}:{col}: {key}{message}", path.display())
}

/// `[section] key` of the `key = value` line holding offset `at`, when it is one.
fn key_at(text: &str, at: usize) -> Option<String> {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = text[start..].lines().next()?;
    let key = line.split_once('=')?.0.trim();
    if key.is_empty() || key.starts_with('[') || key.contains(char::is_whitespace) {
        return None;
    }
    let section = text[..start]
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix('[')?.split(']').next())
        .map(|s| format!("[{}] ", s.trim()))
        .unwrap_or_default();
    Some(format!("{section}{key}"))
}

#[cfg(test)]
mod tests;
