//! The comparison rules, on SBOMs built in code.

use std::collections::BTreeMap;

use super::key::{key_of, version_of};
use super::*;
use crate::catalog::LinuxRelease;
use crate::model::{
    Checksum, DocumentFormat, DocumentInfo, Ecosystem, HashAlgorithm, ImageInfo, LayerInfo,
    License, Package, Party, Purl, Scope, SourceKind, Tool,
};
use crate::source::Digest;

/// A package from a purl (its type, name and version taken from it).
fn pkg(purl: &str) -> Package {
    let purl: Purl = purl.parse().unwrap();
    let parts = purl.parts().unwrap();
    let eco = Ecosystem::from_purl_type(&parts.ty);
    let version = parts.version.clone().unwrap_or_default();
    Package::new(eco, parts.name, version, purl, "test")
}

/// A package a document gave no purl for (`hint`: the producer's type word).
fn unnamed(name: &str, version: &str, hint: Option<&str>) -> Package {
    let ty = hint
        .and_then(crate::decode::purl_type_of_hint)
        .unwrap_or("generic");
    let mut p = pkg(&format!("pkg:{ty}/{name}@{version}"));
    p.synthetic_purl = true;
    p
}

fn with_licenses(mut p: Package, l: &[&str]) -> Package {
    p.licenses = l.iter().filter_map(|t| License::parse(t)).collect();
    p
}

/// An SBOM read from a document `tool` wrote.
fn sbom(tool: &str, mut packages: Vec<Package>) -> Sbom {
    packages.sort_by_key(Package::id);
    let mut doc = DocumentInfo::new(DocumentFormat::CycloneDxJson("1.6".into()));
    doc.tools = vec![Tool {
        name: tool.into(),
        version: "1".into(),
    }];
    Sbom {
        tool: Tool::default(),
        image: ImageInfo {
            source_kind: SourceKind::Document,
            input: format!("{tool}.json"),
            name: None,
            tag: None,
            manifest_digest: None,
            config_digest: None,
            platform: None,
            created: None,
            base: None,
            annotations: BTreeMap::new(),
            supplier_override: None,
            config: Default::default(),
        },
        layers: Vec::new(),
        distro: None,
        scope: Scope::Squashed,
        catalogers: Vec::new(),
        packages,
        relationships: Vec::new(),
        unknowns: Vec::new(),
        document: Some(doc),
    }
}

fn run(old: &Sbom, new: &Sbom) -> SbomDiff {
    diff(old, new, &DiffOptions::default())
}

/// `kind ecosystem name old→new` lines, for compact assertions.
fn lines(d: &SbomDiff) -> Vec<String> {
    d.changes
        .iter()
        .map(|c| {
            let v = |v: &Option<Version>| v.as_ref().map_or("-".to_owned(), |v| v.version.clone());
            let mut s = format!(
                "{} {} {} {}→{}",
                c.kind.as_str(),
                c.ecosystem,
                c.name,
                v(&c.old),
                v(&c.new)
            );
            if !c.details.is_empty() {
                s.push_str(&format!(" [{}]", c.details.join(",")));
            }
            s
        })
        .collect()
}

#[test]
fn keys_ignore_what_producers_add() {
    let k = |purl: &str| key_of(&pkg(purl)).to_string();
    // distro, upstream, epoch, Syft's package-id and the namespace of OS packages go.
    assert_eq!(
        k("pkg:deb/debian/libc6@2.36-9?arch=amd64&distro=debian-12&upstream=glibc"),
        k("pkg:deb/ubuntu/libc6@2.36-9?arch=amd64&distro=debian-12.5&package-id=ab")
    );
    assert_eq!(
        k("pkg:deb/debian/libc6@1?arch=amd64"),
        "deb/libc6 arch=amd64"
    );
    assert_ne!(
        k("pkg:deb/debian/libc6@1?arch=amd64"),
        k("pkg:deb/debian/libc6@1?arch=i386")
    );
    assert_eq!(
        k("pkg:rpm/amzn/glibc@2?arch=x86_64"),
        k("pkg:rpm/amazon/glibc@2?arch=x86_64&epoch=1")
    );
    // Registry name rules.
    assert_eq!(
        k("pkg:pypi/Zope.Interface@1"),
        k("pkg:pypi/zope-interface@2")
    );
    assert_eq!(k("pkg:pypi/zope_interface@1"), "pypi/zope-interface");
    assert_eq!(k("pkg:npm/%40Babel/Core@7"), "npm/@babel/core");
    assert_eq!(k("pkg:cargo/serde_json@1"), k("pkg:cargo/serde-json@1"));
    assert_eq!(
        k("pkg:golang/github.com/Pkg/errors@v0.9.1"),
        "golang/github.com/pkg/errors"
    );
    // Maven: a classifier is another artifact; `type=jar` is the default.
    assert_eq!(
        k("pkg:maven/org.slf4j/slf4j-api@2.0.9?type=jar"),
        "maven/org.slf4j:slf4j-api"
    );
    assert_ne!(
        k("pkg:maven/org.slf4j/slf4j-api@2.0.9"),
        k("pkg:maven/org.slf4j/slf4j-api@2.0.9?classifier=sources")
    );
    assert_eq!(key_of(&unnamed("libc6", "1", None)).to_string(), "?/libc6");
}

