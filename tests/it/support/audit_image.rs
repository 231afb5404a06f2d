//! The audit tests' image: a clean, hardened image built in code (a Debian-like base of two
//! layers with classic-builder history, then application layers with BuildKit history), and
//! [`Tweak`]s that break one thing at a time. [`run`] writes it as an OCI layout, scans it and
//! audits it at [`NOW`].

use consign::audit::{
    self, AuditInput, BaseCatalog, Dockerfile, Finding, Report, ValidPolicy, catalog::CatalogImage,
};
use consign::source::SourceSpec;
use consign::{ScanOptions, scan_layers};
use serde_json::{Value, json};

use super::image::{ImageBuilder, Layer};
use super::tmp;

pub const NOW: &str = "2024-01-15T00:00:00Z";

pub const OS_RELEASE_12: &str = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nID=debian\n";
const PASSWD: &str = "root:x:0:0:root:/root:/bin/bash\napp:x:10001:10001::/app:/usr/sbin/nologin\nadmin:x:0:0::/root:/bin/sh\n";

fn stanza(name: &str, version: &str) -> String {
    format!(
        "Package: {name}\nStatus: install ok installed\nPriority: optional\nSection: libs\nMaintainer: Debian <debian@example.org>\nArchitecture: amd64\nVersion: {version}\nDescription: {name}\n\n"
    )
}

/// The base image's two layers: a root filesystem and one `RUN` (unpinned, which must not be
/// blamed on the application).
fn base_layers(b: ImageBuilder, os_release: &'static str, extra_pkg: Option<&str>) -> ImageBuilder {
    let mut status = stanza("libc6", "2.36-9+deb12u4");
    if let Some(p) = extra_pkg {
        status.push_str(&stanza(p, "1.9.13p3-1+deb12u1"));
    }
    b.layer(move |l| rootfs(l, os_release, &status))
        .layer(|l| base_layer(l, 1))
}

fn rootfs(l: Layer, os_release: &str, status: &str) -> Layer {
    l.created_by("/bin/sh -c #(nop) ADD file:5a6b in / ")
        .file("etc/os-release", os_release)
        .file("etc/passwd", PASSWD)
        .file("var/lib/dpkg/status", status)
        .file("usr/share/doc/libc6/copyright", "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nCopyright: 1991 FSF\nLicense: GPL-3+\n")
        .file_mode("usr/bin/passwd", "elf", 0o4755)
        .file_mode("tmp/scratch", "", 0o666)
}

/// Layer `i` (0 or 1) of the clean image's base, as the base image itself has it.
pub fn base_layer(l: Layer, i: usize) -> Layer {
    if i == 0 {
        return rootfs(l, OS_RELEASE_12, &stanza("libc6", "2.36-9+deb12u4"));
    }
    l.created_by("/bin/sh -c apt-get update && apt-get install -y ca-certificates")
        .file(
            "etc/ssl/certs/ca.pem",
            "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        )
}

/// One application build step: its `created_by` and what its layer holds.
pub type AppStep = (&'static str, fn(Layer) -> Layer);

/// What each case changes.
#[derive(Default, Clone)]
pub struct Tweak {
    pub os_release: Option<&'static str>,
    pub extra_pkg: Option<&'static str>,
    /// Replaces the application's steps: (created_by, layer contents).
    pub app: Option<Vec<AppStep>>,
    pub config: Option<Value>,
    pub created: Option<&'static str>,
    pub base_created: Option<&'static str>,
    pub labels: bool,
    pub annotation: Option<(&'static str, &'static str)>,
}

pub fn clean_app() -> Vec<AppStep> {
    vec![
        (
            "RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5 && rm -rf /var/lib/apt/lists/* # buildkit",
            |l| l.file_mode("usr/bin/curl", "elf", 0o755),
        ),
        ("COPY app /app # buildkit", |l| {
            l.file_mode("app/run", "#!/bin/sh\n", 0o755)
                .file("app/package.json", "{}")
                .file("app/package-lock.json", "{}")
        }),
    ]
}

pub fn image(t: &Tweak) -> ImageBuilder {
    let mut b = base_layers(
        ImageBuilder::new().tag(Some("example.com/app:1.0")),
        t.os_release.unwrap_or(OS_RELEASE_12),
        t.extra_pkg,
    );
    let app = t.app.clone().unwrap_or_else(clean_app);
    let base_created = t.base_created.unwrap_or("2023-12-20T00:00:00Z");
    let mut history = vec![
        json!({"created": base_created, "created_by": "/bin/sh -c #(nop) ADD file:5a6b in / "}),
        json!({"created": base_created, "created_by": "/bin/sh -c apt-get update && apt-get install -y ca-certificates"}),
        json!({"created": base_created, "created_by": "/bin/sh -c #(nop)  CMD [\"bash\"]", "empty_layer": true}),
    ];
    for (created_by, f) in &app {
        let f = *f;
        let cb = *created_by;
        b = b.layer(move |l| f(l.created_by(cb)));
        history.push(json!({"created": "2024-01-10T00:00:00Z", "created_by": created_by}));
    }
    for meta in [
        "USER 10001",
        "HEALTHCHECK &{[\"CMD\" \"/app/health\"]}",
        "CMD [\"/app/run\"]",
    ] {
        history.push(json!({"created": "2024-01-10T00:00:00Z", "created_by": meta, "comment": "buildkit.dockerfile.v0", "empty_layer": true}));
    }
    let mut config = json!({"User": "10001", "Healthcheck": {"Test": ["CMD", "/app/health"]}});
    if let Some(Value::Object(extra)) = &t.config {
        for (k, v) in extra {
            config[k] = v.clone();
        }
    }
    b = b
        .history(Value::Array(history))
        .run_config(config)
        .created(t.created.unwrap_or("2024-01-10T00:00:00Z"));
    if !t.labels {
        b = b
            .label("org.opencontainers.image.source", "https://example.com/app")
            .label("org.opencontainers.image.revision", "0123abcd")
            .label("org.opencontainers.image.version", "1.0");
    }
    let (k, v) = t.annotation.unwrap_or((
        "org.opencontainers.image.base.name",
        "docker.io/library/debian:12",
    ));
    b.annotation(k, v)
}

/// Everything one audit needs besides the image.
#[derive(Default)]
pub struct Extra<'a> {
    pub policy: Option<&'a str>,
    pub dockerfile: Option<&'a str>,
    pub catalog: Option<&'a BaseCatalog>,
}

/// Writes the image as an OCI layout, scans it and audits it at [`NOW`].
pub fn run(img: &ImageBuilder, extra: &Extra<'_>) -> Report {
    let dir = tmp();
    img.write_oci_dir(dir.path());
    let spec = SourceSpec::OciDir(dir.path().to_path_buf());
    let scanned = scan_layers(&spec, &ScanOptions::default(), &audit::secrets::CAPTURE).unwrap();
    let policy = match extra.policy {
        Some(p) => ValidPolicy::from_toml(p, "policy.toml").unwrap(),
        None => ValidPolicy::default_policy(),
    };
    let dockerfile = extra.dockerfile.map(|d| Dockerfile::parse(d, "Dockerfile"));
    audit::audit(
        &AuditInput {
            sbom: &scanned.sbom,
            trees: &scanned.trees,
            dockerfile: dockerfile.as_ref(),
            catalog: extra.catalog,
            provenance: &scanned.provenance,
            now: NOW.parse().unwrap(),
        },
        &policy,
    )
}

pub fn ids(r: &Report) -> Vec<&'static str> {
    r.findings.iter().map(|f| f.id).collect()
}

