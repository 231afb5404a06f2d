//! Ground truth from the real toolchains, which `tests/run.sh` installs: `go build` with
//! Debian's golang-go, `cargo auditable build`. Plain `cargo test` skips these as ignored.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use consign::model::{Ecosystem, Package, PackageMetadata, RelationshipKind, Scope};
use consign::source::SourceSpec;
use consign::{Sbom, ScanOptions};

use crate::support::{tmp, write_documents};

fn run(cmd: &mut Command) -> String {
    let mut out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    // cargo's rustc probe has been seen to fail here, reading another process's output as its
    // input, and cargo caches the failure: clear the cache and try again, at most twice (see
    // tests/cargo-probe.sh).
    for _ in 0..2 {
        if out.status.success()
            || !String::from_utf8_lossy(&out.stderr)
                .contains("to learn about target-specific information")
        {
            break;
        }
        let target = cmd
            .get_envs()
            .find(|(k, _)| *k == "CARGO_TARGET_DIR")
            .and_then(|(_, v)| v.map(Path::new).map(Path::to_path_buf))
            .or_else(|| cmd.get_current_dir().map(|d| d.join("target")));
        if let Some(dir) = target {
            let _ = std::fs::remove_file(dir.join(".rustc_info.json"));
        }
        out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    }
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn scan_dir(root: &Path) -> Sbom {
    let opts = ScanOptions {
        scope: Scope::Squashed,
        catalogers: vec!["language".into()],
        ..ScanOptions::default()
    };
    consign::scan(&SourceSpec::Dir(root.to_owned()), &opts).unwrap()
}

fn property<'a>(p: &'a Package, key: &str) -> &'a str {
    match &p.metadata {
        PackageMetadata::Language(m) => m
            .properties
            .iter()
            .find(|(k, _)| k == key)
            .map_or("", |(_, v)| v.as_str()),
        _ => "",
    }
}

fn keep(name: &str, sbom: &Sbom) {
    if let Some(out) = std::env::var_os("CONSIGN_E2E_OUT") {
        write_documents(Path::new(&out), name, sbom);
    }
}

/// A module proxy on disk (`GOPROXY=file://…`) serving Debian's packaged sources of two
/// real modules (golang-github-google-go-cmp-dev, golang-github-pkg-errors-dev): the
/// public proxy is not reachable from this machine. Go computes the `h1:` sums from
/// these zips, so they are those of Debian's trees, not necessarily upstream's.
fn debian_proxy(dir: &Path) {
    let script = r#"
import os, sys, zipfile
out = sys.argv[1]
for m, v in [("github.com/pkg/errors", "v0.9.1"), ("github.com/google/go-cmp", "v0.5.9")]:
    src = "/usr/share/gocode/src/" + m
    d = os.path.join(out, m, "@v")
    os.makedirs(d, exist_ok=True)
    open(os.path.join(d, "list"), "w").write(v + "\n")
    open(os.path.join(d, v + ".info"), "w").write('{"Version": "%s"}' % v)
    gomod = os.path.join(src, "go.mod")
    text = open(gomod).read() if os.path.exists(gomod) else "module %s\n" % m
    open(os.path.join(d, v + ".mod"), "w").write(text)
    with zipfile.ZipFile(os.path.join(d, v + ".zip"), "w") as z:
        for root, _, files in sorted(os.walk(src)):
            for f in sorted(files):
                p = os.path.join(root, f)
                z.write(p, m + "@" + v + "/" + os.path.relpath(p, src))
"#;
    run(Command::new("python3").args(["-c", script]).arg(dir));
}

/// `go version -m` output: the Go version, and (kind, columns) of every line.
fn go_version_m(bin: &Path) -> (String, Vec<Vec<String>>) {
    let out = run(Command::new("go").args(["version", "-m"]).arg(bin));
    let mut lines = out.lines();
    let first = lines.next().unwrap();
    let go = first.rsplit(": ").next().unwrap().to_owned();
    let rows = lines
        .map(|l| {
            l.trim_start_matches('\t')
                .split('\t')
                .map(str::to_owned)
                .collect()
        })
        .collect();
    (go, rows)
}