#[test]
fn versions_carry_the_epoch_whoever_wrote_it() {
    let trivy = pkg("pkg:rpm/centos/openssl-libs@1.0.2k-16.el7?arch=x86_64&epoch=1");
    let syft = pkg("pkg:rpm/centos/openssl-libs@1:1.0.2k-16.el7?arch=x86_64");
    assert_eq!(version_of(&trivy), "1:1.0.2k-16.el7");
    assert_eq!(version_of(&syft), "1:1.0.2k-16.el7");
    assert_eq!(version_of(&pkg("pkg:deb/debian/x@1.0?epoch=0")), "1.0");
    assert_eq!(version_of(&pkg("pkg:npm/x@1.0.0?epoch=2")), "1.0.0");
}

#[test]
fn classifies_every_kind_with_ecosystem_ordering() {
    let old = sbom(
        "syft",
        vec![
            pkg("pkg:deb/debian/libc6@2.36-9+deb12u3?arch=amd64"),
            pkg("pkg:deb/debian/tzdata@2024a-0+deb12u1?arch=all"),
            pkg("pkg:deb/debian/wget@1.21.3-1+b2?arch=amd64"),
            pkg("pkg:pypi/requests@2.31.0"),
            pkg("pkg:npm/lodash@4.17.21"),
            pkg("pkg:golang/github.com/pkg/errors@v0.9.1"),
            pkg("pkg:deb/debian/perl-base@5.36.0-7+deb12u1?arch=amd64"),
        ],
    );
    let new = sbom(
        "syft",
        vec![
            // dpkg: `~` sorts before the release.
            pkg("pkg:deb/debian/libc6@2.36-9+deb12u4?arch=amd64"),
            pkg("pkg:deb/debian/tzdata@2024a-0+deb12u1?arch=all"),
            pkg("pkg:deb/debian/curl@7.88.1-10+deb12u5?arch=amd64"),
            // PEP 440: 2.31.0 > 2.31.0rc1.
            pkg("pkg:pypi/requests@2.31.0rc1"),
            // SemVer, not text: 4.17.21 < 4.17.100.
            pkg("pkg:npm/lodash@4.17.100"),
            // A Go pseudo-version above its base.
            pkg("pkg:golang/github.com/pkg/errors@v0.9.2-0.20230101000000-abcdefabcdef"),
            pkg("pkg:deb/debian/perl-base@5.36.0-7+deb12u1~bpo1?arch=amd64"),
        ],
    );
    assert_eq!(
        lines(&run(&old, &new)),
        [
            "added deb curl -→7.88.1-10+deb12u5",
            "upgraded deb libc6 2.36-9+deb12u3→2.36-9+deb12u4",
            "downgraded deb perl-base 5.36.0-7+deb12u1→5.36.0-7+deb12u1~bpo1",
            "removed deb wget 1.21.3-1+b2→-",
            "upgraded golang github.com/pkg/errors v0.9.1→v0.9.2-0.20230101000000-abcdefabcdef",
            "upgraded npm lodash 4.17.21→4.17.100",
            "downgraded pypi requests 2.31.0→2.31.0rc1",
        ]
    );
    let d = run(&old, &new);
    let total = d.total();
    assert_eq!(
        (
            total.added,
            total.removed,
            total.upgraded,
            total.downgraded,
            total.changed,
            total.unchanged
        ),
        (1, 1, 3, 2, 0, 1)
    );
    let deb = d.counts.iter().find(|c| c.ecosystem == "deb").unwrap();
    assert_eq!(
        (deb.added, deb.removed, deb.upgraded, deb.unchanged),
        (1, 1, 1, 1)
    );
    assert!(d.not_compared.is_empty());
    assert!(d.notes.is_empty());
}

