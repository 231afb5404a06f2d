//! A package's identity across SBOMs: what makes "libc6 in the old SBOM" and "libc6 in the
//! new one" the same package, whichever tool wrote each.
//!
//! The key is the purl without its version: type, namespace, name, and the qualifiers that
//! make a different artifact (`arch` for OS packages; `classifier` and `type` for Maven).
//! Everything else producers add to a purl is dropped: `distro=debian-12` versus Trivy's
//! `distro=debian-12.5`, `upstream=`, `epoch=` (the epoch belongs to the version, see
//! [`version_of`]), Syft's `package-id=`. Names are normalised the way each registry treats
//! them as equal (PEP 503 for Python, case for npm, NuGet, Composer, `-`/`_` for Cargo).
//! For OS packages the namespace (`debian`, `ubuntu`; `amzn` or Trivy's `amazon`) is not part
//! of the key: inside one comparison it only restates the distribution, which `diff`
//! compares on its own, and producers spell it differently.
//!
//! A package whose SBOM gave no purl and no usable type hint has an *unknown* type; `diff`
//! matches it by name against the other side (see `super::matching`).

use std::borrow::Cow;
use std::fmt;

use crate::model::{Package, percent_decoded};

/// Separates the parts of a [`Key`]'s text; never part of a purl component once decoded
/// for keys (a control character).
const SEP: char = '\u{1f}';

/// The version-free identity of a package: type, namespace, name and the qualifiers that
/// tell artifacts apart, normalised, held as one string so that hashing and comparing a key
/// is one pass over one buffer (a diff hashes tens of thousands of them).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    text: String,
}

impl Key {
    /// A key from its normalised parts; `qualifiers` sorted by key.
    pub fn new(ty: &str, namespace: &str, name: &str, qualifiers: &[(&str, &str)]) -> Key {
        let mut text = String::with_capacity(ty.len() + namespace.len() + name.len() + 16);
        text.push_str(ty);
        text.push(SEP);
        text.push_str(namespace);
        text.push(SEP);
        text.push_str(name);
        for (k, v) in qualifiers {
            text.push(SEP);
            text.push_str(k);
            text.push('=');
            text.push_str(v);
        }
        Key { text }
    }

    fn parts(&self) -> std::str::Split<'_, char> {
        self.text.split(SEP)
    }

    /// The purl type (`deb`, `npm`, …); empty when unknown.
    pub fn ty(&self) -> &str {
        self.parts().next().unwrap_or("")
    }

    /// The normalised namespace (npm scope, Maven group, …); empty when none.
    pub fn namespace(&self) -> &str {
        self.parts().nth(1).unwrap_or("")
    }

    /// The normalised name.
    pub fn name(&self) -> &str {
        self.parts().nth(2).unwrap_or("")
    }

    /// The qualifiers that are part of the key, as `(key, value)`.
    pub fn qualifiers(&self) -> impl Iterator<Item = (&str, &str)> {
        self.parts().skip(3).filter_map(|kv| kv.split_once('='))
    }

    /// True when the type is not known (no purl, no hint).
    pub fn is_untyped(&self) -> bool {
        self.ty().is_empty()
    }

    /// The name as people write it: `@babel/core`, `org.slf4j:slf4j-api`,
    /// `github.com/pkg/errors`, `libc6` (normalised: see [`Identity::display`] for the
    /// package's own spelling).
    pub fn display_name(&self) -> String {
        shown(self.ty(), self.namespace(), self.name())
    }

    /// The architecture qualifier, if part of the key.
    pub fn arch(&self) -> Option<&str> {
        self.qualifiers()
            .find(|(k, _)| *k == "arch")
            .map(|(_, v)| v)
    }

    /// This key without its qualifiers.
    pub fn without_qualifiers(&self) -> Key {
        Key::new(self.ty(), self.namespace(), self.name(), &[])
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ty = if self.is_untyped() { "?" } else { self.ty() };
        write!(f, "{ty}/{}", self.display_name())?;
        for (k, v) in self.qualifiers() {
            write!(f, " {k}={v}")?;
        }
        Ok(())
    }
}

/// OS package types: the namespace restates the distribution.
fn is_os_type(ty: &str) -> bool {
    matches!(ty, "deb" | "rpm" | "apk" | "alpm")
}

/// What matching needs of a package, from one reading of its purl: its [`Key`] and the
/// version to compare ([`version_of`]); the name to show is worked out only for packages
/// that changed ([`Identity::display`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity<'a> {
    /// The key.
    pub key: Key,
    /// The version to compare.
    pub version: Cow<'a, str>,
    /// The package.
    pub package: &'a Package,
}

