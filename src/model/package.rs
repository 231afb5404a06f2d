//! The package model every cataloger produces and every encoder reads.
//!
//! A [`Package`] is one installed (or declared) software package with its identity (ecosystem,
//! name, version, architecture → purl), what the package database says about it (licenses,
//! supplier, source package, owned files, typed [`PackageMetadata`]) and where it was found
//! ([`Location`]s). Identity is the purl: two records with the same purl are one package, and
//! the scan merges their locations.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::fs::Location;
use crate::model::{License, Purl};

/// The package ecosystems consign knows. The OS ecosystems come first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Ecosystem {
    /// Debian packages (dpkg).
    Deb,
    /// Alpine packages (apk).
    Apk,
    /// RPM packages (Red Hat, Fedora, SUSE, Amazon Linux …).
    Rpm,
    /// Python distributions.
    Pypi,
    /// npm packages.
    Npm,
    /// Go modules.
    Golang,
    /// Rust crates.
    Cargo,
    /// Java archives (Maven coordinates).
    Maven,
    /// Ruby gems.
    Gem,
    /// PHP Composer packages.
    Composer,
    /// .NET NuGet packages.
    Nuget,
    /// Any other purl type (`conda`, `generic`, `oci`, …), as found in SBOMs other tools
    /// wrote; the package's purl says which.
    Other,
}

impl Ecosystem {
    /// The purl type (<https://github.com/package-url/purl-spec/blob/main/PURL-TYPES.rst>).
    pub fn purl_type(self) -> &'static str {
        match self {
            Ecosystem::Deb => "deb",
            Ecosystem::Apk => "apk",
            Ecosystem::Rpm => "rpm",
            Ecosystem::Pypi => "pypi",
            Ecosystem::Npm => "npm",
            Ecosystem::Golang => "golang",
            Ecosystem::Cargo => "cargo",
            Ecosystem::Maven => "maven",
            Ecosystem::Gem => "gem",
            Ecosystem::Composer => "composer",
            Ecosystem::Nuget => "nuget",
            Ecosystem::Other => "generic",
        }
    }

    /// The ecosystem of a purl type; [`Ecosystem::Other`] for types consign has no
    /// ecosystem for.
    pub fn from_purl_type(ty: &str) -> Ecosystem {
        match ty {
            "deb" => Ecosystem::Deb,
            "apk" => Ecosystem::Apk,
            "rpm" => Ecosystem::Rpm,
            "pypi" => Ecosystem::Pypi,
            "npm" => Ecosystem::Npm,
            "golang" => Ecosystem::Golang,
            "cargo" => Ecosystem::Cargo,
            "maven" => Ecosystem::Maven,
            "gem" => Ecosystem::Gem,
            "composer" => Ecosystem::Composer,
            "nuget" => Ecosystem::Nuget,
            _ => Ecosystem::Other,
        }
    }

    /// A short human name, used in tables.
    pub fn as_str(self) -> &'static str {
        self.purl_type()
    }

    /// True for operating-system package managers.
    pub fn is_os(self) -> bool {
        matches!(self, Ecosystem::Deb | Ecosystem::Apk | Ecosystem::Rpm)
    }
}

/// A person or organisation (supplier, author), as package databases name them:
/// `Name <email>`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Party {
    /// The name.
    pub name: String,
    /// The e-mail address, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

impl Party {
    /// Parses `Name <email>` (the e-mail part optional). Returns `None` for empty text.
    pub fn parse(text: &str) -> Option<Party> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        if let Some((name, rest)) = text.split_once('<') {
            let email = rest.split('>').next().unwrap_or("").trim();
            let name = name.trim().trim_matches('"').trim();
            let email = (!email.is_empty()).then(|| email.to_owned());
            if name.is_empty() {
                return email.map(|e| Party {
                    name: e,
                    email: None,
                });
            }
            return Some(Party {
                name: name.to_owned(),
                email,
            });
        }
        Some(Party {
            name: text.to_owned(),
            email: None,
        })
    }
}

