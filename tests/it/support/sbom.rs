//! `Sbom` values built in code, shaped like what a scan of a real image yields.
//!
//! [`debian_app`] is a two-layer Debian 12 application image: manifest and config digests, a
//! base image, a vendor label, dpkg packages with every kind of declared license (a single
//! SPDX id, a compound expression, several ids, free text, free text mixed with an
//! expression), supplier and maintainer, a checksum, evidence in both layers, `DependsOn`
//! edges and an unreadable file. With [`Scope::AllLayers`] it also holds a package the second
//! layer removed. [`bare_directory`] is the opposite: a root-filesystem directory with no
//! name, digest, distribution or layer digests.

use std::collections::{BTreeMap, BTreeSet};

use consign::Sbom;
use consign::catalog::LinuxRelease;
use consign::fs::Location;
use consign::model::{
    BaseImage, Checksum, DpkgMetadata, Ecosystem, HashAlgorithm, ImageInfo, LayerInfo, License,
    Package, PackageMetadata, Party, Platform, Purl, Relationship, RelationshipKind, Scope,
    SourceKind, SourcePackage, Tool, Unknown,
};
use consign::source::Digest;
use serde_json::json;

const DPKG: &str = "dpkg-db-cataloger";
const STATUS: &str = "var/lib/dpkg/status";

/// A stand-in digest: the SHA-256 of `seed`.
pub fn digest(seed: &str) -> Digest {
    Digest::sha256_of(seed.as_bytes())
}

/// The two-layer Debian image (see the module docs).
pub fn debian_app(scope: Scope) -> Sbom {
    let config = serde_json::from_value(json!({
        "architecture": "amd64",
        "os": "linux",
        "created": "2024-03-04T10:00:00Z",
        "config": {
            "User": "app",
            "Labels": {
                "org.opencontainers.image.vendor": "Acme Corp",
                "org.opencontainers.image.source": "https://github.com/acme/web"
            }
        },
        "rootfs": {"type": "layers", "diff_ids": [
            digest("layer-0-tar").to_string(), digest("layer-1-tar").to_string()
        ]},
    }))
    .expect("image config");
    let base_digest = digest("debian-12-manifest");
    let image = ImageInfo {
        supplier_override: None,
        source_kind: SourceKind::DockerArchive,
        input: "web.tar".into(),
        name: Some("ghcr.io/acme/web".into()),
        tag: Some("1.4.2".into()),
        manifest_digest: Some(digest("web-manifest")),
        config_digest: Some(digest("web-config")),
        platform: Some(Platform {
            os: "linux".into(),
            architecture: "amd64".into(),
            variant: None,
        }),
        created: Some("2024-03-04T10:00:00Z".into()),
        base: Some(BaseImage {
            name: Some("docker.io/library/debian:12".into()),
            digest: Some(base_digest.clone()),
            evidence: "manifest-annotation",
        }),
        annotations: BTreeMap::from([
            (
                "org.opencontainers.image.base.digest".to_owned(),
                base_digest.to_string(),
            ),
            (
                "org.opencontainers.image.base.name".to_owned(),
                "docker.io/library/debian:12".to_owned(),
            ),
        ]),
        config,
    };
    let layers = vec![
        LayerInfo {
            index: 0,
            digest: Some(digest("layer-0-blob")),
            diff_id: Some(digest("layer-0-tar")),
            media_type: Some("application/vnd.oci.image.layer.v1.tar+gzip".into()),
            size: Some(29_150_838),
            created_by: Some("# debian.sh --arch 'amd64' out/ 'bookworm' '@1709510400'".into()),
        },
        LayerInfo {
            index: 1,
            digest: Some(digest("layer-1-blob")),
            diff_id: Some(digest("layer-1-tar")),
            media_type: Some("application/vnd.oci.image.layer.v1.tar+gzip".into()),
            size: Some(4_981_112),
            created_by: Some(
                "RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends \
                 ca-certificates libssl3 && apt-get purge -y wget # buildkit"
                    .into(),
            ),
        },
    ];
    let distro = LinuxRelease {
        id: "debian".into(),
        version_id: Some("12".into()),
        version_codename: Some("bookworm".into()),
        name: Some("Debian GNU/Linux".into()),
        pretty_name: Some("Debian GNU/Linux 12 (bookworm)".into()),
        home_url: Some("https://www.debian.org/".into()),
        source_file: "etc/os-release".into(),
        ..LinuxRelease::default()
    };

    let expr = |s: &str| License::Expression(s.into());
    let mut libc6 = deb("libc6", "2.36-9+deb12u4", "amd64", "glibc", &[0, 1]);
    libc6.licenses = vec![expr("GPL-2.0-or-later"), expr("LGPL-2.1-or-later")];
    libc6.author = Party::parse("GNU Libc Maintainers <debian-glibc@lists.debian.org>");
    libc6
        .locations
        .insert(Location::new("var/lib/dpkg/info/libc6:amd64.md5sums", 0));
    set_dpkg(&mut libc6, |m| {
        m.section = Some("libs".into());
        m.priority = Some("optional".into());
        m.installed_size_kib = Some(12_986);
        m.multi_arch = Some("same".into());
        m.homepage = Some("https://www.gnu.org/software/libc/libc.html".into());
    });

    let mut libssl3 = deb("libssl3", "3.0.11-1~deb12u2", "amd64", "openssl", &[1]);
    libssl3.introduced_in = Some(1);
    libssl3.licenses = vec![expr("Apache-2.0")];
    libssl3.author =
        Party::parse("Debian OpenSSL Team <pkg-openssl-devel@alioth-lists.debian.net>");
    libssl3.checksums = vec![Checksum {
        algorithm: HashAlgorithm::Sha256,
        value: digest("libssl3_3.0.11-1~deb12u2_amd64.deb")
            .hex()
            .to_owned(),
    }];

    let mut certs = deb(
        "ca-certificates",
        "20230311",
        "all",
        "ca-certificates",
        &[1],
    );
    certs.introduced_in = Some(1);
    certs.licenses = vec![expr("GPL-2.0-or-later OR MPL-2.0")];
    certs.author = Party::parse("Julien Cristau <jcristau@debian.org>");

    let mut tzdata = deb("tzdata", "2024a-0+deb12u1", "all", "tzdata", &[0, 1]);
    tzdata.licenses = vec![License::Name("public-domain".into())];

    let mut libgcc = deb("libgcc-s1", "12.2.0-14", "amd64", "gcc-12", &[0]);
    libgcc.licenses = vec![
        expr("GPL-3.0-or-later WITH GCC-exception-3.1"),
        License::Name("Unicode data files license, see copyright".into()),
    ];

    let mut packages = vec![libc6, libssl3, certs, tzdata, libgcc];
    if scope == Scope::AllLayers {
        let mut wget = deb("wget", "1.21.3-1+b2", "amd64", "wget", &[0]);
        wget.licenses = vec![expr("GPL-3.0-or-later")];
        wget.removed_in = Some(1);
        packages.push(wget);
    }
    packages.sort_by_key(Package::id);
    let id = |name: &str| {
        packages
            .iter()
            .find(|p| p.name == name)
            .map(Package::id)
            .expect("fixture package")
    };
    let mut relationships = vec![
        Relationship {
            from: id("libssl3"),
            to: id("libc6"),
            kind: RelationshipKind::DependsOn,
        },
        Relationship {
            from: id("ca-certificates"),
            to: id("libssl3"),
            kind: RelationshipKind::DependsOn,
        },
        Relationship {
            from: id("libc6"),
            to: id("libgcc-s1"),
            kind: RelationshipKind::DependsOn,
        },
    ];
    relationships.sort();

    Sbom {
        tool: fixed_tool(),
        image,
        layers,
        distro: Some(distro),
        scope,
        catalogers: vec![DPKG.into()],
        packages,
        relationships,
        unknowns: vec![Unknown {
            source: DPKG.into(),
            location: Some(Location::new("var/lib/dpkg/status.d/broken", 1)),
            reason: "stanza 1: no Package field".into(),
        }],
        document: None,
    }
}