impl Identity<'_> {
    /// The name as people write it, in the package's own spelling: `@babel/core`,
    /// `org.slf4j:slf4j-api`, `PyYAML`, `libc6`.
    pub fn display(&self) -> String {
        let p = self.package;
        if p.synthetic_purl {
            return p.name.clone();
        }
        let parts = p.purl.split();
        let namespace = if is_os_type(parts.ty) {
            Cow::Borrowed("")
        } else {
            percent_decoded(parts.namespace)
        };
        shown(parts.ty, &namespace, &percent_decoded(parts.name))
    }
}

/// The identity of `p`; see [`Identity`]. Reads the canonical purl text directly (no
/// parsing), as it runs for every package of both SBOMs.
pub fn identity(p: &Package) -> Identity<'_> {
    let parts = p.purl.split();
    // A made-up purl of type `generic` says nothing about the ecosystem.
    let ty = if p.synthetic_purl && parts.ty == "generic" {
        ""
    } else {
        parts.ty
    };
    let namespace = if is_os_type(ty) {
        Cow::Borrowed("")
    } else {
        percent_decoded(parts.namespace)
    };
    let name = percent_decoded(parts.name);
    let (namespace, name) = normalise(ty, &namespace, &name);
    let relevant: &[&str] = match ty {
        t if is_os_type(t) => &["arch"],
        "maven" => &["classifier", "type"],
        _ => &[],
    };
    let mut qualifiers: Vec<(&str, String)> = relevant
        .iter()
        .filter_map(|k| {
            let v = percent_decoded(parts.qualifier(k)?).to_ascii_lowercase();
            // `type=jar` is Maven's default: no qualifier and `jar` are one artifact.
            (!(*k == "type" && v == "jar")).then_some((*k, v))
        })
        .collect();
    if is_os_type(ty)
        && qualifiers.is_empty()
        && let Some(arch) = &p.arch
    {
        qualifiers.push(("arch", arch.to_ascii_lowercase()));
    }
    let qualifiers: Vec<(&str, &str)> = qualifiers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let version = match parts.version.filter(|_| !p.synthetic_purl) {
        Some(v) => purl_version(ty, percent_decoded(v), parts.qualifier("epoch")),
        None => Cow::Borrowed(p.version.as_str()),
    };
    Identity {
        key: Key::new(ty, &namespace, &name, &qualifiers),
        version,
        package: p,
    }
}

/// `@babel/core`, `org.slf4j:slf4j-api`, `github.com/pkg/errors`: namespace and name as
/// the purl spells them.
fn shown(ty: &str, namespace: &str, name: &str) -> String {
    match (ty, namespace.is_empty()) {
        (_, true) => name.to_owned(),
        ("maven", false) => format!("{namespace}:{name}"),
        _ => format!("{namespace}/{name}"),
    }
}

/// The key of `p`.
pub fn key_of(p: &Package) -> Key {
    identity(p).key
}

/// The name normalisation of each registry.
pub fn normalise<'a>(ty: &str, namespace: &'a str, name: &'a str) -> (Cow<'a, str>, Cow<'a, str>) {
    match ty {
        // PEP 503: case-insensitive, runs of `-`, `_`, `.` are one `-`.
        "pypi" => (
            Cow::Borrowed(""),
            Cow::Owned(crate::catalog::python::normalize_name(name)),
        ),
        "cargo" => (
            Cow::Borrowed(""),
            Cow::Owned(name.to_ascii_lowercase().replace('_', "-")),
        ),
        // The module path is one name; producers split it into namespace and name alike,
        // but joining makes that irrelevant.
        "golang" => {
            let full = if namespace.is_empty() {
                name.to_ascii_lowercase()
            } else {
                format!("{namespace}/{name}").to_ascii_lowercase()
            };
            (Cow::Borrowed(""), Cow::Owned(full))
        }
        "maven" => (Cow::Borrowed(namespace), Cow::Borrowed(name)),
        _ => (lower(namespace), lower(name)),
    }
}

/// `s` in lowercase, borrowed when it already is.
fn lower(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(s.to_ascii_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

/// The version to compare: the purl's (every producer agrees on it; Trivy's SPDX 2.2
/// `versionInfo` once dropped the rpm release) with the `epoch=` qualifier put back in front
/// for deb and rpm, so that Syft's `1:1.0.2k-16.el7` and Trivy's `1.0.2k-16.el7` with
/// `epoch=1` read alike; the package's own version when the purl has none.
pub fn version_of(p: &Package) -> String {
    identity(p).version.into_owned()
}

fn purl_version<'a>(ty: &str, version: Cow<'a, str>, epoch: Option<&str>) -> Cow<'a, str> {
    match epoch {
        Some(e) if matches!(ty, "deb" | "rpm") && !version.contains(':') && e != "0" => {
            Cow::Owned(format!("{e}:{version}"))
        }
        _ => version,
    }
}