/// Builds a program with two proxied modules and one replaced by a local directory, in a
/// git checkout (so that Go stamps vcs.* settings), and compares the scan with what
/// `go version -m` prints, line by line.
#[test]
#[ignore = "needs go; run tests/run.sh"]
fn go_build_matches_go_version_m() {
    let dir = tmp();
    let d = dir.path();
    debian_proxy(&d.join("proxy"));
    std::fs::create_dir_all(d.join("greet")).unwrap();
    std::fs::write(
        d.join("greet/go.mod"),
        "module example.com/greet\n\ngo 1.19\n",
    )
    .unwrap();
    std::fs::write(
        d.join("greet/greet.go"),
        "package greet\n\nfunc Hello() string { return \"hello\" }\n",
    )
    .unwrap();
    let app = d.join("app");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(
        app.join("go.mod"),
        "module example.com/app\n\ngo 1.19\n\nrequire (\n\
         \tgithub.com/google/go-cmp v0.5.9\n\tgithub.com/pkg/errors v0.9.1\n\
         \texample.com/greet v1.2.3\n)\n\nreplace example.com/greet v1.2.3 => ../greet\n",
    )
    .unwrap();
    std::fs::write(
        app.join("main.go"),
        "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/greet\"\n\
         \t\"github.com/google/go-cmp/cmp\"\n\t\"github.com/pkg/errors\"\n)\n\n\
         func main() { fmt.Println(greet.Hello(), cmp.Diff(1, 2), errors.New(\"x\")) }\n",
    )
    .unwrap();
    let git = |args: &[&str]| {
        run(Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(&app)
            .env("GIT_COMMITTER_DATE", "2024-03-05T10:20:30Z")
            .env("GIT_AUTHOR_DATE", "2024-03-05T10:20:30Z"));
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "app"]);
    let root = d.join("root");
    std::fs::create_dir_all(root.join("usr/bin")).unwrap();
    let bin = root.join("usr/bin/app");
    let go_build = |out: &Path, goos: &str, goarch: &str| {
        run(Command::new("go")
            .args(["build", "-trimpath", "-ldflags=-s -w", "-o"])
            .arg(out)
            .arg(".")
            .current_dir(&app)
            .env("GOOS", goos)
            .env("GOARCH", goarch)
            .env("GOPROXY", format!("file://{}", d.join("proxy").display()))
            .env("GOSUMDB", "off")
            .env("GOFLAGS", "-mod=mod")
            .env("GOMODCACHE", d.join("modcache"))
            .env("GOCACHE", d.join("gocache")));
        run(Command::new("chmod").arg("755").arg(out));
    };
    go_build(&bin, "linux", "amd64");
    // Mach-O and PE builds of the same program (cross-compiled, pure Go).
    go_build(&root.join("usr/bin/app-darwin"), "darwin", "arm64");
    go_build(&root.join("usr/bin/app.exe"), "windows", "amd64");
    // The same binary with its section headers cut off, as sstrip leaves it: found by
    // searching the data segment.
    let mut stripped = std::fs::read(&bin).unwrap();
    stripped[0x28..0x30].fill(0); // e_shoff
    stripped[0x3c..0x40].fill(0); // e_shnum, e_shstrndx
    std::fs::write(root.join("usr/bin/app-sstripped"), &stripped).unwrap();
    run(Command::new("chmod")
        .arg("755")
        .arg(root.join("usr/bin/app-sstripped")));

    let (go, lines) = go_version_m(&bin);
    let setting = |k: &str| {
        lines.iter().find_map(|l| {
            (l[0] == "build" && l[1].starts_with(&format!("{k}=")))
                .then(|| l[1][k.len() + 1..].to_owned())
        })
    };
    let (revision, time) = (
        setting("vcs.revision").unwrap(),
        setting("vcs.time").unwrap(),
    );
    assert_eq!(time, "2024-03-05T10:20:30Z");
    // What consign should report, by its documented rules, from go's own listing.
    let mut want: BTreeSet<(String, String, String)> = BTreeSet::new();
    want.insert((
        "stdlib".into(),
        go.trim_start_matches("go").into(),
        String::new(),
    ));
    let mut i = 0;
    while i < lines.len() {
        let l = &lines[i];
        let col = |n: usize| l.get(n).cloned().unwrap_or_default();
        match l[0].as_str() {
            "mod" => {
                assert_eq!(col(2), "(devel)");
                let pseudo = format!("v0.0.0-20240305102030-{}", &revision[..12]);
                want.insert((col(1), pseudo, col(3)));
            }
            "dep" => match lines.get(i + 1).filter(|n| n[0] == "=>") {
                Some(r) if r[1].starts_with("../") => {
                    want.insert((col(1), col(2), String::new()));
                    i += 1;
                }
                Some(r) => {
                    want.insert((r[1].clone(), r[2].clone(), r[3].clone()));
                    i += 1;
                }
                None => {
                    want.insert((col(1), col(2), col(3)));
                }
            },
            _ => {}
        }
        i += 1;
    }
    assert_eq!(want.len(), 5, "{want:?}");

    let sbom = scan_dir(&root);
    assert!(sbom.unknowns.is_empty(), "{:?}", sbom.unknowns);
    let got: BTreeSet<(String, String, String)> = sbom
        .packages
        .iter()
        .filter(|p| p.ecosystem == Ecosystem::Golang)
        .map(|p| {
            (
                p.name.clone(),
                p.version.clone(),
                property(p, "h1Digest").to_owned(),
            )
        })
        .collect();
    assert_eq!(got, want);
    let main = sbom
        .packages
        .iter()
        .find(|p| p.name == "example.com/app")
        .unwrap();
    for l in lines.iter().filter(|l| l[0] == "build") {
        let (k, v) = l[1].split_once('=').unwrap();
        let v = v.trim_matches('"');
        assert_eq!(property(main, &format!("build:{k}")), v, "{k}");
    }
    let paths: Vec<&str> = main.locations.iter().map(|l| l.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "usr/bin/app",
            "usr/bin/app-darwin",
            "usr/bin/app-sstripped",
            "usr/bin/app.exe"
        ]
    );
    let greet = sbom
        .packages
        .iter()
        .find(|p| p.name == "example.com/greet")
        .unwrap();
    assert_eq!(property(greet, "replacementPath"), "../greet");
    keep("real-go-build", &sbom);

    // The project's go.mod and go.sum, against `go list -m all` (main module aside).
    std::fs::create_dir_all(root.join("src/app")).unwrap();
    for f in ["go.mod", "go.sum"] {
        std::fs::copy(app.join(f), root.join("src/app").join(f)).unwrap();
    }
    let listed = run(Command::new("go")
        .args([
            "list",
            "-m",
            "-f",
            "{{.Path}} {{.Version}} {{with .Replace}}{{.Path}} {{.Version}}{{end}}",
            "all",
        ])
        .current_dir(&app)
        .env("GOPROXY", format!("file://{}", d.join("proxy").display()))
        .env("GOSUMDB", "off")
        .env("GOFLAGS", "-mod=mod")
        .env("GOMODCACHE", d.join("modcache"))
        .env("GOCACHE", d.join("gocache")));
    let want: BTreeSet<(String, String)> = listed
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            match f.as_slice() {
                [_, _, r, rv] if !r.starts_with('.') => (r.to_string(), rv.to_string()),
                [p, v, ..] => (p.to_string(), v.to_string()),
                _ => panic!("{l}"),
            }
        })
        .collect();
    let sbom = scan_dir(&root);
    let declared: BTreeSet<(String, String)> = sbom
        .packages
        .iter()
        // Merged with the binary's packages of the same purl: known by their location.
        .filter(|p| p.locations.iter().any(|l| l.path == "src/app/go.mod"))
        .map(|p| (p.name.clone(), p.version.clone()))
        .collect();
    assert_eq!(declared, want);
}

