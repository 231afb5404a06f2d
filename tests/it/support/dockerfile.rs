//! A Dockerfile's final stage built without a Docker daemon, with umoci, from the
//! Dockerfile's own text (tests/it/own_image.rs): each `COPY` a layer holding the same files,
//! `ENV`, `WORKDIR`, `USER`, `LABEL`, `ENTRYPOINT`, `CMD` the same config, the history as
//! BuildKit writes it, `HEALTHCHECK NONE` patched into the config (umoci has no flag for it).
//! Only the instructions consign's Dockerfile uses are known; any other fails the test, so the
//! test follows the Dockerfile.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// When the image is "built" (reproducible).
pub const CREATED: &str = "2026-01-15T00:00:00Z";

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn sh(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn umoci(args: &[&str]) {
    sh(Command::new("umoci").args(args));
}

/// The Dockerfile's instructions (continuation lines joined, comments dropped) from the last
/// `FROM` on: (keyword, arguments).
fn final_stage(text: &str) -> Vec<(String, String)> {
    let mut logical = Vec::new();
    let mut cur = String::new();
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('#') && cur.is_empty() || t.is_empty() && cur.is_empty() {
            continue;
        }
        match t.strip_suffix('\\') {
            Some(part) => cur.push_str(&format!("{} ", part.trim())),
            None => {
                cur.push_str(t);
                logical.push(std::mem::take(&mut cur));
            }
        }
    }
    let from = logical
        .iter()
        .rposition(|l| l.starts_with("FROM "))
        .unwrap();
    logical[from..]
        .iter()
        .map(|l| {
            let (k, v) = l.split_once(' ').unwrap_or((l, ""));
            (k.to_ascii_uppercase(), v.trim().to_owned())
        })
        .collect()
}

/// `${NAME}` / `$NAME` replaced from `vars`.
fn expand(s: &str, vars: &BTreeMap<String, String>) -> String {
    let mut out = s.to_owned();
    for (k, v) in vars {
        out = out
            .replace(&format!("${{{k}}}"), v)
            .replace(&format!("${k}"), v);
    }
    out
}

/// `k="v" k2=v2` pairs (LABEL, ENV, ARG).
fn pairs(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = s.trim();
    while !rest.is_empty() {
        let (k, after) = rest.split_once('=').unwrap_or((rest, ""));
        let (v, next) = if let Some(q) = after.strip_prefix('"') {
            let end = q.find('"').unwrap();
            (&q[..end], &q[end + 1..])
        } else {
            after.split_once(' ').unwrap_or((after, ""))
        };
        out.push((k.trim().to_owned(), v.to_owned()));
        rest = next.trim();
    }
    out
}

/// Whether an ELF file has no program interpreter (PT_INTERP), i.e. is statically linked.
pub fn is_static_elf(path: &Path) -> bool {
    let b = std::fs::read(path).unwrap();
    assert_eq!(&b[..4], b"\x7fELF", "{} is not ELF", path.display());
    let u16_at = |o: usize| u16::from_le_bytes([b[o], b[o + 1]]) as usize;
    let phoff = u64::from_le_bytes(b[32..40].try_into().unwrap()) as usize;
    let (phentsize, phnum) = (u16_at(54), u16_at(56));
    (0..phnum).all(|i| {
        let p = phoff + i * phentsize;
        u32::from_le_bytes(b[p..p + 4].try_into().unwrap()) != 3
    })
}

/// Rewrites the config of `layout`'s image `tag` with `edit`, updating the manifest and
/// index digests (what umoci cannot set: the Docker `Healthcheck` field).
fn patch_config(layout: &Path, tag: &str, edit: impl FnOnce(&mut Value)) {
    use sha2::{Digest as _, Sha256};
    let blob = |d: &str| {
        layout
            .join("blobs/sha256")
            .join(d.trim_start_matches("sha256:"))
    };
    let put = |v: &Value| {
        let bytes = serde_json::to_vec(v).unwrap();
        let d = format!("sha256:{}", hex::encode(Sha256::digest(&bytes)));
        std::fs::write(blob(&d), &bytes).unwrap();
        (d, bytes.len())
    };
    let read =
        |d: &str| -> Value { serde_json::from_slice(&std::fs::read(blob(d)).unwrap()).unwrap() };
    let mut index: Value =
        serde_json::from_slice(&std::fs::read(layout.join("index.json")).unwrap()).unwrap();
    let m = index["manifests"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|m| m["annotations"]["org.opencontainers.image.ref.name"] == tag)
        .unwrap();
    let mut manifest = read(m["digest"].as_str().unwrap());
    let mut config = read(manifest["config"]["digest"].as_str().unwrap());
    edit(&mut config);
    let (cd, cs) = put(&config);
    manifest["config"]["digest"] = cd.into();
    manifest["config"]["size"] = cs.into();
    let (md, ms) = put(&manifest);
    m["digest"] = md.into();
    m["size"] = ms.into();
    std::fs::write(
        layout.join("index.json"),
        serde_json::to_vec(&index).unwrap(),
    )
    .unwrap();
}

