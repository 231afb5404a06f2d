//! A read component's identity: its purl, or, when the document gives none (Trivy on an
//! image whose distribution it cannot tell, Microsoft sbom-tool, hand-written documents), a
//! made-up one.
//!
//! The made-up purl is `pkg:<type>/<name>@<version>`, the type taken from what the producer
//! says about the package in its own vocabulary (Trivy's `aquasecurity:trivy:PkgType`,
//! Syft's `syft:package:type`) when that names an ecosystem, `generic` otherwise. It exists
//! so that the package has an identity inside consign (for `diff` matching above all); the
//! package is marked [`synthetic_purl`](crate::model::Package::synthetic_purl), so encoders
//! never write it and `score` does not count it as an identifier.

use crate::model::{Ecosystem, Package, Purl};

use super::builder::{Entry, FOUND_BY, parse_purl};

/// The purl type a producer's package-type word denotes (Trivy's `PkgType`, Syft's
/// `package:type`: `debian`, `python-pkg`, `go-module`, …), if it names an ecosystem.
pub fn purl_type_of_hint(hint: &str) -> Option<&'static str> {
    let t = match hint.to_ascii_lowercase().as_str() {
        // consign's own hint is the purl type.
        "pypi" => "pypi",
        "golang" => "golang",
        "maven" => "maven",
        // Trivy OS families, Syft's `deb`.
        "debian" | "ubuntu" | "deb" => "deb",
        "alpine" | "wolfi" | "chainguard" | "apk" => "apk",
        "redhat"
        | "centos"
        | "rocky"
        | "alma"
        | "amazon"
        | "oracle"
        | "fedora"
        | "photon"
        | "suse linux enterprise server"
        | "suse linux enterprise micro"
        | "opensuse"
        | "opensuse.leap"
        | "opensuse.tumbleweed"
        | "cbl-mariner"
        | "azurelinux"
        | "rpm" => "rpm",
        // Language ecosystems (Trivy analyzer types, Syft package types).
        "npm" | "node-pkg" | "yarn" | "pnpm" | "bun" => "npm",
        "pip" | "python-pkg" | "pipenv" | "poetry" | "uv" | "python" => "pypi",
        "gomod" | "gobinary" | "go-module" => "golang",
        "jar" | "pom" | "gradle" | "sbt" | "java-archive" => "maven",
        "gemspec" | "bundler" | "gem" => "gem",
        "cargo" | "rust-binary" | "rust-crate" => "cargo",
        "composer" | "composer-vendor" | "php-composer" => "composer",
        "nuget" | "dotnet-core" | "dotnet-deps" | "packages-props" | "dotnet" => "nuget",
        "conda-pkg" | "conda-environment" | "conda" => "conda",
        "swift" => "swift",
        "cocoapods" | "pod" => "cocoapods",
        "pub" | "dart-pub" => "pub",
        "hex" => "hex",
        "conan" => "conan",
        _ => return None,
    };
    Some(t)
}

/// The package an entry describes.
pub(crate) fn package(e: Entry) -> Package {
    let (purl, synthetic) = match e.purl.as_deref().and_then(parse_purl) {
        Some(p) => (p, false),
        None => (made_up(&e), true),
    };
    let ecosystem = Ecosystem::from_purl_type(purl.ty());
    let mut p = Package::new(
        ecosystem,
        e.name,
        e.version,
        purl,
        e.found_by.unwrap_or(FOUND_BY),
    );
    p.synthetic_purl = synthetic;
    p.licenses = e.licenses;
    p.supplier = e.supplier;
    p.author = e.author;
    p.checksums = e.checksums;
    p.cpes = e.cpes;
    p.source = e.source;
    p.arch = e.arch.or_else(|| qualifier(&p.purl, "arch"));
    p.locations = e.locations.into_iter().collect();
    p.introduced_in = e.introduced_in;
    p.removed_in = e.removed_in;
    p.metadata = e.metadata;
    p
}

/// `pkg:<type>/<name>@<version>`; the name falls back to `unnamed` (a purl needs one).
fn made_up(e: &Entry) -> Purl {
    let ty = e
        .type_hint
        .as_deref()
        .and_then(purl_type_of_hint)
        .unwrap_or("generic");
    let name = if e.name.is_empty() {
        "unnamed"
    } else {
        &e.name
    };
    Purl::builder(ty, name)
        .version(e.version.clone())
        .build()
        .or_else(|_| Purl::builder("generic", "unnamed").build())
        // A constant, valid purl: not input data.
        .expect("pkg:generic/unnamed is a valid purl")
}

/// A qualifier's value (`arch`, `epoch`, …).
pub(crate) fn qualifier(purl: &Purl, key: &str) -> Option<String> {
    let query = purl.as_str().split_once('?')?.1;
    let query = query.split('#').next().unwrap_or(query);
    query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == key).then(|| percent_decode(v))
    })
}

/// Decodes `%XX` escapes (purl qualifier values are percent-encoded).
pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, version: &str, purl: Option<&str>, hint: Option<&str>) -> Entry {
        Entry {
            name: name.into(),
            version: version.into(),
            purl: purl.map(str::to_owned),
            type_hint: hint.map(str::to_owned),
            ..Entry::default()
        }
    }

    #[test]
    fn purls_are_canonical_and_arch_comes_from_them() {
        let p = package(entry(
            "libc6",
            "2.36-9+deb12u4",
            Some("pkg:deb/debian/libc6@2.36-9+deb12u4?distro=debian-12&arch=amd64"),
            None,
        ));
        assert_eq!(
            p.purl.as_str(),
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12"
        );
        assert!(!p.synthetic_purl);
        assert_eq!(p.ecosystem, Ecosystem::Deb);
        assert_eq!(p.arch.as_deref(), Some("amd64"));
    }

    #[test]
    fn missing_or_broken_purls_are_made_up_from_hints() {
        let p = package(entry("libattr1", "1:2.5.1-4", None, Some("debian")));
        assert_eq!(p.purl.as_str(), "pkg:deb/libattr1@1:2.5.1-4");
        assert!(p.synthetic_purl);
        assert_eq!(p.ecosystem, Ecosystem::Deb);
        let p = package(entry("thing", "1", Some("not a purl"), Some("none")));
        assert_eq!(p.purl.as_str(), "pkg:generic/thing@1");
        let p = package(entry("", "", None, None));
        assert_eq!(p.purl.as_str(), "pkg:generic/unnamed");
    }

    #[test]
    fn hints_name_ecosystems() {
        assert_eq!(purl_type_of_hint("python-pkg"), Some("pypi"));
        assert_eq!(purl_type_of_hint("go-module"), Some("golang"));
        assert_eq!(purl_type_of_hint("Java-Archive"), Some("maven"));
        assert_eq!(purl_type_of_hint("binary"), None);
        assert_eq!(purl_type_of_hint("none"), None);
    }

    #[test]
    fn qualifiers_are_decoded() {
        let p: Purl = "pkg:oci/debian@sha256:ab?repository_url=docker.io%2Flibrary%2Fdebian"
            .parse()
            .unwrap();
        assert_eq!(
            qualifier(&p, "repository_url").as_deref(),
            Some("docker.io/library/debian")
        );
        assert_eq!(qualifier(&p, "arch"), None);
    }
}