/// A root-filesystem directory with one npm package and nothing else known.
pub fn bare_directory() -> Sbom {
    let purl = Purl::builder("npm", "left-pad")
        .version("1.3.0")
        .build()
        .expect("purl");
    let mut pkg = Package::new(Ecosystem::Npm, "left-pad", "1.3.0", purl, "npm-cataloger");
    pkg.locations
        .insert(Location::new("app/node_modules/left-pad/package.json", 0));
    pkg.introduced_in = Some(0);
    Sbom {
        tool: fixed_tool(),
        image: ImageInfo {
            supplier_override: None,
            source_kind: SourceKind::Directory,
            input: "rootfs/".into(),
            name: None,
            tag: None,
            manifest_digest: None,
            config_digest: None,
            platform: None,
            created: None,
            base: None,
            annotations: BTreeMap::new(),
            config: Default::default(),
        },
        layers: vec![LayerInfo {
            index: 0,
            digest: None,
            diff_id: None,
            media_type: None,
            size: None,
            created_by: None,
        }],
        distro: None,
        scope: Scope::Squashed,
        catalogers: vec!["npm-cataloger".into()],
        packages: vec![pkg],
        relationships: Vec::new(),
        unknowns: Vec::new(),
        document: None,
    }
}

/// The tool with a pinned version, so that goldens do not change with every release.
fn fixed_tool() -> Tool {
    Tool {
        name: "consign".into(),
        version: "0.1.0".into(),
    }
}

/// A Debian package found in the dpkg status file of each of `layers`, introduced in the
/// first of them.
fn deb(name: &str, version: &str, arch: &str, source: &str, layers: &[u32]) -> Package {
    let purl = Purl::builder("deb", name)
        .namespace("debian")
        .version(version)
        .qualifier("arch", arch)
        .qualifier("distro", "debian-12")
        .build()
        .expect("purl");
    let mut p = Package::new(Ecosystem::Deb, name, version, purl, DPKG);
    p.arch = Some(arch.into());
    p.supplier = Some(Party {
        name: "Debian".into(),
        email: None,
    });
    p.source = (source != name).then(|| SourcePackage {
        name: source.into(),
        version: None,
    });
    p.locations = layers
        .iter()
        .map(|&l| Location::new(STATUS, l))
        .collect::<BTreeSet<_>>();
    p.introduced_in = layers.first().copied();
    p.metadata = PackageMetadata::Dpkg(DpkgMetadata {
        architecture: Some(arch.into()),
        database: "status".into(),
        ..DpkgMetadata::default()
    });
    p
}

fn set_dpkg(p: &mut Package, f: impl FnOnce(&mut DpkgMetadata)) {
    if let PackageMetadata::Dpkg(m) = &mut p.metadata {
        f(m);
    }
}