#[test]
fn same_version_changes_hash_license_supplier() {
    let mut a = with_licenses(pkg("pkg:npm/x@1.0.0"), &["MIT"]);
    a.checksums = vec![Checksum {
        algorithm: HashAlgorithm::Sha256,
        value: "aa".into(),
    }];
    a.supplier = Some(Party {
        name: "Acme".into(),
        email: None,
    });
    let mut b = with_licenses(pkg("pkg:npm/x@1.0.0"), &["GPL-3.0-only"]);
    b.checksums = vec![
        Checksum {
            algorithm: HashAlgorithm::Sha256,
            value: "BB".into(),
        },
        Checksum {
            algorithm: HashAlgorithm::Sha1,
            value: "cc".into(),
        },
    ];
    b.supplier = Some(Party {
        name: "Evil".into(),
        email: None,
    });
    let d = run(
        &sbom("syft", vec![a.clone()]),
        &sbom("syft", vec![b.clone()]),
    );
    assert_eq!(
        lines(&d),
        ["changed npm x 1.0.0→1.0.0 [hash,license,supplier]"]
    );
    assert_eq!(d.license_changes.len(), 1);
    let lc = &d.license_changes[0];
    assert_eq!(lc.old, ["MIT"]);
    assert_eq!(lc.new, ["GPL-3.0-only"]);
    assert_eq!(
        lc.reasons,
        [
            LicenseChangeReason::Changed,
            LicenseChangeReason::NewToImage
        ]
    );
    // From another producer, only the hash counts: the tools disagree on the rest.
    let d = run(&sbom("syft", vec![a]), &sbom("trivy", vec![b]));
    assert_eq!(lines(&d), ["changed npm x 1.0.0→1.0.0 [hash]"]);
    assert!(d.license_changes.is_empty());
    assert_eq!(d.notes.len(), 1);
}

#[test]
fn several_versions_of_one_package() {
    let old = sbom(
        "trivy",
        vec![
            pkg("pkg:npm/debug@2.6.9"),
            pkg("pkg:npm/debug@4.3.4"),
            // Listed twice (two node_modules copies), one package.
            pkg("pkg:npm/ms@2.1.2"),
        ],
    );
    let mut ms_copy = pkg("pkg:npm/ms@2.1.2");
    ms_copy.name = "ms".into();
    let new = sbom(
        "trivy",
        vec![
            pkg("pkg:npm/debug@2.6.9"),
            pkg("pkg:npm/debug@4.3.5"),
            pkg("pkg:npm/debug@4.4.0"),
            ms_copy,
        ],
    );
    assert_eq!(
        lines(&run(&old, &new)),
        [
            "added npm debug -→4.3.5 [other-version-remains]",
            "upgraded npm debug 4.3.4→4.4.0",
        ]
    );
}

#[test]
fn packages_without_type_match_by_name_when_unambiguous() {
    // Trivy on an image whose distribution it cannot tell: no purls at all.
    let old = sbom(
        "consign",
        vec![
            pkg("pkg:deb/debian/libc6@2.36-9?arch=arm64"),
            pkg("pkg:deb/debian/zlib1g@1.2.13?arch=arm64"),
            pkg("pkg:npm/zlib1g@1.0.0"),
            pkg("pkg:deb/debian/coreutils@9.1-1?arch=arm64"),
        ],
    );
    let new = sbom(
        "trivy",
        vec![
            unnamed("libc6", "2.36-9+deb12u1", Some("none")),
            // Two candidates: left unmatched rather than guessed.
            unnamed("zlib1g", "1.2.13", None),
            // A type hint matches the typed key directly.
            unnamed("coreutils", "9.1-1", Some("debian")),
        ],
    );
    let d = run(&old, &new);
    assert_eq!(
        lines(&d),
        [
            "upgraded deb libc6 2.36-9→2.36-9+deb12u1",
            "removed deb zlib1g 1.2.13→-"
        ]
    );
    // The producers differ, so what only one side lists is set aside.
    let nc: Vec<(&str, &str)> = d
        .not_compared
        .iter()
        .map(|n| (n.ecosystem.as_str(), n.side.as_str()))
        .collect();
    assert_eq!(nc, [("npm", "old"), ("unknown", "new")]);
}

