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

use std::fmt;

use crate::model::Package;

/// The version-free identity of a package. Ordered, so output sorted by it is stable.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    /// The purl type (`deb`, `npm`, …); empty when unknown.
    pub ty: String,
    /// The normalised namespace (npm scope, Maven group, …); empty when none.
    pub namespace: String,
    /// The normalised name.
    pub name: String,
    /// Qualifiers that tell artifacts apart (`arch=amd64`), normalised, sorted.
    pub qualifiers: Vec<(String, String)>,
}

impl Key {
    /// True when the type is not known (no purl, no hint).
    pub fn is_untyped(&self) -> bool {
        self.ty.is_empty()
    }

    /// The name as people write it: `@babel/core`, `org.slf4j:slf4j-api`,
    /// `github.com/pkg/errors`, `libc6`.
    pub fn display_name(&self) -> String {
        if self.namespace.is_empty() {
            return self.name.clone();
        }
        match self.ty.as_str() {
            "maven" => format!("{}:{}", self.namespace, self.name),
            _ => format!("{}/{}", self.namespace, self.name),
        }
    }

    /// The architecture qualifier, if part of the key.
    pub fn arch(&self) -> Option<&str> {
        self.qualifiers
            .iter()
            .find(|(k, _)| k == "arch")
            .map(|(_, v)| v.as_str())
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ty = if self.ty.is_empty() { "?" } else { &self.ty };
        write!(f, "{ty}/{}", self.display_name())?;
        for (k, v) in &self.qualifiers {
            write!(f, " {k}={v}")?;
        }
        Ok(())
    }
}

/// OS package types: the namespace restates the distribution.
fn is_os_type(ty: &str) -> bool {
    matches!(ty, "deb" | "rpm" | "apk" | "alpm")
}

/// What matching needs of a package, from one reading of its purl: its [`Key`], the
/// version to compare ([`version_of`]) and the name to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// The key.
    pub key: Key,
    /// The version to compare.
    pub version: String,
    /// The name as people write it, in the package's own spelling.
    pub display: String,
}

/// The identity of `p`; see [`Identity`].
pub fn identity(p: &Package) -> Identity {
    let parts = p.purl.parts();
    let (ty, namespace, name, qualifiers) = match &parts {
        Some(u) => (
            u.ty.clone(),
            u.namespace.clone().unwrap_or_default(),
            u.name.clone(),
            u.qualifiers.clone(),
        ),
        None => (
            "generic".to_owned(),
            String::new(),
            p.name.clone(),
            Default::default(),
        ),
    };
    // A made-up purl of type `generic` says nothing about the ecosystem.
    let ty = if p.synthetic_purl && ty == "generic" {
        String::new()
    } else {
        ty
    };
    let namespace = if is_os_type(&ty) {
        String::new()
    } else {
        namespace
    };
    let display = if p.synthetic_purl {
        p.name.clone()
    } else {
        shown(&ty, &namespace, &name)
    };
    let (namespace, name) = normalise(&ty, &namespace, &name);
    let relevant: &[&str] = match ty.as_str() {
        t if is_os_type(t) => &["arch"],
        "maven" => &["classifier", "type"],
        _ => &[],
    };
    let mut qualifiers: Vec<(String, String)> = qualifiers
        .into_iter()
        .filter(|(k, _)| relevant.contains(&k.as_str()))
        .map(|(k, v)| (k, v.to_ascii_lowercase()))
        // `type=jar` is Maven's default: no qualifier and `jar` are one artifact.
        .filter(|(k, v)| !(k == "type" && v == "jar"))
        .collect();
    if is_os_type(&ty)
        && qualifiers.is_empty()
        && let Some(arch) = &p.arch
    {
        qualifiers.push(("arch".to_owned(), arch.to_ascii_lowercase()));
    }
    qualifiers.sort();
    let version = match parts.filter(|_| !p.synthetic_purl) {
        Some(parts) => purl_version(&parts.ty, parts.version, parts.qualifiers.get("epoch"))
            .unwrap_or_else(|| p.version.clone()),
        None => p.version.clone(),
    };
    Identity {
        key: Key {
            ty,
            namespace,
            name,
            qualifiers,
        },
        version,
        display,
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
pub fn normalise(ty: &str, namespace: &str, name: &str) -> (String, String) {
    match ty {
        // PEP 503: case-insensitive, runs of `-`, `_`, `.` are one `-`.
        "pypi" => (String::new(), pep503(name)),
        "cargo" => (String::new(), name.to_ascii_lowercase().replace('_', "-")),
        // The module path is one name; producers split it into namespace and name alike,
        // but joining makes that irrelevant.
        "golang" => {
            let full = if namespace.is_empty() {
                name.to_owned()
            } else {
                format!("{namespace}/{name}")
            };
            (String::new(), full.to_ascii_lowercase())
        }
        "maven" => (namespace.to_owned(), name.to_owned()),
        _ => (namespace.to_ascii_lowercase(), name.to_ascii_lowercase()),
    }
}

fn pep503(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// The version to compare: the purl's (every producer agrees on it; Trivy's SPDX 2.2
/// `versionInfo` once dropped the rpm release) with the `epoch=` qualifier put back in front
/// for deb and rpm, so that Syft's `1:1.0.2k-16.el7` and Trivy's `1.0.2k-16.el7` with
/// `epoch=1` read alike; the package's own version when the purl has none.
pub fn version_of(p: &Package) -> String {
    identity(p).version
}

fn purl_version(ty: &str, version: Option<String>, epoch: Option<&String>) -> Option<String> {
    let version = version?;
    Some(match epoch {
        Some(e) if matches!(ty, "deb" | "rpm") && !version.contains(':') && e != "0" => {
            format!("{e}:{version}")
        }
        _ => version,
    })
}