/// The source package a binary package was built from.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct SourcePackage {
    /// Source package name (dpkg `Source`, apk origin, rpm SOURCERPM name).
    pub name: String,
    /// Source version, when it differs from the binary's or is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// A hash algorithm: those CycloneDX defines (all of which SPDX 2.3 defines too).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum HashAlgorithm {
    /// MD5 (rpm SIGMD5: header + payload).
    Md5,
    /// SHA-1 (apk's package checksum).
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
    /// SHA3-256.
    Sha3_256,
    /// SHA3-384.
    Sha3_384,
    /// SHA3-512.
    Sha3_512,
    /// BLAKE2b-256.
    Blake2b256,
    /// BLAKE2b-384.
    Blake2b384,
    /// BLAKE2b-512.
    Blake2b512,
    /// BLAKE3.
    Blake3,
}

impl HashAlgorithm {
    /// Every algorithm.
    pub const ALL: [HashAlgorithm; 12] = [
        HashAlgorithm::Md5,
        HashAlgorithm::Sha1,
        HashAlgorithm::Sha256,
        HashAlgorithm::Sha384,
        HashAlgorithm::Sha512,
        HashAlgorithm::Sha3_256,
        HashAlgorithm::Sha3_384,
        HashAlgorithm::Sha3_512,
        HashAlgorithm::Blake2b256,
        HashAlgorithm::Blake2b384,
        HashAlgorithm::Blake2b512,
        HashAlgorithm::Blake3,
    ];

    /// The CycloneDX `hash-alg` name.
    pub fn cyclonedx(self) -> &'static str {
        match self {
            HashAlgorithm::Md5 => "MD5",
            HashAlgorithm::Sha1 => "SHA-1",
            HashAlgorithm::Sha256 => "SHA-256",
            HashAlgorithm::Sha384 => "SHA-384",
            HashAlgorithm::Sha512 => "SHA-512",
            HashAlgorithm::Sha3_256 => "SHA3-256",
            HashAlgorithm::Sha3_384 => "SHA3-384",
            HashAlgorithm::Sha3_512 => "SHA3-512",
            HashAlgorithm::Blake2b256 => "BLAKE2b-256",
            HashAlgorithm::Blake2b384 => "BLAKE2b-384",
            HashAlgorithm::Blake2b512 => "BLAKE2b-512",
            HashAlgorithm::Blake3 => "BLAKE3",
        }
    }

    /// The SPDX `checksum` algorithm name.
    pub fn spdx(self) -> &'static str {
        match self {
            HashAlgorithm::Md5 => "MD5",
            HashAlgorithm::Sha1 => "SHA1",
            HashAlgorithm::Sha256 => "SHA256",
            HashAlgorithm::Sha384 => "SHA384",
            HashAlgorithm::Sha512 => "SHA512",
            other => other.cyclonedx(),
        }
    }

    /// The algorithm a CycloneDX or SPDX name denotes (`SHA-256`, `SHA256`, `sha256`);
    /// `None` for algorithms outside the common set (SPDX's `SHA224`, `MD2`, `ADLER32`, …).
    pub fn from_name(name: &str) -> Option<HashAlgorithm> {
        let key = |s: &str| s.replace(['-', '_'], "").to_ascii_lowercase();
        let want = key(name.trim());
        HashAlgorithm::ALL
            .into_iter()
            .find(|a| key(a.cyclonedx()) == want)
    }
}

/// A hash of the package artifact (not of a single file).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Checksum {
    /// The algorithm.
    pub algorithm: HashAlgorithm,
    /// Lowercase hex.
    pub value: String,
}

/// What a package offers and needs, as names to resolve against other packages of the same
/// ecosystem. `model::resolve` turns these into dependency edges.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DependencySpec {
    /// Names this package satisfies besides its own (dpkg Provides, apk `p:`, rpm PROVIDENAME).
    pub provides: Vec<String>,
    /// Requirements; each inner list holds alternatives (`a | b`), any one of which satisfies
    /// it. Names only, version constraints stripped. Absolute paths (`/bin/sh`) are satisfied
    /// by the package that owns that file.
    pub requires: Vec<Vec<String>>,
}