#[test]
fn ecosystems_only_one_producer_lists_are_not_compared() {
    let consign = sbom(
        "consign",
        vec![pkg("pkg:deb/debian/libc6@2.36-9?arch=amd64")],
    );
    let syft = sbom(
        "syft",
        vec![
            pkg("pkg:deb/debian/libc6@2.36-9?arch=amd64"),
            pkg("pkg:pypi/requests@2.31.0"),
            pkg("pkg:npm/lodash@4.17.21"),
        ],
    );
    let d = run(&consign, &syft);
    assert!(d.changes.is_empty(), "{:?}", lines(&d));
    let nc: Vec<(&str, &str, usize)> = d
        .not_compared
        .iter()
        .map(|n| (n.ecosystem.as_str(), n.side.as_str(), n.packages))
        .collect();
    assert_eq!(nc, [("npm", "new", 1), ("pypi", "new", 1)]);
    assert!(d.is_empty());
    // From one producer the new ecosystem is a real addition.
    let syft_old = sbom("syft", vec![pkg("pkg:deb/debian/libc6@2.36-9?arch=amd64")]);
    let d = run(&syft_old, &syft);
    assert_eq!(
        lines(&d),
        ["added npm lodash -→4.17.21", "added pypi requests -→2.31.0"]
    );
}

#[test]
fn license_policy_and_new_licenses() {
    let old = sbom(
        "syft",
        vec![with_licenses(pkg("pkg:npm/a@1.0.0"), &["MIT"])],
    );
    let new = sbom(
        "syft",
        vec![
            with_licenses(pkg("pkg:npm/a@1.1.0"), &["MIT"]),
            with_licenses(pkg("pkg:npm/b@1.0.0"), &["MIT OR GPL-3.0-or-later"]),
            with_licenses(pkg("pkg:npm/c@1.0.0"), &["MIT"]),
        ],
    );
    let opts = DiffOptions {
        deny_licenses: vec!["GPL-3.0*".into()],
    };
    let d = diff(&old, &new, &opts);
    assert_eq!(d.license_changes.len(), 1, "{:?}", d.license_changes);
    let b = &d.license_changes[0];
    assert_eq!(b.name, "b");
    assert!(b.old.is_empty());
    assert_eq!(
        b.reasons,
        [LicenseChangeReason::NewToImage, LicenseChangeReason::Denied]
    );
    assert_eq!(b.new_to_image, ["GPL-3.0-or-later"]);
    assert_eq!(b.denied, ["GPL-3.0-or-later"]);
}

#[test]
fn image_changes() {
    let mut old = sbom("consign", vec![]);
    let mut new = sbom("consign", vec![]);
    let debian = |v: &str| LinuxRelease {
        id: "debian".into(),
        version_id: Some(v.into()),
        ..LinuxRelease::default()
    };
    // `12` and `12.5` are one release told with more or less precision.
    old.distro = Some(debian("12"));
    new.distro = Some(debian("12.5"));
    assert_eq!(run(&old, &new).image.distro, None);
    old.distro = Some(debian("12.4"));
    let t = run(&old, &new).image.distro.unwrap();
    assert_eq!(
        (t.old.as_deref(), t.new.as_deref()),
        (Some("debian 12.4"), Some("debian 12.5"))
    );
    let layer = |i: u32, seed: &str| LayerInfo {
        index: i,
        digest: None,
        diff_id: Some(Digest::sha256_of(seed.as_bytes())),
        media_type: None,
        size: None,
        created_by: None,
    };
    old.layers = vec![layer(0, "base"), layer(1, "app-1")];
    new.layers = vec![layer(0, "base"), layer(1, "app-2"), layer(2, "extra")];
    let l = run(&old, &new).image.layers.unwrap();
    assert_eq!((l.old, l.new, l.shared), (2, 3, 1));
    // Subjects compare when they are references, or from one producer.
    old.image.name = Some("ghcr.io/acme/web".into());
    old.image.tag = Some("1.0".into());
    new.image.name = Some("ghcr.io/acme/web".into());
    new.image.tag = Some("1.1".into());
    let s = run(&old, &new).image.subject.unwrap();
    assert_eq!(s.new.as_deref(), Some("ghcr.io/acme/web:1.1"));
    let mut syft = sbom("syft", vec![]);
    syft.image.name = Some("web-1.1.tar".into());
    assert_eq!(run(&old, &syft).image.subject, None);
}
