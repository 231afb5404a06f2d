//! Ground truth from real tools, on a real Debian root filesystem (debootstrap) made into real
//! images by real tools (umoci builds the layers and their whiteouts, skopeo converts between
//! layouts). These tests need those tools and the root filesystem, which `tests/run.sh`
//! provides (`CONSIGN_E2E_ROOTFS`); plain `cargo test` skips them as ignored.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use consign::model::{Ecosystem, Scope};
use consign::source::SourceSpec;
use consign::{Sbom, ScanOptions};

use crate::support::tmp;

fn rootfs() -> PathBuf {
    PathBuf::from(
        std::env::var("CONSIGN_E2E_ROOTFS")
            .expect("CONSIGN_E2E_ROOTFS: run the real-tool tests through tests/run.sh"),
    )
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

/// `dpkg-query -W` of a root filesystem: (name, version, arch) of every package it lists.
fn dpkg_query(root: &Path) -> BTreeSet<(String, String, String)> {
    let admindir = root.join("var/lib/dpkg");
    let out = run(Command::new("dpkg-query")
        .arg(format!("--admindir={}", admindir.display()))
        .args(["-W", "-f", "${Package}\\t${Version}\\t${Architecture}\\n"]));
    out.lines()
        .map(|l| {
            let mut f = l.split('\t');
            (
                f.next().unwrap().to_owned(),
                f.next().unwrap().to_owned(),
                f.next().unwrap().to_owned(),
            )
        })
        .collect()
}

fn debs(sbom: &Sbom, present_only: bool) -> BTreeSet<(String, String, String)> {
    sbom.packages
        .iter()
        .filter(|p| p.ecosystem == Ecosystem::Deb && (!present_only || p.removed_in.is_none()))
        .map(|p| {
            (
                p.name.clone(),
                p.version.clone(),
                p.arch.clone().unwrap_or_default(),
            )
        })
        .collect()
}

fn scan(spec: SourceSpec, scope: Scope) -> Sbom {
    consign::scan(
        &spec,
        &ScanOptions {
            scope,
            ..ScanOptions::default()
        },
    )
    .unwrap_or_else(|e| panic!("{spec:?}: {e}"))
}

/// Writes the SBOM documents of a scan where tests/run.sh validates them afterwards.
fn keep_documents(name: &str, sbom: &Sbom) {
    let Ok(dir) = std::env::var("CONSIGN_E2E_OUT") else {
        return;
    };
    crate::support::write_documents(Path::new(&dir), name, sbom);
}

#[test]
#[ignore = "needs debootstrap output; run tests/run.sh"]
fn debootstrapped_rootfs_matches_dpkg_query() {
    let root = rootfs();
    let truth = dpkg_query(&root);
    assert!(truth.len() > 80, "a minbase bookworm has ~90 packages");
    let sbom = scan(SourceSpec::Dir(root.clone()), Scope::Squashed);
    assert_eq!(debs(&sbom, true), truth);
    let distro = sbom.distro.as_ref().unwrap();
    assert_eq!(
        (distro.id.as_str(), distro.version_id.as_deref()),
        ("debian", Some("12"))
    );
    keep_documents("debootstrap-dir", &sbom);
}

/// Copies the root filesystem (preserving links, modes and ownership).
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    run(Command::new("cp")
        .arg("-a")
        .arg(format!("{}/.", from.display()))
        .arg(to));
}

/// Removes an installed package the way `dpkg --purge --force-depends` would, without running
/// its maintainer scripts: its files (from info/<pkg>.list), its info files, its stanza.
fn purge(root: &Path, pkg: &str) {
    let info = root.join("var/lib/dpkg/info");
    let list = std::fs::read_to_string(info.join(format!("{pkg}.list")))
        .or_else(|_| std::fs::read_to_string(info.join(format!("{pkg}:amd64.list"))))
        .unwrap();
    for line in list.lines() {
        let p = root.join(line.trim_start_matches('/'));
        if let Ok(md) = std::fs::symlink_metadata(&p)
            && !md.is_dir()
        {
            std::fs::remove_file(&p).unwrap();
        }
    }
    for e in std::fs::read_dir(&info).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with(&format!("{pkg}.")) || name.starts_with(&format!("{pkg}:")) {
            std::fs::remove_file(e.path()).unwrap();
        }
    }
    let status_path = root.join("var/lib/dpkg/status");
    let status = std::fs::read_to_string(&status_path).unwrap();
    let kept: Vec<&str> = status
        .split("\n\n")
        .filter(|s| !s.lines().any(|l| l == format!("Package: {pkg}")))
        .collect();
    std::fs::write(&status_path, kept.join("\n\n")).unwrap();
}