/// Ecosystem-specific facts from the package database, kept typed so that rules and encoders
/// can use them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum PackageMetadata {
    /// No extra facts.
    #[default]
    None,
    /// A dpkg status stanza.
    Dpkg(DpkgMetadata),
    /// An apk installed-db record.
    Apk(ApkMetadata),
    /// An rpm header.
    Rpm(RpmMetadata),
    /// What a language cataloger (Python, npm, Go, Rust, Java, Ruby, PHP, .NET) read.
    Language(LanguageMetadata),
}

/// Facts from a dpkg status stanza (<https://www.debian.org/doc/debian-policy/ch-controlfields.html>).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DpkgMetadata {
    /// `Architecture`.
    pub architecture: Option<String>,
    /// `Maintainer`, verbatim.
    pub maintainer: Option<String>,
    /// `Installed-Size`, in KiB.
    pub installed_size_kib: Option<u64>,
    /// `Section`.
    pub section: Option<String>,
    /// `Priority`.
    pub priority: Option<String>,
    /// `Multi-Arch`.
    pub multi_arch: Option<String>,
    /// `Essential: yes`.
    pub essential: bool,
    /// `Homepage`.
    pub homepage: Option<String>,
    /// Where the status stanza came from: `status` or a `status.d/` file.
    pub database: String,
    /// `Status`, verbatim (`install ok installed`, `hold ok installed`, …); `None` in
    /// distroless `status.d/` stanzas, which have none.
    pub status: Option<String>,
    /// `Origin`: the distribution the package's source comes from.
    pub origin: Option<String>,
    /// The first line of `Description` (the synopsis).
    pub description: Option<String>,
    /// `Provides` entries as written (`libgcc1 (= 1:12.2.0-14)`).
    pub provides: Vec<String>,
    /// `Depends` entries as written, alternatives and version constraints included.
    pub depends: Vec<String>,
    /// `Pre-Depends` entries as written.
    pub pre_depends: Vec<String>,
}

/// Facts from an apk installed-db record (<https://wiki.alpinelinux.org/wiki/Apk_spec>).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ApkMetadata {
    /// `A:` architecture.
    pub architecture: Option<String>,
    /// `m:` maintainer.
    pub maintainer: Option<String>,
    /// `o:` origin (source package).
    pub origin: Option<String>,
    /// `c:` aports commit the package was built from.
    pub commit: Option<String>,
    /// `U:` upstream URL.
    pub url: Option<String>,
    /// `T:` description.
    pub description: Option<String>,
    /// `S:` package size in bytes.
    pub size: Option<u64>,
    /// `I:` installed size in bytes.
    pub installed_size: Option<u64>,
    /// `t:` build time, Unix seconds.
    pub build_time: Option<i64>,
    /// `C:` control-section checksum, verbatim (`Q1` + base64 SHA-1).
    pub checksum: Option<String>,
    /// `p:` provides as written (`so:libc.musl-x86_64.so.1=1`, `cmd:sh=1.36.0-r9`).
    pub provides: Vec<String>,
    /// `D:` dependencies as written, conflicts (`!name`) included.
    pub depends: Vec<String>,
    /// `r:` packages whose files this one may overwrite.
    pub replaces: Vec<String>,
    /// `i:` the install-if condition: installed automatically once all of these are.
    pub install_if: Vec<String>,
}

/// Facts from an rpm header (<https://rpm-software-management.github.io/rpm/manual/tags.html>).
/// How a language package is known to be there.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Evidence {
    /// Installed: a package's own metadata on disk (`*.dist-info`, `node_modules/*/package.json`,
    /// a gemspec, a jar's `pom.properties`).
    #[default]
    Installed,
    /// Compiled into a binary (Go build info, cargo-auditable data).
    Binary,
    /// Declared by a lockfile or manifest (`package-lock.json`, `Cargo.lock`, `poetry.lock`):
    /// what a build would install, not proof that it is on disk.
    Declared,
}