/// Builds the Dockerfile's final stage as `layout:consign`; returns the unpacked rootfs.
pub fn build(dir: &Path, binary: &Path) -> (PathBuf, PathBuf) {
    let layout = dir.join("layout");
    let l = layout.display().to_string();
    let img = format!("{l}:consign");
    umoci(&["init", "--layout", &l]);
    umoci(&["new", "--image", &img]);
    let text = std::fs::read_to_string(repo().join("Dockerfile")).unwrap();
    let stage = final_stage(&text);
    assert_eq!(
        stage[0],
        ("FROM".into(), "scratch".into()),
        "the final stage starts from scratch"
    );
    // What the build stage leaves behind, stood in for.
    let from_build: BTreeMap<&str, PathBuf> = BTreeMap::from([
        (
            "/etc/ssl/certs/ca-certificates.crt",
            PathBuf::from("/etc/ssl/certs/ca-certificates.crt"),
        ),
        ("/out/consign", binary.to_owned()),
    ]);
    let mut vars = BTreeMap::from([
        ("VERSION".to_owned(), env!("CARGO_PKG_VERSION").to_owned()),
        (
            "REVISION".to_owned(),
            "0123456789abcdef0123456789abcdef01234567".to_owned(),
        ),
    ]);
    let hist = |created_by: &str| {
        vec![
            "--history.created_by".to_owned(),
            created_by.to_owned(),
            "--history.created".to_owned(),
            CREATED.to_owned(),
        ]
    };
    let config = |args: Vec<String>| {
        let mut a = vec![
            "config".to_owned(),
            "--image".to_owned(),
            img.clone(),
            "--created".to_owned(),
            CREATED.to_owned(),
        ];
        a.extend(args);
        umoci(&a.iter().map(String::as_str).collect::<Vec<_>>());
    };
    let layer = |created_by: &str, edit: &dyn Fn(&Path)| {
        let bundle = dir.join("bundle");
        let _ = std::fs::remove_dir_all(&bundle);
        umoci(&["unpack", "--image", &img, bundle.to_str().unwrap()]);
        edit(&bundle.join("rootfs"));
        let mut a = vec!["repack".to_owned(), "--image".to_owned(), img.clone()];
        a.extend(hist(created_by));
        a.push(bundle.display().to_string());
        umoci(&a.iter().map(String::as_str).collect::<Vec<_>>());
    };
    let mut healthcheck_none = false;
    for (kw, args) in &stage[1..] {
        let line = format!("{kw} {args}");
        match kw.as_str() {
            "ARG" => {
                for (k, v) in pairs(args) {
                    vars.entry(k).or_insert(v);
                }
            }
            "COPY" => {
                let words: Vec<&str> = args.split_whitespace().collect();
                let (from, words) = match words[0].strip_prefix("--from=") {
                    Some(stage) => (Some(stage), &words[1..]),
                    None => (None, &words[..]),
                };
                let (dest, srcs) = words.split_last().unwrap();
                layer(&format!("{line} # buildkit"), &|root: &Path| {
                    for src in srcs {
                        let target = root.join(dest.trim_start_matches('/'));
                        match from {
                            Some("build") => {
                                std::fs::create_dir_all(target.parent().unwrap()).unwrap();
                                std::fs::copy(&from_build[src], &target).unwrap();
                            }
                            Some(other) => panic!("COPY --from={other}: unknown stage"),
                            None => {
                                sh(Command::new("cp")
                                    .arg("-rT")
                                    .arg(repo().join(src))
                                    .arg(&target));
                            }
                        }
                    }
                });
            }
            "ENV" => config(
                [
                    vec!["--config.env".to_owned(), expand(args, &vars)],
                    hist(&line),
                ]
                .concat(),
            ),
            "WORKDIR" => {
                layer(&format!("{line} # buildkit"), &|root: &Path| {
                    std::fs::create_dir_all(root.join(args.trim_start_matches('/'))).unwrap();
                });
                config(vec![
                    "--no-history".into(),
                    "--config.workingdir".into(),
                    args.clone(),
                ]);
            }
            "USER" => {
                config([vec!["--config.user".to_owned(), args.clone()], hist(&line)].concat())
            }
            "LABEL" => {
                let mut a = Vec::new();
                for (k, v) in pairs(args) {
                    a.push("--config.label".to_owned());
                    a.push(format!("{k}={}", expand(&v, &vars)));
                }
                config([a, hist(&expand(&line, &vars))].concat());
            }
            "HEALTHCHECK" => {
                assert_eq!(args, "NONE");
                healthcheck_none = true;
                config(hist(&line));
            }
            "ENTRYPOINT" | "CMD" => {
                let argv: Vec<String> = serde_json::from_str(args).expect("exec form");
                let flag = if kw == "CMD" {
                    "--config.cmd"
                } else {
                    "--config.entrypoint"
                };
                let mut a: Vec<String> = argv.iter().map(|v| format!("{flag}={v}")).collect();
                a.extend(hist(&line));
                config(a);
            }
            other => panic!("the test does not know the final-stage instruction {other}"),
        }
    }
    if healthcheck_none {
        patch_config(&layout, "consign", |c| {
            c["config"]["Healthcheck"] = serde_json::json!({"Test": ["NONE"]});
        });
    }
    let bundle = dir.join("final");
    umoci(&["unpack", "--image", &img, bundle.to_str().unwrap()]);
    (layout, bundle.join("rootfs"))
}

/// Every path under `root`, `dir/` for directories.
pub fn tree(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(root).unwrap().display().to_string();
            if p.is_dir() && !p.is_symlink() {
                out.push(format!("{rel}/"));
                stack.push(p);
            } else {
                out.push(rel);
            }
        }
    }
    out.sort();
    out
}
