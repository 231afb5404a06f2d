//! The sample images in `samples/` are built here, from the real package databases in
//! `tests/fixtures/`, and must stay byte-for-byte reproducible. Rebuild them with
//! `UPDATE_SAMPLES=1 cargo test --test it samples` (or `samples/build.sh`).

use std::path::{Path, PathBuf};

use crate::support::image::{Comp, ImageBuilder, write_dir, write_tar};

/// Debian 12's os-release, as shipped in `base-files` 12.4+deb12u5.
pub const DEBIAN_12_OS_RELEASE: &str = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"
NAME=\"Debian GNU/Linux\"
VERSION_ID=\"12\"
VERSION=\"12 (bookworm)\"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL=\"https://www.debian.org/\"
SUPPORT_URL=\"https://www.debian.org/support\"
BUG_REPORT_URL=\"https://bugs.debian.org/\"
";

/// Amazon Linux 2023's os-release, as shipped in `system-release` 2023.1.20230825.
const AMAZON_LINUX_2023_OS_RELEASE: &str = "NAME=\"Amazon Linux\"
VERSION=\"2023\"
ID=\"amzn\"
ID_LIKE=\"fedora\"
VERSION_ID=\"2023\"
PLATFORM_ID=\"platform:al2023\"
PRETTY_NAME=\"Amazon Linux 2023\"
ANSI_COLOR=\"0;33\"
CPE_NAME=\"cpe:2.3:o:amazon:amazon_linux:2023\"
HOME_URL=\"https://aws.amazon.com/linux/\"
BUG_REPORT_URL=\"https://github.com/amazonlinux/amazon-linux-2023\"
SUPPORT_END=\"2028-03-15\"
";

fn samples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples")
}

/// Alpine 3.11 (real apk database) plus an application layer that deletes a file the base
/// layer had.
pub fn alpine() -> ImageBuilder {
    ImageBuilder::new()
        .tag(Some("consign-samples/alpine:3.11"))
        .label("org.opencontainers.image.vendor", "The consign project")
        .label("org.opencontainers.image.source", "https://github.com/consign-dev/consign")
        .layer(|l| {
            l.dir("etc")
                .fixture("etc/os-release", "apk/alpine-3.11-image/etc/os-release")
                .fixture("etc/alpine-release", "apk/alpine-3.11-image/etc/alpine-release")
                .file("etc/motd", "Welcome to Alpine!\n")
                .dir("lib")
                .dir("lib/apk")
                .dir("lib/apk/db")
                .fixture("lib/apk/db/installed", "apk/alpine-3.11-image/lib/apk/db/installed")
                .created_by("/bin/sh -c #(nop) ADD file:b91adb67b670d3a6ff9463e48b7def903ed516be66fc4282d22c53e41512be49 in / ")
        })
        .layer(|l| {
            l.comp(Comp::Zstd)
                .whiteout("etc/motd")
                .dir("app")
                .file_mode("app/server", "#!/bin/sh\nexec httpd -f\n", 0o755)
                .created_by("COPY app /app && rm /etc/motd")
        })
}

/// Ubuntu 18.04 (real dpkg status of 91 packages).
pub fn ubuntu() -> ImageBuilder {
    ImageBuilder::new()
        .tag(Some("consign-samples/ubuntu:18.04"))
        .label("org.opencontainers.image.vendor", "The consign project")
        .layer(|l| {
            l.dir("etc")
                .fixture("etc/lsb-release", "deb/ubuntu-18.04-many/etc/lsb-release")
                .dir("var")
                .dir("var/lib")
                .dir("var/lib/dpkg")
                .fixture(
                    "var/lib/dpkg/status",
                    "deb/ubuntu-18.04-many/var/lib/dpkg/status",
                )
                .created_by("/bin/sh -c #(nop) ADD file:ubuntu-bionic-core in / ")
        })
}

