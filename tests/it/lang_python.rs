//! Python packages in images built in code: system `dist-packages` (Debian's egg-info) and a
//! virtualenv across layers, a distribution deleted by a later layer (whiteout), an upgrade,
//! declared lockfiles; the exact (name, version, layer) set, the dependency edges per
//! environment, valid SBOM documents. A real `pip install --target` (as a directory and as an
//! image layer) and the host's Debian `dist-packages` are compared with `pip list` in the
//! ignored tests (they need pip and PyPI; `tests/run.sh` runs them).

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use consign::model::{Ecosystem, PackageMetadata, RelationshipKind, Scope};
use consign::source::SourceSpec;
use consign::{Sbom, ScanOptions};

use crate::support::image::ImageBuilder;
use crate::support::{tmp, write_documents};

const SYS: &str = "usr/lib/python3/dist-packages";
const VENV: &str = "opt/venv/lib/python3.11/site-packages";

fn metadata(name: &str, version: &str, requires: &[&str]) -> String {
    let mut s = format!(
        "Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: {name}\nLicense-Expression: MIT\n"
    );
    for r in requires {
        s.push_str(&format!("Requires-Dist: {r}\n"));
    }
    s.push_str("\nThe description.\n");
    s
}

fn image() -> ImageBuilder {
    ImageBuilder::new()
        // 0: the distribution's python3-requests, python3-urllib3 (Debian egg-info dirs), and
        // the application's pins, copied before the layer that installs them.
        .layer(|l| {
            l.file("srv/requirements.txt", "requests==2.31.0\nidna==3.6\nnot-installed==1.0\n")
            .file(
                &format!("{SYS}/requests-2.28.1.egg-info/PKG-INFO"),
                metadata("requests", "2.28.1", &[]),
            )
            .file(
                &format!("{SYS}/requests-2.28.1.egg-info/requires.txt"),
                "charset_normalizer<3,>=2\nidna<4,>=2.5\nurllib3<1.27,>=1.21.1\ncertifi>=2017.4.17\n\n[socks]\nPySocks!=1.5.7,>=1.5.6\n",
            )
            .file(
                &format!("{SYS}/urllib3-1.26.12.egg-info/PKG-INFO"),
                metadata("urllib3", "1.26.12", &[]),
            )
            .fixture(
                "usr/lib/python2.7/lib-dynload/Python-2.7.egg-info",
                "python/single-file-egg-info/usr/lib/python2.7/lib-dynload/Python-2.7.egg-info",
            )
        })
        // 1: a virtualenv: requests and its dependencies, and a package removed later.
        .layer(|l| {
            l.file(
                &format!("{VENV}/requests-2.31.0.dist-info/METADATA"),
                metadata(
                    "requests",
                    "2.31.0",
                    &[
                        "charset-normalizer (<4,>=2)",
                        "idna (<4,>=2.5)",
                        "urllib3 (<3,>=1.21.1)",
                        "certifi (>=2017.4.17)",
                        "PySocks (!=1.5.7,>=1.5.6) ; extra == 'socks'",
                        "chardet (<6,>=3.0.2) ; extra == 'use_chardet_on_py3'",
                    ],
                ),
            )
            .file(
                &format!("{VENV}/requests-2.31.0.dist-info/RECORD"),
                "requests/__init__.py,sha256=x,1\nrequests/__pycache__/__init__.cpython-311.pyc,,\n",
            )
            .file(
                &format!("{VENV}/charset_normalizer-3.3.2.dist-info/METADATA"),
                metadata("charset-normalizer", "3.3.2", &[]),
            )
            .file(&format!("{VENV}/idna-3.6.dist-info/METADATA"), metadata("idna", "3.6", &[]))
            .file(
                &format!("{VENV}/urllib3-2.0.7.dist-info/METADATA"),
                metadata("urllib3", "2.0.7", &["brotli>=1.0.9 ; platform_python_implementation == 'CPython' and extra == 'brotli'"]),
            )
            .file(
                &format!("{VENV}/certifi-2024.2.2.dist-info/METADATA"),
                metadata("certifi", "2024.2.2", &[]),
            )
            .file(
                &format!("{VENV}/importlib_metadata-7.0.1.dist-info/METADATA"),
                metadata("importlib_metadata", "7.0.1", &["zipp>=0.5", "typing-extensions>=3.6.4 ; python_version < \"3.8\""]),
            )
            .file(&format!("{VENV}/zipp-3.17.0.dist-info/METADATA"), metadata("zipp", "3.17.0", &[]))
            .file(
                &format!("{VENV}/typing_extensions-4.9.0.dist-info/METADATA"),
                metadata("typing_extensions", "4.9.0", &[]),
            )
            .file(
                &format!("{VENV}/Old_Pkg-1.0.dist-info/METADATA"),
                metadata("Old_Pkg", "1.0", &[]),
            )
        })
        // 2: `pip uninstall Old_Pkg`, and the application's declared dependencies.
        .layer(|l| {
            l.whiteout(&format!("{VENV}/Old_Pkg-1.0.dist-info"))
                .fixture(
                    "app/requirements.txt",
                    "python/lockfiles/requirements/requirements.txt",
                )
                .fixture("app/Pipfile.lock", "python/lockfiles/pipfile-lock/Pipfile.lock")
        })
        // 3: `pip install -U urllib3` in the virtualenv.
        .layer(|l| {
            l.whiteout(&format!("{VENV}/urllib3-2.0.7.dist-info")).file(
                &format!("{VENV}/urllib3-2.2.1.dist-info/METADATA"),
                metadata("urllib3", "2.2.1", &[]),
            )
        })
}