impl Evidence {
    /// The kebab-case name, as in the `consign:package:evidence` property.
    pub fn as_str(self) -> &'static str {
        match self {
            Evidence::Installed => "installed",
            Evidence::Binary => "binary",
            Evidence::Declared => "declared",
        }
    }
}

/// What a language cataloger read about a package, beyond the fields every [`Package`] has.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LanguageMetadata {
    /// How the package is known to be there.
    pub evidence: Evidence,
    /// A development-only dependency (npm `dev`, Poetry `group = dev`, Composer
    /// `packages-dev`): CycloneDX scope `optional`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub dev: bool,
    /// One-line summary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Project home page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub homepage: Option<String>,
    /// Ecosystem-specific facts as `(key, value)` pairs in camelCase, emitted as CycloneDX
    /// properties `consign:<purl type>:<key>` (e.g. `("goToolchain", "go1.22.1")`,
    /// `("virtualPath", "app.war:WEB-INF/lib/x.jar")`), in the order given.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<(String, String)>,
}

impl LanguageMetadata {
    /// Metadata with only the evidence set.
    pub fn new(evidence: Evidence) -> Self {
        LanguageMetadata {
            evidence,
            ..LanguageMetadata::default()
        }
    }

    /// Adds a property (see [`LanguageMetadata::properties`]); empty values are skipped.
    pub fn property(&mut self, key: &str, value: impl Into<String>) {
        let value = value.into();
        if !value.is_empty() {
            self.properties.push((key.to_owned(), value));
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RpmMetadata {
    /// `EPOCH`.
    pub epoch: Option<u32>,
    /// `RELEASE`.
    pub release: String,
    /// `ARCH`.
    pub architecture: Option<String>,
    /// `SOURCERPM`.
    pub source_rpm: Option<String>,
    /// `VENDOR`.
    pub vendor: Option<String>,
    /// `SIZE`: installed size in bytes.
    pub size: Option<u64>,
    /// `MODULARITYLABEL`.
    pub modularity_label: Option<String>,
    /// `SUMMARY` (the `C` locale's).
    pub summary: Option<String>,
    /// `URL`: the upstream project's home page.
    pub url: Option<String>,
    /// `LICENSE`, verbatim (the package's `licenses` hold its SPDX reading, when there is one).
    pub license: Option<String>,
    /// The package signature's algorithm as rpm names it (`RSA/SHA256`); not verified.
    pub signature_algorithm: Option<String>,
    /// The signing key's id, 16 lowercase hex digits (what `rpm -qi` shows as `Key ID`).
    pub signature_key_id: Option<String>,
    /// When the package was signed, Unix seconds.
    pub signature_time: Option<i64>,
    /// The database the header came from (`sqlite`, `bdb`, `ndb`, `manifest`).
    pub database: String,
}

/// One package.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Package {
    /// The ecosystem.
    pub ecosystem: Ecosystem,
    /// Name as the ecosystem spells it.
    pub name: String,
    /// Full version as the ecosystem spells it: dpkg `[epoch:]upstream-revision`, apk
    /// `version-rN`, rpm `version-release` (the rpm epoch is in the purl's `epoch=` qualifier
    /// and the metadata, as Syft and Trivy report it).
    pub version: String,
    /// CPU architecture, when the ecosystem records one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
    /// The package URL: the package's identity.
    pub purl: Purl,
    /// True when the purl was made up to identify a package whose SBOM gave it none
    /// (`pkg:generic/<name>@<version>`): encoders then write no purl, so that converting a
    /// document never invents an identifier.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub synthetic_purl: bool,
    /// CPE names (2.2 URIs or 2.3 formatted strings) other tools assigned; catalogers set none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cpes: Vec<String>,
    /// Declared licenses.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<License>,
    /// Who supplies the package (the distribution, for OS packages).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplier: Option<Party>,
    /// Who maintains or wrote it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<Party>,
    /// The source package.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<SourcePackage>,
    /// Hashes of the package artifact, where the database records one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub checksums: Vec<Checksum>,
    /// Files the package database says the package owns (paths relative to the root).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    /// Where the evidence was found.
    pub locations: BTreeSet<Location>,
    /// What it provides and requires.
    #[serde(skip)]
    pub dependencies: DependencySpec,
    /// True when the package's dependency edges in the SBOM are all of them (none at all
    /// means it depends on nothing). Catalogers read every requirement from the package
    /// database, so this holds for scanned packages; for a package read from another tool's
    /// SBOM it holds only when that SBOM stated its dependencies.
    #[serde(skip)]
    pub dependencies_known: bool,
    /// Ecosystem-specific facts.
    pub metadata: PackageMetadata,
    /// The cataloger that found it.
    pub found_by: &'static str,
    /// The layer that introduced this package at this version (set by the scan).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub introduced_in: Option<u32>,
    /// With `--scope all-layers`: the layer whose changes removed this package (or this
    /// version of it) from the image. `None` for packages present in the final image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removed_in: Option<u32>,
}

impl Package {
    /// A package with the required fields; the rest empty, to be filled by the cataloger.
    pub fn new(
        ecosystem: Ecosystem,
        name: impl Into<String>,
        version: impl Into<String>,
        purl: Purl,
        found_by: &'static str,
    ) -> Self {
        Package {
            ecosystem,
            name: name.into(),
            version: version.into(),
            arch: None,
            purl,
            synthetic_purl: false,
            cpes: Vec::new(),
            licenses: Vec::new(),
            supplier: None,
            author: None,
            source: None,
            checksums: Vec::new(),
            files: Vec::new(),
            locations: BTreeSet::new(),
            dependencies: DependencySpec::default(),
            dependencies_known: true,
            metadata: PackageMetadata::None,
            found_by,
            introduced_in: None,
            removed_in: None,
        }
    }

    /// Why the database lists a package that is not installed, if it does: dpkg keeps a
    /// removed-but-not-purged package (`config-files`) whose configuration files remain.
    /// Such a package is in the inventory, as `dpkg-query -W` lists it, but marked, and it
    /// satisfies no dependency.
    pub fn not_installed(&self) -> Option<&'static str> {
        match &self.metadata {
            PackageMetadata::Dpkg(m)
                if m.status
                    .as_deref()
                    .is_some_and(|s| s.ends_with(" config-files")) =>
            {
                Some(
                    "removed, not purged: only its configuration files remain \
                     (dpkg state config-files)",
                )
            }
            _ => None,
        }
    }

    /// The package's identity: its purl, canonical text.
    pub fn id(&self) -> PackageId {
        PackageId(self.purl.to_string())
    }

    /// The declared licenses joined into one SPDX expression (`A AND B`), if every one of them
    /// is an SPDX expression. Conjuncts are flattened and repeated ones dropped, so
    /// `GPL-3.0-or-later AND ISC` and `GPL-3.0-or-later` give `GPL-3.0-or-later AND ISC`.
    pub fn license_expression(&self) -> Option<String> {
        if self.licenses.is_empty() {
            return None;
        }
        let mut terms: Vec<&str> = Vec::new();
        for l in &self.licenses {
            for term in and_terms(l.expression()?) {
                // Top-level operands of a canonical expression are bare or a wrapped OR.
                let term = term
                    .strip_prefix('(')
                    .and_then(|t| t.strip_suffix(')'))
                    .unwrap_or(term);
                if !terms.contains(&term) {
                    terms.push(term);
                }
            }
        }
        if let [one] = terms.as_slice() {
            return Some((*one).to_owned());
        }
        Some(
            terms
                .iter()
                .map(|t| {
                    if t.contains(" OR ") {
                        format!("({t})")
                    } else {
                        (*t).to_owned()
                    }
                })
                .collect::<Vec<_>>()
                .join(" AND "),
        )
    }
}

/// The top-level `AND` operands of a canonical expression (one whose only parentheses wrap
/// `OR` operands of an `AND`).
fn and_terms(expr: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    let bytes = expr.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'(' => depth += 1,
            b')' => depth = depth.saturating_sub(1),
            b' ' if depth == 0 && expr[i..].starts_with(" AND ") => {
                out.push(&expr[start..i]);
                i += 5;
                start = i;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out.push(&expr[start..]);
    out
}

/// A package's identity: its canonical purl text. Ordered, so output sorted by it is stable.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct PackageId(pub String);

impl std::fmt::Display for PackageId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Something a cataloger saw but could not read: recorded in the SBOM as a known unknown, never
/// silently dropped.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Unknown {
    /// The cataloger (or reader) that hit it.
    pub source: String,
    /// The file, when the problem is tied to one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// What could not be done, and why.
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_licenses(texts: &[&str]) -> Package {
        let purl = Purl::builder("deb", "x").version("1").build().unwrap();
        let mut p = Package::new(Ecosystem::Deb, "x", "1", purl, "test");
        p.licenses = texts.iter().filter_map(|t| License::parse(t)).collect();
        p
    }

    #[test]
    fn license_expression_flattens_and_dedupes() {
        let p = with_licenses(&["GPL-3.0-or-later AND ISC", "GPL-3.0-or-later", "ISC"]);
        assert_eq!(
            p.license_expression().as_deref(),
            Some("GPL-3.0-or-later AND ISC")
        );
        let p = with_licenses(&["BSD-3-Clause OR GPL-2.0-only", "MIT"]);
        assert_eq!(
            p.license_expression().as_deref(),
            Some("(BSD-3-Clause OR GPL-2.0-only) AND MIT")
        );
        let p = with_licenses(&["BSD-3-Clause OR GPL-2.0-only"]);
        assert_eq!(
            p.license_expression().as_deref(),
            Some("BSD-3-Clause OR GPL-2.0-only")
        );
        assert_eq!(
            with_licenses(&["MIT", "see LICENSE"]).license_expression(),
            None
        );
        assert_eq!(with_licenses(&[]).license_expression(), None);
    }

    #[test]
    fn hash_names_in_both_spellings() {
        for a in HashAlgorithm::ALL {
            assert_eq!(HashAlgorithm::from_name(a.cyclonedx()), Some(a));
            assert_eq!(HashAlgorithm::from_name(a.spdx()), Some(a));
        }
        assert_eq!(
            HashAlgorithm::from_name("sha256"),
            Some(HashAlgorithm::Sha256)
        );
        assert_eq!(HashAlgorithm::from_name("SHA224"), None);
    }

    #[test]
    fn ecosystems_round_trip_their_purl_types() {
        for e in [
            Ecosystem::Deb,
            Ecosystem::Pypi,
            Ecosystem::Golang,
            Ecosystem::Nuget,
        ] {
            assert_eq!(Ecosystem::from_purl_type(e.purl_type()), e);
        }
        assert_eq!(Ecosystem::from_purl_type("conda"), Ecosystem::Other);
    }

    #[test]
    fn parses_parties() {
        assert_eq!(
            Party::parse("Debian GLIBC Maintainers <debian-glibc@lists.debian.org>"),
            Some(Party {
                name: "Debian GLIBC Maintainers".into(),
                email: Some("debian-glibc@lists.debian.org".into())
            })
        );
        assert_eq!(
            Party::parse("Natanael Copa"),
            Some(Party {
                name: "Natanael Copa".into(),
                email: None
            })
        );
        assert_eq!(Party::parse(" "), None);
        assert_eq!(
            Party::parse("<root@localhost>"),
            Some(Party {
                name: "root@localhost".into(),
                email: None
            })
        );
    }
}
