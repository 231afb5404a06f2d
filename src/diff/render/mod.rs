//! Renderers of a [`SbomDiff`]: a table for terminals, Markdown for release notes, and JSON
//! for machines (schema: `docs/diff-json.md`). All three put the image's own changes first
//! (base image, distribution), then the counts, then the package changes grouped by kind in
//! the order that needs attention first: downgraded, removed, added, upgraded, changed.
//! Output is deterministic: the same diff gives the same bytes.

mod markdown;
mod table;

use super::{Change, ChangeKind, SbomDiff, Transition};

pub use markdown::markdown;
pub use table::table;

/// The diff as pretty-printed JSON with a trailing newline.
pub fn json(d: &SbomDiff) -> String {
    // Serialising plain owned data cannot fail.
    let mut s = serde_json::to_string_pretty(d).unwrap_or_default();
    s.push('\n');
    s
}

/// Change kinds in the order renderers list them.
pub(crate) const KIND_ORDER: [ChangeKind; 5] = [
    ChangeKind::Downgraded,
    ChangeKind::Removed,
    ChangeKind::Added,
    ChangeKind::Upgraded,
    ChangeKind::Changed,
];

/// The changes of one kind, in the diff's order.
pub(crate) fn of_kind(d: &SbomDiff, kind: ChangeKind) -> Vec<&Change> {
    d.changes.iter().filter(|c| c.kind == kind).collect()
}

/// A heading for a kind: `Downgraded`, `Changed at the same version`.
pub(crate) fn heading(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Downgraded => "Downgraded",
        ChangeKind::Removed => "Removed",
        ChangeKind::Added => "Added",
        ChangeKind::Upgraded => "Upgraded",
        ChangeKind::Changed => "Changed at the same version",
    }
}

/// The name to show for a change: with the architecture only when the diff has changes of
/// the same package for several architectures (multi-arch installs), to keep lists short.
pub(crate) fn shown_name(d: &SbomDiff, c: &Change) -> String {
    let Some(arch) = &c.arch else {
        return c.name.clone();
    };
    let several = d
        .changes
        .iter()
        .any(|o| o.ecosystem == c.ecosystem && o.name == c.name && o.arch.as_ref() != Some(arch));
    if several {
        format!("{} ({arch})", c.name)
    } else {
        c.name.clone()
    }
}

/// `old → new` with `(none)` for a missing side.
pub(crate) fn arrow(t: &Transition) -> String {
    format!(
        "{} → {}",
        t.old.as_deref().unwrap_or("(none)"),
        t.new.as_deref().unwrap_or("(none)")
    )
}

/// `12 upgraded, 3 added, …`: the non-zero counts of the total, in [`KIND_ORDER`].
pub(crate) fn summary_line(d: &SbomDiff) -> String {
    let t = d.total();
    let parts: Vec<String> = [
        (t.downgraded, "downgraded"),
        (t.removed, "removed"),
        (t.added, "added"),
        (t.upgraded, "upgraded"),
        (t.changed, "changed"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, w)| format!("{n} {w}"))
    .collect();
    if parts.is_empty() {
        format!("No package changes ({} unchanged).", t.unchanged)
    } else {
        format!("{} ({} unchanged).", parts.join(", "), t.unchanged)
    }
}

/// What a change's details mean, in words.
pub(crate) fn details_text(c: &Change) -> String {
    c.details
        .iter()
        .map(|d| match d.as_str() {
            "other-version-remains" => "another version remains".to_owned(),
            other => format!("{other} differs"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The layer line: `5 → 6 layers, the first 2 shared (base unchanged)`.
pub(crate) fn layers_text(d: &SbomDiff) -> Option<String> {
    let l = d.image.layers.as_ref()?;
    if l.identical() {
        return None;
    }
    let base = if l.shared == 0 {
        "no layer shared: the base image changed".to_owned()
    } else {
        format!("the first {} shared", l.shared)
    };
    Some(format!("{} → {} layers, {base}", l.old, l.new))
}

#[cfg(test)]
mod tests;