/// A distroless-style Debian 12 arm64 image: per-package status.d files and DEP-5 copyrights.
pub fn distroless() -> ImageBuilder {
    ImageBuilder::new()
        .tag(Some("consign-samples/distroless:12"))
        .label("org.opencontainers.image.vendor", "The consign project")
        .arch("arm64", Some("v8"))
        .annotation(
            "org.opencontainers.image.base.name",
            "gcr.io/distroless/base-debian12:latest",
        )
        .layer(|l| {
            l.comp(Comp::Gzip)
                .dir("etc")
                .file("etc/os-release", DEBIAN_12_OS_RELEASE)
                .dir("var")
                .dir("var/lib")
                .dir("var/lib/dpkg")
                .dir("var/lib/dpkg/status.d")
                .fixture(
                    "var/lib/dpkg/status.d/coreutils-relationships",
                    "deb/debian-12-arm64-status-d/var/lib/dpkg/status.d/coreutils-relationships",
                )
                .fixture(
                    "usr/share/doc/liblzma5/copyright",
                    "deb/copyright-files/usr/share/doc/liblzma5/copyright",
                )
                .fixture(
                    "usr/share/doc/libc6/copyright",
                    "deb/copyright-files/usr/share/doc/libc6/copyright",
                )
                .created_by("bazel build //base:base_debian12")
        })
        .layer(|l| {
            l.fixture(
                "var/lib/dpkg/status.d/libsqlite3-0",
                "deb/distroless-libsqlite3/var/lib/dpkg/status.d/libsqlite3-0",
            )
            .fixture(
                "var/lib/dpkg/status.d/libsqlite3-0.md5sums",
                "deb/distroless-libsqlite3/var/lib/dpkg/status.d/libsqlite3-0.md5sums",
            )
            .fixture(
                "usr/share/doc/libsqlite3-0/copyright",
                "deb/distroless-libsqlite3/usr/share/doc/libsqlite3-0/copyright",
            )
            .created_by("COPY --from=build /usr/lib/libsqlite3.so.0 /usr/lib/")
        })
}

/// Amazon Linux 2023 (real sqlite rpmdb).
pub fn amazonlinux() -> ImageBuilder {
    ImageBuilder::new()
        .tag(Some("consign-samples/amazonlinux:2023"))
        .label("org.opencontainers.image.vendor", "The consign project")
        .layer(|l| {
            l.comp(Comp::Zstd)
                .dir("etc")
                .file("etc/os-release", AMAZON_LINUX_2023_OS_RELEASE)
                .dir("var")
                .dir("var/lib")
                .dir("var/lib/rpm")
                .fixture("var/lib/rpm/rpmdb.sqlite", "rpm/amazonlinux-2023-sqlite/var/lib/rpm/rpmdb.sqlite")
                .created_by("/bin/sh -c #(nop) ADD file:al2023-container-2023.1.20230825.0-x86_64.tar.xz in / ")
        })
}

/// Writes one sample to a path.
pub type Writer = Box<dyn Fn(&Path)>;

/// Every sample: (path under samples/, writer).
pub fn all() -> Vec<(&'static str, Writer)> {
    vec![
        (
            "alpine-3.11.docker.tar",
            Box::new(|p: &Path| alpine().write_docker_archive(p)),
        ),
        (
            "ubuntu-18.04.oci",
            Box::new(|p: &Path| write_dir(p, &ubuntu().oci_files())),
        ),
        (
            "distroless-debian-12.docker25.tar",
            Box::new(|p: &Path| distroless().write_docker25_archive(p)),
        ),
        (
            "amazonlinux-2023.oci.tar",
            Box::new(|p: &Path| write_tar(p, &amazonlinux().oci_files())),
        ),
    ]
}

fn listing(p: &Path) -> Vec<(String, Vec<u8>)> {
    if p.is_file() {
        return vec![(String::new(), std::fs::read(p).unwrap())];
    }
    let mut out = Vec::new();
    let mut stack = vec![p.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap().path();
            if e.is_dir() {
                stack.push(e);
            } else {
                let rel = e.strip_prefix(p).unwrap().display().to_string();
                out.push((rel, std::fs::read(&e).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn samples_are_reproducible_and_small() {
    let update = std::env::var_os("UPDATE_SAMPLES").is_some();
    let tmp = crate::support::tmp();
    for (name, write) in all() {
        let fresh = tmp.path().join(name);
        write(&fresh);
        let committed = samples_dir().join(name);
        if update {
            if committed.is_dir() {
                std::fs::remove_dir_all(&committed).unwrap();
            }
            write(&committed);
        }
        assert!(
            listing(&fresh) == listing(&committed),
            "samples/{name} is stale: rebuild with UPDATE_SAMPLES=1 cargo test --test it samples"
        );
        let size: usize = listing(&committed).iter().map(|(_, b)| b.len()).sum();
        assert!(
            size < 2 << 20,
            "samples/{name} is {size} bytes; samples must stay under 2 MiB"
        );
    }
}
