//! One case per rule: each breaks one thing in the clean image and expects exactly that
//! rule, once, with the given message.

use serde_json::{Value, json};

use crate::support::audit_image::{AppStep, Extra, Tweak, ids, image, run};

type Case = (
    &'static str,
    Tweak,
    Option<&'static str>,
    Option<&'static str>,
    &'static str,
);

/// (rule, what to change, policy, Dockerfile, expected message fragment).
fn cases() -> Vec<Case> {
    let app = |steps: Vec<AppStep>| Tweak {
        app: Some(steps),
        ..Tweak::default()
    };
    let cfg = |v: Value| Tweak {
        config: Some(v),
        ..Tweak::default()
    };
    let step = |s: &'static str| app(vec![(s, |l| l.file("app/x", "x"))]);
    vec![
        (
            "BAS001",
            Tweak::default(),
            None,
            Some("FROM debian:12\nUSER 10001\n"),
            "debian:12 is referenced by tag",
        ),
        (
            "BAS002",
            Tweak {
                annotation: Some((
                    "org.opencontainers.image.base.name",
                    "docker.io/library/debian",
                )),
                ..Tweak::default()
            },
            None,
            None,
            "has no tag",
        ),
        (
            "BAS003",
            Tweak {
                base_created: Some("2023-06-01T00:00:00Z"),
                ..Tweak::default()
            },
            None,
            None,
            "built 228 days ago",
        ),
        (
            "BAS005",
            Tweak {
                os_release: Some(
                    "ID=debian\nVERSION_ID=\"9\"\nPRETTY_NAME=\"Debian GNU/Linux 9 (stretch)\"\n",
                ),
                ..Tweak::default()
            },
            None,
            None,
            "Debian GNU/Linux 9 (stretch) reached end of life on 2022-06-30",
        ),
        (
            "PIN001",
            step("RUN /bin/sh -c apt-get install -y curl wget=1.21-1 # buildkit"),
            None,
            None,
            "apt installs without a version: curl",
        ),
        (
            "PIN002",
            step("/bin/sh -c apk add --no-cache --virtual .deps curl"),
            None,
            None,
            "apk adds without a version: curl",
        ),
        (
            "PIN003",
            step(
                "RUN |1 V=1 /bin/sh -c pip install --no-cache-dir flask requests==2.31.0 # buildkit",
            ),
            None,
            None,
            "pip installs without pinned versions: flask",
        ),
        (
            "PIN003",
            step("RUN /bin/sh -c pip install -r requirements.txt # buildkit"),
            None,
            None,
            "-r requirements.txt without --require-hashes",
        ),
        (
            "PIN004",
            step("RUN /bin/sh -c npm install -g express@^4 # buildkit"),
            None,
            None,
            "express@^4",
        ),
        (
            "PIN004",
            step("RUN /bin/sh -c cd /srv && npm install # buildkit"),
            None,
            None,
            "npm install without a lockfile in /srv",
        ),
        (
            "PIN005",
            step("RUN /bin/sh -c gem install rails # buildkit"),
            None,
            None,
            "gem installs without a version: rails",
        ),
        (
            "PIN006",
            step("RUN /bin/sh -c go install golang.org/x/tools/gopls@latest # buildkit"),
            None,
            None,
            "gopls@latest",
        ),
        (
            "PIN007",
            step("RUN /bin/sh -c cargo install ripgrep # buildkit"),
            None,
            None,
            "without a version and --locked",
        ),
        (
            "PIN008",
            step("RUN /bin/sh -c curl -fsSL https://get.example.com | sh # buildkit"),
            None,
            None,
            "curl output piped into sh",
        ),
        (
            "PIN009",
            step("ADD https://example.com/tool.tgz /opt/ # buildkit"),
            None,
            None,
            "ADD https://example.com/tool.tgz without --checksum",
        ),
        (
            "PIN010",
            app(vec![("COPY web /web # buildkit", |l| {
                l.file("web/package.json", "{}")
            })]),
            None,
            None,
            "/web/package.json has no lockfile",
        ),
        (
            "AGE001",
            Tweak {
                created: Some("2023-10-01T00:00:00Z"),
                ..Tweak::default()
            },
            None,
            None,
            "built 106 days ago",
        ),
        (
            "IMG001",
            cfg(json!({"User": ""})),
            None,
            None,
            "no USER is set",
        ),
        (
            "IMG001",
            cfg(json!({"User": "admin"})),
            None,
            None,
            "USER \"admin\" has uid 0",
        ),
        (
            "IMG002",
            cfg(json!({"ExposedPorts": {"22/tcp": {}, "8080/tcp": {}}})),
            None,
            None,
            "port 22/tcp is exposed",
        ),
        (
            "IMG003",
            app(vec![("COPY tool /usr/local/bin/ # buildkit", |l| {
                l.file_mode("usr/local/bin/tool", "elf", 0o4755)
            })]),
            None,
            None,
            "/usr/local/bin/tool is setuid (mode 4755",
        ),
        (
            "IMG004",
            cfg(json!({"Healthcheck": null})),
            None,
            None,
            "no HEALTHCHECK",
        ),
        (
            "IMG005",
            step("ADD notes.txt /app/ # buildkit"),
            None,
            None,
            "ADD copies plain files",
        ),
        (
            "IMG006",
            app(vec![(
                "RUN /bin/sh -c apt-get install -y curl=1 # buildkit",
                |l| {
                    l.file("var/cache/apt/archives/curl_1_amd64.deb", vec![0u8; 3000])
                        .file("var/cache/apt/archives/lock", "x")
                },
            )]),
            None,
            None,
            "apt cache left in layer 2: 1 files, 3 KiB under /var/cache/apt/archives",
        ),
        (
            "IMG007",
            Tweak {
                extra_pkg: Some("sudo"),
                ..Tweak::default()
            },
            None,
            None,
            "sudo 1.9.13p3-1+deb12u1 is installed",
        ),
        (
            "IMG008",
            app(vec![("COPY data /data # buildkit", |l| {
                l.file_mode("data/db", "", 0o666)
            })]),
            None,
            None,
            "/data/db is a world-writable file (mode 0666)",
        ),
        (
            "IMG009",
            Tweak {
                labels: true,
                ..Tweak::default()
            },
            None,
            None,
            "missing labels: org.opencontainers.image.source",
        ),
        (
            "SEC001",
            cfg(json!({"Env": ["PATH=/usr/bin", "DB_PASSWORD=correct-horse-battery"]})),
            None,
            None,
            "environment variable DB_PASSWORD holds a secret",
        ),
        (
            "SEC002",
            step(
                "RUN |1 NPM_TOKEN=npm_aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI3kM5 /bin/sh -c npm ci # buildkit",
            ),
            None,
            None,
            "build argument NPM_TOKEN",
        ),
        (
            "SEC002",
            step(
                "RUN /bin/sh -c echo \"//registry.npmjs.org/:_authToken=abc\" > /root/.npmrc # buildkit",
            ),
            None,
            None,
            "value written to /root/.npmrc",
        ),
        (
            "SEC003",
            app(vec![("COPY .env /app/.env # buildkit", |l| {
                l.file("app/.env", "DB_PASSWORD=hunter2\n")
            })]),
            None,
            None,
            "/app/.env holds a secret: secret assignment (DB_PASSWORD)",
        ),
        (
            "LIC001",
            Tweak::default(),
            Some("[licenses]\ndeny = [\"GPL-3.0-only\"]\n"),
            None,
            "libc6 2.36-9+deb12u4 is licensed GPL-3.0-or-later",
        ),
        (
            "LIC002",
            Tweak {
                extra_pkg: Some("sudo"),
                ..Tweak::default()
            },
            Some("[rules]\nLIC002 = \"on\"\nIMG007 = \"off\"\n"),
            None,
            "sudo 1.9.13p3-1+deb12u1 declares no license",
        ),
        (
            "PKG001",
            Tweak::default(),
            Some(
                "[packages]\ndeny = [{ purl = \"pkg:deb/debian/libc6\", versions = [\"< 2.36-9+deb12u5\"], reason = \"CVE-X\" }]\n",
            ),
            None,
            "libc6 2.36-9+deb12u4 is denied by the policy (versions < 2.36-9+deb12u5): CVE-X",
        ),
        (
            "POL001",
            Tweak::default(),
            Some("[[exceptions]]\nrule = \"IMG001\"\nreason = \"legacy\"\n"),
            None,
            "exception for IMG001 matches no finding",
        ),
        (
            "POL002",
            Tweak::default(),
            Some(
                "[[exceptions]]\nrule = \"IMG001\"\nreason = \"legacy\"\nexpires = \"2024-01-01\"\n",
            ),
            None,
            "expired on 2024-01-01",
        ),
    ]
}

#[test]
fn each_rule_fires_on_its_case_and_only_there() {
    for (rule, tweak, policy, dockerfile, message) in cases() {
        let r = run(
            &image(&tweak),
            &Extra {
                policy,
                dockerfile,
                catalog: None,
            },
        );
        let hits: Vec<_> = r.findings.iter().filter(|f| f.id == rule).collect();
        assert_eq!(hits.len(), 1, "{rule}: {}", r.to_table());
        assert!(
            hits[0].message.contains(message),
            "{rule}: {:?} lacks {message:?}",
            hits[0].message
        );
        let others: Vec<_> = ids(&r).into_iter().filter(|i| *i != rule).collect();
        assert_eq!(others, Vec::<&str>::new(), "{rule}: {}", r.to_table());
    }
}
