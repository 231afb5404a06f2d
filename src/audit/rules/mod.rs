//! The rules, one per file. Each file declares its struct with [`declare_rule!`] (whose doc
//! comment is the rule's documentation) and implements [`Rule`].
//!
//! [`declare_rule!`]: super::rule::declare_rule
//! [`Rule`]: super::rule::Rule

pub(crate) mod add_instead_of_copy;
pub(crate) mod add_url_unverified;
pub(crate) mod apk_unpinned;
pub(crate) mod apt_unpinned;
pub(crate) mod base_latest_tag;
pub(crate) mod base_not_pinned;
pub(crate) mod base_rebuild_available;
pub(crate) mod base_too_old;
pub(crate) mod cargo_install_unpinned;
pub(crate) mod curl_pipe_shell;
pub(crate) mod denied_license;
pub(crate) mod denied_package;
pub(crate) mod distro_eol;
pub(crate) mod expired_exception;
pub(crate) mod gem_unpinned;
pub(crate) mod go_install_unpinned;
pub(crate) mod image_too_old;
pub(crate) mod manifest_without_lockfile;
pub(crate) mod missing_labels;
pub(crate) mod no_healthcheck;
pub(crate) mod npm_unpinned;
pub(crate) mod os_packages_outdated;
pub(crate) mod package_cache_left;
pub(crate) mod pip_unpinned;
pub(crate) mod runs_as_root;
pub(crate) mod secret_in_env;
pub(crate) mod secret_in_file;
pub(crate) mod secret_in_history;
pub(crate) mod sensitive_port;
pub(crate) mod setuid_file;
pub(crate) mod sudo_installed;
pub(crate) mod unknown_license;
pub(crate) mod unmatched_exception;
pub(crate) mod world_writable;

use super::AuditCtx;
use super::shell;
use super::step::Step;

/// Every simple command of every `RUN` instruction the instruction rules judge.
pub(crate) fn run_commands<'c>(cx: &'c AuditCtx<'_>) -> Vec<(&'c Step, Vec<String>)> {
    let mut out = Vec::new();
    for s in cx.instructions() {
        if s.keyword == "RUN" {
            for c in shell::commands(&s.args) {
                out.push((s, c));
            }
        }
    }
    out
}

/// The operands of a command from word `start` on: words that are not options, skipping
/// the values of the options listed in `takes_value` (`-o X`, `--virtual NAME`).
pub(crate) fn operands(words: &[String], start: usize, takes_value: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = start;
    let mut options_done = false;
    while i < words.len() {
        let w = &words[i];
        i += 1;
        if w.starts_with('>') || w.starts_with('<') || w.starts_with("2>") || w.starts_with("&>") {
            i += 1;
            continue;
        }
        if !options_done && w == "--" {
            options_done = true;
            continue;
        }
        if !options_done && w.starts_with('-') {
            if !w.contains('=') && takes_value.contains(&w.as_str()) {
                i += 1;
            }
            continue;
        }
        out.push(w.clone());
    }
    out
}

/// `a, b, c` for messages, with at most `max` items (then "and N more").
pub(crate) fn list(items: &[String], max: usize) -> String {
    let mut s = items
        .iter()
        .take(max)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > max {
        s.push_str(&format!(" and {} more", items.len() - max));
    }
    s
}