/// A catalog recording the clean image's base build, and optionally a newer build.
pub fn catalog(newer: bool) -> BaseCatalog {
    let w = image(&Tweak::default()).build();
    let diff_ids: Vec<String> = w.layers.iter().take(2).map(|l| l.2.clone()).collect();
    let mut c = BaseCatalog::new();
    let entry = |created: &str, libc: &str, diff_ids: Vec<String>| CatalogImage {
        name: "docker.io/library/debian".into(),
        tag: Some("12".into()),
        digest: Some(format!("sha256:{}", "a".repeat(63) + &created[3..4])),
        created: Some(created.into()),
        platform: Some("linux/amd64".into()),
        history_len: Some(3),
        diff_ids,
        packages: [("pkg:deb/debian/libc6".to_owned(), libc.to_owned())].into(),
        ..CatalogImage::default()
    };
    c.add(entry("2023-12-20T00:00:00Z", "2.36-9+deb12u4", diff_ids));
    if newer {
        c.add(entry(
            "2024-01-12T00:00:00Z",
            "2.36-9+deb12u7",
            vec!["sha256:".to_owned() + &"b".repeat(64)],
        ));
    }
    c
}

/// Tokens planted by the review's reproduction images.
pub const GH: &str = "ghp_aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI3kM5";
pub const NPM: &str = "npm_Ab3De5Gh7Jk9Mn1Pq3St5Vx7Za9Ce1Gi3Km5";
pub const JWT: &str =
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
pub const DEBIAN_12: &str = "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian 12\"\n";

/// An image like the reviewer's (`mkimg.py`): a Debian 12 base layer with classic-builder
/// history, then one layer per layer-making `steps` entry with BuildKit history.
pub fn review_image(steps: &[(&str, bool)], config: Value) -> ImageBuilder {
    let mut b = ImageBuilder::new()
        .tag(Some("review:1"))
        .created("2024-02-01T00:00:00Z")
        .layer(|l| {
            l.file("etc/os-release", DEBIAN_12).file(
                "etc/passwd",
                "root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/app:/bin/sh\n",
            )
        });
    let mut history = vec![
        json!({"created": "2024-01-01T00:00:00Z", "created_by": "/bin/sh -c #(nop) ADD file:abc in / "}),
        json!({"created": "2024-01-01T00:00:00Z", "created_by": "/bin/sh -c #(nop)  CMD [\"bash\"]", "empty_layer": true}),
    ];
    for (i, (created_by, layer)) in steps.iter().enumerate() {
        let mut h = json!({"created": "2024-02-01T00:00:00Z", "created_by": created_by, "comment": "buildkit.dockerfile.v0"});
        if *layer {
            // A package introduced by this step, so that package-level SBOM fields name it.
            let pkg = format!("app/node_modules/p{i}/package.json");
            let body = format!("{{\"name\":\"p{i}\",\"version\":\"1.0.{i}\"}}");
            b = b.layer(move |l| l.file(&pkg, body));
        } else {
            h["empty_layer"] = json!(true);
        }
        history.push(h);
    }
    b.history(Value::Array(history)).run_config(config)
}

pub fn findings_of<'r>(r: &'r Report, id: &str) -> Vec<&'r Finding> {
    r.findings.iter().filter(|f| f.id == id).collect()
}
