//! Renderer rules on small diffs; whole outputs are checked as goldens in `tests/it/diff.rs`.

use super::*;
use crate::diff::{
    Counts, ImageChanges, LicenseChange, LicenseChangeReason, SCHEMA_VERSION, Side, Version,
};

fn side(name: &str) -> Side {
    Side {
        source: format!("{name}.cdx.json"),
        format: "cyclonedx-json@1.6".into(),
        producer: "syft 1.18.1".into(),
        subject: None,
        packages: 3,
    }
}

fn change(kind: ChangeKind, name: &str, old: Option<&str>, new: Option<&str>) -> Change {
    let v = |v: Option<&str>| {
        v.map(|v| Version {
            version: v.into(),
            purl: None,
            licenses: Vec::new(),
        })
    };
    Change {
        kind,
        ecosystem: "deb".into(),
        name: name.into(),
        arch: None,
        old: v(old),
        new: v(new),
        details: Vec::new(),
    }
}

fn diff_of(changes: Vec<Change>) -> SbomDiff {
    let mut total = Counts {
        ecosystem: "all".into(),
        ..Counts::default()
    };
    let mut deb = Counts {
        ecosystem: "deb".into(),
        ..Counts::default()
    };
    for c in &changes {
        total.count(c.kind);
        deb.count(c.kind);
    }
    SbomDiff {
        schema_version: SCHEMA_VERSION,
        old: side("old"),
        new: side("new"),
        image: ImageChanges::default(),
        counts: vec![total, deb],
        changes,
        license_changes: Vec::new(),
        not_compared: Vec::new(),
        notes: Vec::new(),
    }
}

#[test]
fn sections_in_attention_order_and_long_ones_folded() {
    let mut changes = vec![
        change(
            ChangeKind::Upgraded,
            "libc6",
            Some("2.36-9"),
            Some("2.36-9+deb12u4"),
        ),
        change(
            ChangeKind::Downgraded,
            "tzdata",
            Some("2024b-0"),
            Some("2024a-0~deb12u1"),
        ),
    ];
    for i in 0..11 {
        changes.push(change(
            ChangeKind::Added,
            &format!("lib_{i:02}"),
            None,
            Some("1.0|x"),
        ));
    }
    let md = markdown(&diff_of(changes));
    let pos = |s: &str| md.find(s).unwrap_or_else(|| panic!("{s:?} missing:\n{md}"));
    assert!(pos("### Downgraded (1)") < pos("### Added (11)"));
    assert!(pos("### Added (11)") < pos("### Upgraded (1)"));
    // 11 rows: folded; 1 row: not.
    assert!(md.contains("<details>\n<summary>11 added packages</summary>\n\n| Package |"));
    assert_eq!(md.matches("<details>").count(), 1);
    // `~` and `_` are inside code spans; `|` is escaped.
    assert!(
        md.contains("| `tzdata` | deb | `2024b-0` | `2024a-0~deb12u1` |"),
        "{md}"
    );
    assert!(md.contains("| `lib_00` | deb | `1.0\\|x` |  |"), "{md}");
    assert!(md.contains("**1 downgraded, 11 added, 1 upgraded (0 unchanged).**"));
    assert!(md.starts_with("## SBOM changes: `old.cdx.json` → `new.cdx.json`\n"));
}

#[test]
fn an_empty_diff_says_so() {
    let d = diff_of(Vec::new());
    assert!(markdown(&d).contains("**No package changes (0 unchanged).**"));
    let t = table(&d);
    assert!(t.contains("\nNo package changes (0 unchanged).\n"), "{t}");
    assert!(!t.contains("CHANGE "));
    assert!(t.lines().all(|l| l == l.trim_end()));
}

#[test]
fn table_rows_and_license_lines() {
    let mut d = diff_of(vec![change(
        ChangeKind::Removed,
        "wget",
        Some("1.21"),
        None,
    )]);
    d.license_changes.push(LicenseChange {
        ecosystem: "npm".into(),
        name: "b".into(),
        version: "1.0.0".into(),
        old: Vec::new(),
        new: vec!["GPL-3.0-only".into()],
        reasons: vec![LicenseChangeReason::NewToImage, LicenseChangeReason::Denied],
        new_to_image: vec!["GPL-3.0-only".into()],
        denied: vec!["GPL-3.0-only".into()],
    });
    let t = table(&d);
    assert!(
        t.contains(
            "CHANGE   ECOSYSTEM  NAME  OLD   NEW  NOTE\nremoved  deb        wget  1.21  -\n"
        ),
        "{t}"
    );
    assert!(t.contains(
        "  npm b 1.0.0: (none) → GPL-3.0-only  [new to the image: GPL-3.0-only; denied: GPL-3.0-only]"
    ));
    let md = markdown(&d);
    assert!(md.contains(
        "| `b` | `1.0.0` | (none) | `GPL-3.0-only` | **denied by policy:** `GPL-3.0-only`; new to the image: `GPL-3.0-only`; added package |"
    ), "{md}");
}

#[test]
fn json_is_pretty_and_versioned() {
    let j = json(&diff_of(Vec::new()));
    assert!(j.starts_with("{\n  \"schemaVersion\": 1,\n"));
    assert!(j.ends_with("}\n"));
}
