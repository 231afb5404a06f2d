//! `consign score` end to end: exact scores of real documents and of consign's own scans,
//! the `--fail-under` gate, output files and errors.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::support::cmd::{bin, run, stderr, stdout};
use crate::support::golden::assert_golden;
use crate::support::tmp;

/// Runs consign from the crate root, so that inputs are named as a user names them.
fn run_here(args: &[&str]) -> Output {
    bin()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("run consign")
}

fn json(o: &Output) -> Value {
    assert_eq!(o.status.code(), Some(0), "{}", stderr(o));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

/// `(field, percent)` for every field, in order.
fn percents(v: &Value) -> Vec<(String, f64)> {
    v["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_owned(),
                f["percent"].as_f64().unwrap(),
            )
        })
        .collect()
}

const TRIVY_ALPINE: &str = "tests/fixtures/sbom/peers/alpine-3.11.trivy-0.59.1.cdx.json";

#[test]
fn trivy_sbom_scores_as_recorded() {
    let table = run_here(&["score", TRIVY_ALPINE]);
    assert_eq!(table.status.code(), Some(0), "{}", stderr(&table));
    assert_golden("score-alpine-3.11.trivy.table.txt", &table.stdout);
    let j = run_here(&["score", TRIVY_ALPINE, "-o", "json"]);
    assert_eq!(j.status.code(), Some(0), "{}", stderr(&j));
    assert_golden("score-alpine-3.11.trivy.json", &j.stdout);
    let v = json(&j);
    // Trivy names no supplier for Alpine packages (the apk `m:` maintainer), no author and
    // no lifecycle phase; it does carry apk's SHA-1 checksums.
    assert_eq!(v["ntia"], 85.7);
    assert_eq!(v["cisa2025"], 75.0);
    assert_eq!(
        v["fields"][2]["missing"].as_array().unwrap().len(),
        14,
        "every component lacks a supplier"
    );
}

/// consign's own SBOM of each sample carries every field the image records: what is
/// missing is only what the image does not say.
#[test]
fn consign_scans_carry_what_the_image_makes_knowable() {
    let v = json(&run_here(&[
        "score",
        "samples/distroless-debian-12.docker25.tar",
        "-o",
        "json",
        "-q",
    ]));
    assert_eq!(v["source"], "samples/distroless-debian-12.docker25.tar");
    assert_eq!(v["format"], "cyclonedx-json@1.6");
    assert_eq!(
        v["producer"],
        format!("consign {}", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(v["components"], 10);
    let expect: Vec<(String, f64)> = [
        ("creator", 100.0),
        // Nothing in an image says who generates its SBOM.
        ("author", 0.0),
        ("supplier", 100.0),
        ("name", 100.0),
        ("version", 100.0),
        ("identifier", 100.0),
        // dpkg keeps no package hash.
        ("hash", 0.0),
        // Only base-files and tzdata ship a machine-readable copyright file in the sample.
        ("license", 20.0),
        ("relationship", 100.0),
        ("dependencies-complete", 100.0),
        ("tool", 100.0),
        ("timestamp", 100.0),
        ("generation-context", 100.0),
    ]
    .iter()
    .map(|(f, p)| ((*f).to_owned(), *p))
    .collect();
    assert_eq!(percents(&v), expect);
    assert_eq!(v["ntia"], 100.0);

    // An RPM database records hashes and licenses: everything but the author is there.
    let v = json(&run_here(&[
        "score",
        "samples/amazonlinux-2023.oci.tar",
        "-o",
        "json",
        "-q",
    ]));
    let short: Vec<(String, f64)> = percents(&v)
        .into_iter()
        .filter(|(_, p)| *p != 100.0)
        .collect();
    assert_eq!(short, vec![("author".to_owned(), 0.0)]);
    assert_eq!(
        (v["ntia"].as_f64(), v["cisa2025"].as_f64()),
        (Some(100.0), Some(91.7))
    );
}

#[test]
fn fail_under_gates_on_the_chosen_standard() {
    let golden = "tests/golden/alpine-3.11.spdx.json";
    // CISA 2025 (the default): 83.3%, short of the author and the apk hashes.
    let o = run_here(&[
        "score",
        golden,
        "--fail-under",
        "90",
        "-o",
        "json=/dev/null",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "consign score: cisa-2025 score 83.3% is below 90%\n"
    );
    let o = run_here(&["score", golden, "--fail-under", "83.3", "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run_here(&["score", golden, "--fail-under", "90", "-q"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stderr(&o), "", "--quiet keeps stderr empty");
    assert!(stdout(&o).ends_with("CISA 2025 minimum elements: 83.3%\n"));
    let o = run_here(&["score", golden, "--standard", "ntia", "--fail-under", "100"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn json_to_a_file_beside_the_table() {
    let dir = tmp();
    let file = dir.path().join("score.json");
    let spec = format!("json={}", file.display());
    let o = run_here(&["score", TRIVY_ALPINE, "-o", "table", "-o", &spec]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).starts_with(&format!(
        "{TRIVY_ALPINE} (cyclonedx-json@1.6, trivy 0.59.1): 14 components\n"
    )));
    let alone = run_here(&["score", TRIVY_ALPINE, "-o", "json"]);
    assert_eq!(std::fs::read(&file).unwrap(), alone.stdout);
    // Only the file was written: no temporary left beside it.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec!["score.json"]);
}

#[test]
fn errors_name_the_cause_and_exit_2() {
    let dir = tmp();
    let not_sbom = dir.path().join("package.json");
    std::fs::write(&not_sbom, r#"{"name": "left-pad", "version": "1.3.0"}"#).unwrap();
    let cases: [(Vec<String>, String); 4] = [
        (
            vec![TRIVY_ALPINE.into(), "--fail-under".into(), "150".into()],
            "--fail-under 150: expected a percentage from 0 to 100".into(),
        ),
        (
            vec![TRIVY_ALPINE.into(), "-o".into(), "xml".into()],
            r#"unknown format "xml"; expected table or json"#.into(),
        ),
        (
            vec![not_sbom.display().to_string()],
            not_sbom.display().to_string(),
        ),
        (
            vec![dir.path().join("absent.json").display().to_string()],
            "absent.json".into(),
        ),
    ];
    for (args, needle) in cases {
        let mut all = vec!["score"];
        all.extend(args.iter().map(String::as_str));
        let o = run(&all);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(&needle),
            "{args:?}: {:?} lacks {needle:?}",
            stderr(&o)
        );
        assert!(o.stdout.is_empty(), "{args:?}");
    }
    assert!(!Path::new(&dir.path().join("score.json")).exists());
}
