//! With real npm: real installs, scanned as a directory and as an image layer, against
//! `npm ls --all --json`.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use consign::Sbom;
use consign::model::{Ecosystem, PackageMetadata, Scope};
use consign::source::SourceSpec;

use super::{edges, scan};
use crate::support::image::{ImageBuilder, Layer};
use crate::support::{tmp, write_documents};

/// `(name, version)` of every installed package `npm ls --all --json` lists, and its edges.
type Truth = (BTreeSet<(String, String)>, BTreeSet<String>);

fn npm_ls(dir: &Path) -> Truth {
    // npm ls exits non-zero on tree problems, which the JSON reports anyway.
    let out = Command::new("npm")
        .args(["ls", "--all", "--json"])
        .current_dir(dir)
        .output()
        .expect("npm");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut set = BTreeSet::new();
    let mut edges = BTreeSet::new();
    fn walk(
        parent: Option<String>,
        deps: &serde_json::Value,
        set: &mut BTreeSet<(String, String)>,
        edges: &mut BTreeSet<String>,
    ) {
        let Some(deps) = deps.as_object() else { return };
        for (name, e) in deps {
            let Some(v) = e.get("version").and_then(|v| v.as_str()) else {
                continue;
            };
            set.insert((name.clone(), v.to_owned()));
            let me = format!("{name}@{v}");
            if let Some(p) = &parent {
                edges.insert(format!("{p} -> {me}"));
            }
            if let Some(d) = e.get("dependencies") {
                walk(Some(me), d, set, edges);
            }
        }
    }
    walk(None, &json["dependencies"], &mut set, &mut edges);
    (set, edges)
}

fn npm_set(sbom: &Sbom) -> BTreeSet<(String, String)> {
    sbom.packages
        .iter()
        .filter(|p| p.ecosystem == Ecosystem::Npm)
        .map(|p| (p.name.clone(), p.version.clone()))
        .collect()
}

/// Every file and symlink under `root`, added to a layer under `prefix`.
fn add_tree(mut l: Layer, root: &Path, prefix: &str) -> Layer {
    let mut stack = vec![root.to_path_buf()];
    let mut entries = Vec::new();
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let ft = e.file_type().unwrap();
            let rel = e
                .path()
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if ft.is_dir() {
                stack.push(e.path());
            } else {
                entries.push((rel, e.path(), ft.is_symlink()));
            }
        }
    }
    entries.sort();
    for (rel, path, link) in entries {
        let at = format!("{prefix}/{rel}");
        l = if link {
            let target = std::fs::read_link(&path).unwrap();
            l.symlink(&at, &target.to_string_lossy())
        } else {
            l.file(&at, std::fs::read(&path).unwrap())
        };
    }
    l
}

#[test]
#[ignore = "needs npm; run tests/run.sh"]
fn real_npm_install_matches_npm_ls() {
    let dir = tmp();
    let project = dir.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    // express 4 nests several debug/ms versions; @babel/code-frame is scoped; is-number is
    // only a devDependency.
    std::fs::write(
        project.join("package.json"),
        r#"{"name":"probe","version":"1.0.0","private":true,
            "dependencies":{"express":"4.19.2","@babel/code-frame":"7.24.2","chalk":"2.4.2"},
            "devDependencies":{"is-number":"7.0.0"}}"#,
    )
    .unwrap();
    let status = Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--ignore-scripts"])
        .current_dir(&project)
        .status()
        .expect("npm");
    assert!(status.success());
    let (truth, truth_edges) = npm_ls(&project);
    assert!(truth.len() > 60, "{truth:?}");

    let sbom = scan(&SourceSpec::Dir(project.clone()), Scope::Squashed);
    assert_eq!(npm_set(&sbom), truth, "dir: exactly npm ls");
    assert_eq!(edges(&sbom), truth_edges, "dir: the same dependency tree");
    let dev: Vec<&str> = sbom
        .packages
        .iter()
        .filter(|p| matches!(&p.metadata, PackageMetadata::Language(m) if m.dev))
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(dev, ["is-number"]);
    assert!(
        sbom.packages
            .iter()
            .any(|p| p.purl.as_str().starts_with("pkg:npm/%40babel/code-frame@"))
    );

    let tar = dir.path().join("img.tar");
    ImageBuilder::new()
        .layer(|l| l.file("etc/hostname", "probe\n"))
        .layer(|l| add_tree(l, &project, "srv/app"))
        .write_docker_archive(&tar);
    let img = scan(&SourceSpec::Auto(tar), Scope::Squashed);
    assert_eq!(npm_set(&img), truth, "image: exactly npm ls");
    assert!(
        img.packages
            .iter()
            .filter(|p| p.ecosystem == Ecosystem::Npm)
            .all(|p| p.introduced_in == Some(1))
    );
    assert_eq!(edges(&img), truth_edges);
    write_documents(dir.path(), "npm-real", &img);

    // A production install: the lockfile beside it still lists the dev dependency, which is
    // not installed and must not be reported.
    let status = Command::new("npm")
        .args([
            "ci",
            "--omit=dev",
            "--no-audit",
            "--no-fund",
            "--ignore-scripts",
        ])
        .current_dir(&project)
        .status()
        .expect("npm");
    assert!(status.success());
    let (prod, _) = npm_ls(&project);
    assert!(!prod.iter().any(|(n, _)| n == "is-number"));
    let sbom = scan(&SourceSpec::Dir(project), Scope::Squashed);
    assert_eq!(npm_set(&sbom), prod, "--omit=dev: exactly npm ls");
}