fn scan(path: &Path, scope: Scope) -> Sbom {
    consign::scan(
        &SourceSpec::Auto(path.to_path_buf()),
        &ScanOptions {
            scope,
            ..ScanOptions::default()
        },
    )
    .unwrap()
}

/// An installed package: (name, version, location layer, introduced, removed).
type Row = (String, String, u32, Option<u32>, Option<u32>);

/// The installed packages, sorted.
fn installed(sbom: &Sbom) -> Vec<Row> {
    let mut v: Vec<_> = sbom
        .packages
        .iter()
        .filter(|p| p.found_by == "python-installed-cataloger")
        .map(|p| {
            (
                p.name.clone(),
                p.version.clone(),
                p.locations.first().unwrap().layer,
                p.introduced_in,
                p.removed_in,
            )
        })
        .collect();
    v.sort();
    v
}

fn row(n: &str, v: &str, layer: u32) -> Row {
    (n.into(), v.into(), layer, Some(layer), None)
}

/// Dependency edges as `name@version -> name@version`.
fn edges(sbom: &Sbom, kind: RelationshipKind) -> Vec<String> {
    let label = |id: &consign::model::PackageId| {
        let p = sbom.packages.iter().find(|p| &p.id() == id).unwrap();
        format!("{}@{}", p.name, p.version)
    };
    let mut v: Vec<String> = sbom
        .relationships
        .iter()
        .filter(|r| r.kind == kind)
        .map(|r| format!("{} -> {}", label(&r.from), label(&r.to)))
        .collect();
    v.sort();
    v
}