/// Builds a crate with `cargo auditable build` (offline, from crates already in the local
/// registry cache) and compares the scan with `cargo metadata`'s resolve graph.
#[test]
#[ignore = "needs cargo-auditable; run tests/run.sh"]
fn cargo_auditable_build_matches_cargo_metadata() {
    let dir = tmp();
    let krate = dir.path().join("hello");
    std::fs::create_dir_all(krate.join("src")).unwrap();
    std::fs::write(
        krate.join("Cargo.toml"),
        "[package]\nname = \"hello\"\nversion = \"0.3.0\"\nedition = \"2021\"\n\n\
         [dependencies]\nhex = \"0.4\"\nmemchr = \"2\"\nserde_json = \"1\"\n",
    )
    .unwrap();
    std::fs::write(
        krate.join("src/main.rs"),
        "fn main() {\n    let v: serde_json::Value = serde_json::from_str(\"[1]\").unwrap();\n    \
         println!(\"{} {:?} {v}\", hex::encode(\"x\"), memchr::memchr(b'x', b\"x\"));\n}\n",
    )
    .unwrap();
    let target = dir.path().join("target");
    run(Command::new("cargo")
        .args(["auditable", "build", "--offline", "--quiet"])
        .current_dir(&krate)
        .env("CARGO_TARGET_DIR", &target));
    // Only what is built for this platform, as cargo-auditable records it (serde_core,
    // for one, names serde under `cfg(any())`, which is never built).
    let rustc = run(Command::new("rustc").arg("-vV"));
    let host = rustc
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .unwrap();
    let meta: serde_json::Value = serde_json::from_str(&run(Command::new("cargo")
        .args(["metadata", "--format-version", "1", "--offline"])
        .args(["--filter-platform", host])
        .current_dir(&krate)))
    .unwrap();
    let names: std::collections::HashMap<&str, String> = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap(),
                format!(
                    "{}@{}",
                    p["name"].as_str().unwrap(),
                    p["version"].as_str().unwrap()
                ),
            )
        })
        .collect();
    let mut want_pkgs = BTreeSet::new();
    let mut want_edges = BTreeSet::new();
    for node in meta["resolve"]["nodes"].as_array().unwrap() {
        let from = names[node["id"].as_str().unwrap()].clone();
        want_pkgs.insert(from.clone());
        for dep in node["deps"].as_array().unwrap() {
            let normal_or_build = dep["dep_kinds"]
                .as_array()
                .unwrap()
                .iter()
                .any(|k| k["kind"].as_str() != Some("dev"));
            if normal_or_build {
                want_edges.insert((from.clone(), names[dep["pkg"].as_str().unwrap()].clone()));
            }
        }
    }
    let root = dir.path().join("root");
    std::fs::create_dir_all(root.join("usr/local/bin")).unwrap();
    std::fs::copy(target.join("debug/hello"), root.join("usr/local/bin/hello")).unwrap();
    let sbom = scan_dir(&root);
    assert!(sbom.unknowns.is_empty(), "{:?}", sbom.unknowns);
    let id = |p: &Package| format!("{}@{}", p.name, p.version);
    let got_pkgs: BTreeSet<String> = sbom
        .packages
        .iter()
        .filter(|p| p.ecosystem == Ecosystem::Cargo)
        .map(id)
        .collect();
    assert_eq!(got_pkgs, want_pkgs);
    let by_id = |pid: &consign::model::PackageId| {
        id(sbom.packages.iter().find(|p| &p.id() == pid).unwrap())
    };
    let got_edges: BTreeSet<(String, String)> = sbom
        .relationships
        .iter()
        .filter(|r| r.kind == RelationshipKind::DependsOn)
        .map(|r| (by_id(&r.from), by_id(&r.to)))
        .collect();
    assert_eq!(got_edges, want_edges);
    keep("real-cargo-auditable", &sbom);

    // The lockfile against `cargo metadata` for every platform (what Cargo.lock records).
    std::fs::create_dir_all(root.join("src/hello")).unwrap();
    std::fs::copy(krate.join("Cargo.lock"), root.join("src/hello/Cargo.lock")).unwrap();
    let sbom = scan_dir(&root);
    let all: serde_json::Value = serde_json::from_str(&run(Command::new("cargo")
        .args(["metadata", "--format-version", "1", "--offline"])
        .current_dir(&krate)))
    .unwrap();
    let lock_want: BTreeSet<String> = all["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{}@{}",
                p["name"].as_str().unwrap(),
                p["version"].as_str().unwrap()
            )
        })
        .collect();
    let lock_got: BTreeSet<String> = sbom
        .packages
        .iter()
        .filter(|p| {
            p.ecosystem == Ecosystem::Cargo
                && p.locations.iter().any(|l| l.path == "src/hello/Cargo.lock")
        })
        .map(id)
        .collect();
    assert_eq!(lock_got, lock_want);
}