#[test]
#[ignore = "needs debootstrap output, umoci and skopeo; run tests/run.sh"]
fn umoci_and_skopeo_images_with_a_deleted_package() {
    let dir = tmp();
    let layout = dir.path().join("layout");
    let bundle = dir.path().join("bundle");
    run(Command::new("umoci")
        .args(["init", "--layout"])
        .arg(&layout));
    run(Command::new("umoci")
        .args(["new", "--image"])
        .arg(format!("{}:v1", layout.display())));
    run(Command::new("umoci")
        .args(["unpack", "--image"])
        .arg(format!("{}:v1", layout.display()))
        .arg(&bundle));
    copy_tree(&rootfs(), &bundle.join("rootfs"));
    run(Command::new("umoci")
        .args(["repack", "--image"])
        .arg(format!("{}:v1", layout.display()))
        .arg(&bundle));
    let before = dpkg_query(&bundle.join("rootfs"));
    // A second layer that purges a package: unpack v1 afresh (umoci diffs a bundle against
    // the image it was unpacked from), remove the package, repack as v2; umoci writes the
    // whiteouts.
    let bundle2 = dir.path().join("bundle2");
    run(Command::new("umoci")
        .args(["unpack", "--image"])
        .arg(format!("{}:v1", layout.display()))
        .arg(&bundle2));
    let victim = "sed";
    purge(&bundle2.join("rootfs"), victim);
    let after = dpkg_query(&bundle2.join("rootfs"));
    assert_eq!(before.len(), after.len() + 1);
    run(Command::new("umoci")
        .args(["repack", "--image"])
        .arg(format!("{}:v2", layout.display()))
        .arg(&bundle2));
    let docker = dir.path().join("docker.tar");
    let oci_tar = dir.path().join("oci.tar");
    run(Command::new("skopeo")
        .args(["copy", "--quiet"])
        .arg(format!("oci:{}:v2", layout.display()))
        .arg(format!(
            "docker-archive:{}:example/debian:v2",
            docker.display()
        )));
    run(Command::new("skopeo")
        .args(["copy", "--quiet"])
        .arg(format!("oci:{}:v2", layout.display()))
        .arg(format!("oci-archive:{}:v2", oci_tar.display())));
    // umoci's layout holds v1 and v2: pick v2 by its ref name. The converted archives hold
    // v2 only.
    let sources = [
        (
            "umoci-oci-dir",
            SourceSpec::Auto(layout.clone()),
            Some("v2"),
        ),
        ("skopeo-docker-archive", SourceSpec::Auto(docker), None),
        ("skopeo-oci-archive", SourceSpec::Auto(oci_tar), None),
    ];
    for (name, spec, image) in sources {
        let opts = |scope| {
            let mut o = ScanOptions {
                scope,
                ..ScanOptions::default()
            };
            o.load.selector.image = image.map(str::to_owned);
            o
        };
        let squashed =
            consign::scan(&spec, &opts(Scope::Squashed)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(debs(&squashed, true), after, "{name}: squashed");
        assert!(
            !squashed.packages.iter().any(|p| p.name == victim),
            "{name}"
        );
        // `umoci new` makes no layer, so the debootstrapped tree is layer 0.
        assert!(
            squashed.packages.iter().all(|p| p.introduced_in == Some(0)),
            "{name}"
        );
        keep_documents(name, &squashed);
        let all =
            consign::scan(&spec, &opts(Scope::AllLayers)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(debs(&all, false), before, "{name}: all-layers");
        let removed: Vec<_> = all
            .packages
            .iter()
            .filter(|p| p.removed_in.is_some())
            .collect();
        assert_eq!(removed.len(), 1, "{name}");
        assert_eq!(removed[0].name, victim);
        assert_eq!(removed[0].removed_in, Some(1));
        assert_eq!(removed[0].introduced_in, Some(0));
        keep_documents(&format!("{name}-all-layers"), &all);
    }
}

#[test]
#[ignore = "needs debootstrap output; run tests/run.sh"]
fn removed_but_not_purged_packages_are_listed_as_dpkg_query_lists_them() {
    // `dpkg --remove` (what `apt-get remove` runs) keeps a package with conffiles in the
    // config-files state: dpkg-query -W still lists it. consign lists it too, marked.
    let dir = tmp();
    let root = dir.path().join("rootfs");
    copy_tree(&rootfs(), &root);
    run(Command::new("dpkg")
        .arg(format!("--root={}", root.display()))
        .args(["--force-depends", "--remove", "adduser"]));
    let status = run(Command::new("dpkg-query")
        .arg(format!(
            "--admindir={}",
            root.join("var/lib/dpkg").display()
        ))
        .args(["-W", "-f", "${db:Status-Abbrev}", "adduser"]));
    assert_eq!(status.trim(), "rc");
    let sbom = scan(SourceSpec::Dir(root.clone()), Scope::Squashed);
    assert_eq!(debs(&sbom, true), dpkg_query(&root));
    let adduser = sbom.packages.iter().find(|p| p.name == "adduser").unwrap();
    assert!(adduser.not_installed().is_some());
    keep_documents("dpkg-remove", &sbom);
}