#[test]
fn system_and_venv_across_layers() {
    let dir = tmp();
    let path = dir.path().join("py.tar");
    image().write_docker_archive(&path);
    let sbom = scan(&path, Scope::Squashed);
    assert_eq!(
        installed(&sbom),
        [
            row("Python", "2.7.13", 0),
            row("certifi", "2024.2.2", 1),
            row("charset-normalizer", "3.3.2", 1),
            row("idna", "3.6", 1),
            row("importlib_metadata", "7.0.1", 1),
            row("requests", "2.28.1", 0),
            row("requests", "2.31.0", 1),
            row("typing_extensions", "4.9.0", 1),
            row("urllib3", "1.26.12", 0),
            row("urllib3", "2.2.1", 3),
            row("zipp", "3.17.0", 1),
        ]
    );
    // Each requests depends on the urllib3 of its own environment; the system requests finds
    // none of its other dependencies in dist-packages; typing-extensions is only for
    // Python < 3.8 (the venv is 3.11); extras nobody asked for add nothing.
    assert_eq!(
        edges(&sbom, RelationshipKind::DependsOn),
        [
            "importlib_metadata@7.0.1 -> zipp@3.17.0",
            "requests@2.28.1 -> urllib3@1.26.12",
            "requests@2.31.0 -> certifi@2024.2.2",
            "requests@2.31.0 -> charset-normalizer@3.3.2",
            "requests@2.31.0 -> idna@3.6",
            "requests@2.31.0 -> urllib3@2.2.1",
        ]
    );
    let requests = sbom
        .packages
        .iter()
        .find(|p| p.name == "requests" && p.version == "2.31.0")
        .unwrap();
    assert_eq!(requests.purl.as_str(), "pkg:pypi/requests@2.31.0");
    assert_eq!(requests.license_expression().as_deref(), Some("MIT"));
    assert_eq!(
        requests.files,
        [
            format!("{VENV}/requests/__init__.py"),
            format!("{VENV}/requests/__pycache__/__init__.cpython-311.pyc")
        ]
    );
    let normalised = sbom
        .packages
        .iter()
        .find(|p| p.name == "charset-normalizer")
        .unwrap();
    assert_eq!(
        normalised.purl.as_str(),
        "pkg:pypi/charset-normalizer@3.3.2"
    );
    assert!(
        sbom.catalogers
            .iter()
            .any(|c| c == "python-installed-cataloger")
    );

    // Declared packages: pinned requirements and the Pipfile.lock, develop marked dev. Pins of
    // installed packages (srv/requirements.txt, layer 0) do not misdate their installation
    // (layer 1, asserted above): the installed record is the package.
    let declared: BTreeSet<(String, bool)> = sbom
        .packages
        .iter()
        .filter(|p| p.found_by == "python-lock-cataloger")
        .map(|p| match &p.metadata {
            PackageMetadata::Language(m) => (p.name.clone(), m.dev),
            _ => unreachable!(),
        })
        .collect();
    assert!(declared.contains(&("flask".into(), false)));
    assert!(declared.contains(&("autopep8".into(), true)));
    assert_eq!(declared.len(), 17);
    assert!(declared.contains(&("not-installed".into(), false)));
    write_documents(dir.path(), "python-layers", &sbom);

    // All layers: the uninstalled package and the replaced urllib3 are there, marked removed.
    let all = scan(&path, Scope::AllLayers);
    let removed: Vec<_> = installed(&all)
        .into_iter()
        .filter(|r| r.4.is_some())
        .collect();
    assert_eq!(
        removed,
        [
            ("Old_Pkg".into(), "1.0".into(), 1, Some(1), Some(2)),
            ("urllib3".into(), "2.0.7".into(), 1, Some(1), Some(3)),
        ]
    );
    write_documents(dir.path(), "python-all-layers", &all);

    // The same image as an OCI layout gives the same inventory.
    let oci = dir.path().join("py.oci.tar");
    image().write_oci_tar(&oci);
    assert_eq!(installed(&scan(&oci, Scope::Squashed)), installed(&sbom));
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// PEP 503 normalisation, to compare names the way pip does.
fn norm(name: &str) -> String {
    let mut out = String::new();
    for part in name
        .to_lowercase()
        .split(['-', '_', '.'])
        .filter(|s| !s.is_empty())
    {
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(part);
    }
    out
}

fn pypi_set(sbom: &Sbom) -> BTreeSet<(String, String)> {
    sbom.packages
        .iter()
        .filter(|p| p.ecosystem == Ecosystem::Pypi)
        .map(|p| (norm(&p.name), p.version.clone()))
        .collect()
}

#[test]
#[ignore = "needs pip; run tests/run.sh"]
fn pip_target_matches_pip_list() {
    let dir = tmp();
    let venv = dir.path().join("venv");
    run(Command::new("python3").arg("-m").arg("venv").arg(&venv));
    let pip = venv.join("bin/pip");
    let target = dir.path().join("target");
    // Packages with dependencies, extras, markers, an sdist-only build and native wheels.
    run(Command::new(&pip)
        .args(["install", "-q", "--no-cache-dir", "--target"])
        .arg(&target)
        .args([
            "requests[socks]==2.32.3",
            "flask==3.0.3",
            "PyYAML==6.0.2",
            "python-dateutil==2.9.0.post0",
            "attrs==24.2.0",
            "setuptools==75.1.0",
        ]));
    let listed = run(Command::new(&pip)
        .args(["list", "--format", "json", "--path"])
        .arg(&target));
    let listed: Vec<serde_json::Value> = serde_json::from_str(&listed).unwrap();
    let want: BTreeSet<(String, String)> = listed
        .iter()
        .map(|e| {
            (
                norm(e["name"].as_str().unwrap()),
                e["version"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(want.len() >= 10, "{want:?}");

    // As a directory.
    let sbom = consign::scan(&SourceSpec::Dir(target.clone()), &ScanOptions::default()).unwrap();
    assert_eq!(pypi_set(&sbom), want);
    // Flask's own requirements resolve inside the target directory.
    let deps = edges(&sbom, RelationshipKind::DependsOn);
    assert!(
        deps.iter()
            .any(|e| e.starts_with("Flask@3.0.3 -> Werkzeug@")),
        "{deps:?}"
    );
    // `requests[socks]` was asked for on the command line, which no metadata records: the
    // `extra == "socks"` requirement stays inactive and PySocks has no dependent.
    assert!(!deps.iter().any(|e| e.contains("-> PySocks@")), "{deps:?}");
    // setuptools' vendored distributions are named on it, not listed as packages.
    let setuptools = sbom
        .packages
        .iter()
        .find(|p| p.name == "setuptools")
        .unwrap();
    let PackageMetadata::Language(m) = &setuptools.metadata else {
        unreachable!()
    };
    assert!(
        m.properties
            .contains(&("bundled".to_owned(), "packaging@24.1".to_owned())),
        "{:?}",
        m.properties
    );
    keep_documents("python-pip-target", &sbom);

    // As a layer of an image, under a virtualenv-like path.
    let mut files = Vec::new();
    collect(&target, &target, &mut files);
    let img = ImageBuilder::new().layer(|mut l| {
        for (rel, bytes) in &files {
            l = l.file(&format!("app/lib/python3.12/site-packages/{rel}"), bytes);
        }
        l
    });
    let path = dir.path().join("pip.tar");
    img.write_docker_archive(&path);
    let sbom = scan(&path, Scope::Squashed);
    assert_eq!(pypi_set(&sbom), want);
    assert!(
        sbom.packages
            .iter()
            .all(|p| p.locations.iter().all(|l| l.layer == 0))
    );
    keep_documents("python-pip-image", &sbom);
}

/// Debian's own Python packages (`python3-*` debs: egg-info directories without RECORD, some
/// dist-info, version-less `*.egg-info` names), as the host has them.
#[test]
#[ignore = "needs pip; run tests/run.sh"]
fn system_dist_packages_match_pip_list() {
    let dist = Path::new("/usr/lib/python3/dist-packages");
    if !dist.is_dir() {
        return;
    }
    let dir = tmp();
    let venv = dir.path().join("venv");
    run(Command::new("python3").arg("-m").arg("venv").arg(&venv));
    let listed = run(Command::new(venv.join("bin/pip"))
        .args(["list", "--format", "json", "--path"])
        .arg(dist));
    let listed: Vec<serde_json::Value> = serde_json::from_str(&listed).unwrap();
    let want: BTreeSet<(String, String)> = listed
        .iter()
        .map(|e| {
            (
                norm(e["name"].as_str().unwrap()),
                e["version"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let sbom = consign::scan(
        &SourceSpec::Dir(dist.to_path_buf()),
        &ScanOptions::default(),
    )
    .unwrap();
    assert_eq!(pypi_set(&sbom), want);
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let ft = e.file_type().unwrap();
        if ft.is_dir() {
            collect(root, &e.path(), out);
        } else if ft.is_file() {
            let rel = e
                .path()
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            out.push((rel, std::fs::read(e.path()).unwrap()));
        }
    }
}

/// Writes the SBOM documents where tests/run.sh validates them afterwards.
fn keep_documents(name: &str, sbom: &Sbom) {
    if let Ok(dir) = std::env::var("CONSIGN_E2E_OUT") {
        write_documents(Path::new(&dir), name, sbom);
    }
}
