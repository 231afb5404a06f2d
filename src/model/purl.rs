//! Package URLs (<https://github.com/package-url/purl-spec>), built with the `packageurl` crate
//! and kept as canonical text (qualifiers sorted, components percent-encoded), so that equal
//! packages have equal purls and output order is stable.

use std::fmt;
use std::str::FromStr;

use packageurl::PackageUrl;
use serde::Serialize;

/// Longest name, namespace or version a purl is built from, in bytes. Real ones stay under
/// 256 (npm allows 214 for a name); a longer one comes from a forged file, and each copy of it
/// (the purl, the package, the encoded SBOM) would cost its full size again.
pub const MAX_COMPONENT: usize = 1024;

/// `Err` naming `what` (`name`, `version`) when `value` is longer than [`MAX_COMPONENT`];
/// the message gives only its length.
pub fn check_component(what: &str, value: &str) -> Result<(), String> {
    if value.len() > MAX_COMPONENT {
        return Err(format!(
            "{what} of {} bytes; at most {MAX_COMPONENT} (not a package {what})",
            value.len()
        ));
    }
    Ok(())
}

/// A canonical package URL.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Purl(String);

/// Builds a [`Purl`] from its parts.
#[derive(Debug)]
pub struct PurlBuilder {
    ty: &'static str,
    namespace: Option<String>,
    name: String,
    version: Option<String>,
    qualifiers: Vec<(&'static str, String)>,
    subpath: Option<String>,
}

impl Purl {
    /// Starts a purl of type `ty` (`deb`, `apk`, `rpm`, `pypi`, …) for `name`.
    pub fn builder(ty: &'static str, name: impl Into<String>) -> PurlBuilder {
        PurlBuilder {
            ty,
            namespace: None,
            name: name.into(),
            version: None,
            qualifiers: Vec::new(),
            subpath: None,
        }
    }

    /// The canonical text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The canonical text without the qualifier `key` (qualifiers are sorted, so the rest
    /// stays canonical).
    pub fn without_qualifier(&self, key: &str) -> String {
        let Some((head, query)) = self.0.split_once('?') else {
            return self.0.clone();
        };
        let (query, subpath) = match query.split_once('#') {
            Some((q, sp)) => (q, Some(sp)),
            None => (query, None),
        };
        let kept: Vec<&str> = query
            .split('&')
            .filter(|kv| kv.split('=').next() != Some(key))
            .collect();
        let mut out = head.to_owned();
        if !kept.is_empty() {
            out.push('?');
            out.push_str(&kept.join("&"));
        }
        if let Some(sp) = subpath {
            out.push('#');
            out.push_str(sp);
        }
        out
    }

    /// The purl type (`deb`, `npm`, …).
    pub fn ty(&self) -> &str {
        self.0
            .strip_prefix("pkg:")
            .and_then(|s| s.split('/').next())
            .unwrap_or("")
    }
}

/// A purl taken apart, every component decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PurlParts {
    /// The type (`deb`, `npm`, …).
    pub ty: String,
    /// The namespace, if any.
    pub namespace: Option<String>,
    /// The name.
    pub name: String,
    /// The version, if any.
    pub version: Option<String>,
    /// The qualifiers, by key.
    pub qualifiers: std::collections::BTreeMap<String, String>,
}

impl Purl {
    /// The purl's components, decoded (`None` only if the text no longer parses, which a
    /// `Purl` built by this module never does).
    pub fn parts(&self) -> Option<PurlParts> {
        let p = PackageUrl::from_str(&self.0).ok()?;
        Some(PurlParts {
            ty: p.ty().to_owned(),
            namespace: p.namespace().map(str::to_owned),
            name: p.name().to_owned(),
            version: p.version().map(str::to_owned),
            qualifiers: p
                .qualifiers()
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        })
    }
}

/// A purl's components as they stand in the canonical text (still percent-encoded), without
/// parsing it again: cheap enough to call for every package of a large SBOM. Decode a
/// component with [`percent_decoded`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PurlSlices<'a> {
    /// The type.
    pub ty: &'a str,
    /// The namespace (segments joined by `/`), empty when none.
    pub namespace: &'a str,
    /// The name.
    pub name: &'a str,
    /// The version, if any.
    pub version: Option<&'a str>,
    /// The qualifiers, `k=v` pairs joined by `&`, sorted by key; empty when none.
    pub qualifiers: &'a str,
}

impl<'a> PurlSlices<'a> {
    /// The value of qualifier `key`, still encoded.
    pub fn qualifier(&self, key: &str) -> Option<&'a str> {
        self.qualifiers.split('&').find_map(|kv| {
            kv.split_once('=')
                .filter(|(k, _)| *k == key)
                .map(|(_, v)| v)
        })
    }
}

/// `%XX` escapes decoded; borrowed when there are none.
pub fn percent_decoded(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('%') {
        return std::borrow::Cow::Borrowed(s);
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    std::borrow::Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

impl Purl {
    /// The components of the canonical text; see [`PurlSlices`].
    pub fn split(&self) -> PurlSlices<'_> {
        let rest = self.0.strip_prefix("pkg:").unwrap_or(&self.0);
        let rest = rest.split_once('#').map_or(rest, |(r, _)| r);
        let (rest, qualifiers) = rest.split_once('?').unwrap_or((rest, ""));
        let (path, version) = match rest.split_once('@') {
            Some((p, v)) => (p, Some(v)),
            None => (rest, None),
        };
        let (ty, path) = path.split_once('/').unwrap_or((path, ""));
        let (namespace, name) = path.rsplit_once('/').unwrap_or(("", path));
        PurlSlices {
            ty,
            namespace,
            name,
            version,
            qualifiers,
        }
    }
}

impl PurlBuilder {
    /// Sets the namespace (deb/apk/rpm: the distro id; maven: the group id; npm: the scope).
    pub fn namespace(mut self, ns: impl Into<String>) -> Self {
        let ns = ns.into();
        if !ns.is_empty() {
            self.namespace = Some(ns);
        }
        self
    }

    /// Sets the version.
    pub fn version(mut self, v: impl Into<String>) -> Self {
        let v = v.into();
        if !v.is_empty() {
            self.version = Some(v);
        }
        self
    }

    /// Adds a qualifier; empty values are skipped (the spec forbids them).
    pub fn qualifier(mut self, key: &'static str, value: impl Into<String>) -> Self {
        let value = value.into();
        if !value.is_empty() {
            self.qualifiers.push((key, value));
        }
        self
    }

    /// Adds a qualifier when the value is known.
    pub fn qualifier_opt(self, key: &'static str, value: Option<impl Into<String>>) -> Self {
        match value {
            Some(v) => self.qualifier(key, v),
            None => self,
        }
    }

    /// Sets the subpath.
    pub fn subpath(mut self, sp: impl Into<String>) -> Self {
        self.subpath = Some(sp.into());
        self
    }

    /// Builds the canonical purl. Fails on a name or type the spec forbids (empty name), or a
    /// name, namespace or version longer than [`MAX_COMPONENT`].
    pub fn build(self) -> Result<Purl, String> {
        check_component("name", &self.name)?;
        check_component("namespace", self.namespace.as_deref().unwrap_or(""))?;
        check_component("version", self.version.as_deref().unwrap_or(""))?;
        let err = |e: packageurl::Error| format!("invalid purl for {:?}: {e}", self.name);
        let mut p = PackageUrl::new(self.ty, self.name.as_str()).map_err(err)?;
        if let Some(ns) = &self.namespace {
            p.with_namespace(ns.as_str()).map_err(err)?;
        }
        if let Some(v) = &self.version {
            p.with_version(v.as_str()).map_err(err)?;
        }
        for (k, v) in &self.qualifiers {
            p.add_qualifier(*k, v.as_str()).map_err(err)?;
        }
        if let Some(sp) = &self.subpath {
            p.with_subpath(sp.as_str()).map_err(err)?;
        }
        Ok(Purl(p.to_string()))
    }
}

impl FromStr for Purl {
    type Err = String;

    /// Parses and canonicalises purl text.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let p = PackageUrl::from_str(s).map_err(|e| format!("invalid purl {s:?}: {e}"))?;
        Ok(Purl(p.to_string()))
    }
}

impl fmt::Display for Purl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Purl {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deb_purl_matches_the_spec_example() {
        let p = Purl::builder("deb", "openssl")
            .namespace("debian")
            .version("3.0.11-1~deb12u2")
            .qualifier("distro", "debian-12")
            .qualifier("arch", "amd64")
            .build()
            .unwrap();
        assert_eq!(
            p.as_str(),
            "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12"
        );
        assert_eq!(p.ty(), "deb");
    }

    #[test]
    fn drops_one_qualifier() {
        let p: Purl = "pkg:apk/alpine/musl@1.1.24-r2?arch=x86_64&distro=alpine-3.11.5"
            .parse()
            .unwrap();
        assert_eq!(
            p.without_qualifier("distro"),
            "pkg:apk/alpine/musl@1.1.24-r2?arch=x86_64"
        );
        assert_eq!(
            p.without_qualifier("arch"),
            "pkg:apk/alpine/musl@1.1.24-r2?distro=alpine-3.11.5"
        );
        let bare: Purl = "pkg:npm/x@1".parse().unwrap();
        assert_eq!(bare.without_qualifier("distro"), "pkg:npm/x@1");
    }

    #[test]
    fn encodes_plus_and_scopes() {
        let p = Purl::builder("deb", "libc6")
            .namespace("debian")
            .version("2.36-9+deb12u4")
            .build()
            .unwrap();
        assert_eq!(p.as_str(), "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4");
        let npm = Purl::builder("npm", "core")
            .namespace("@babel")
            .version("7.0.0")
            .build()
            .unwrap();
        assert_eq!(npm.as_str(), "pkg:npm/%40babel/core@7.0.0");
    }

    #[test]
    fn slices_match_the_parsed_parts() {
        for text in [
            "pkg:npm/%40babel/core@7.0.0-beta%2B1?arch=x86_64",
            "pkg:deb/debian/libstdc%2B%2B6@12.2.0-14?arch=amd64&distro=debian-12",
            "pkg:golang/github.com/pkg/errors@v0.9.1",
            "pkg:maven/org.slf4j/slf4j-api@2.0.9?type=jar#sub/path",
            "pkg:generic/thing",
            "pkg:oci/debian@sha256:ab?repository_url=docker.io%2Flibrary%2Fdebian&tag=12",
        ] {
            let p: Purl = text.parse().unwrap();
            let (s, parts) = (p.split(), p.parts().unwrap());
            assert_eq!(s.ty, parts.ty, "{text}");
            assert_eq!(
                percent_decoded(s.namespace),
                parts.namespace.unwrap_or_default(),
                "{text}"
            );
            assert_eq!(percent_decoded(s.name), parts.name, "{text}");
            assert_eq!(
                s.version.map(|v| percent_decoded(v).into_owned()),
                parts.version,
                "{text}"
            );
            for (k, v) in &parts.qualifiers {
                assert_eq!(
                    s.qualifier(k).map(percent_decoded).as_deref(),
                    Some(v.as_str()),
                    "{text}"
                );
            }
        }
    }

    #[test]
    fn parts_are_decoded() {
        let p: Purl = "pkg:npm/%40babel/core@7.0.0-beta%2B1?arch=x86_64"
            .parse()
            .unwrap();
        let parts = p.parts().unwrap();
        assert_eq!(parts.ty, "npm");
        assert_eq!(parts.namespace.as_deref(), Some("@babel"));
        assert_eq!(parts.name, "core");
        assert_eq!(parts.version.as_deref(), Some("7.0.0-beta+1"));
        assert_eq!(parts.qualifiers["arch"], "x86_64");
    }

    #[test]
    fn empty_qualifiers_are_dropped_and_parse_round_trips() {
        let p = Purl::builder("apk", "musl")
            .namespace("alpine")
            .version("1.1.24-r2")
            .qualifier("arch", "x86_64")
            .qualifier("distro", "")
            .build()
            .unwrap();
        assert_eq!(p.as_str(), "pkg:apk/alpine/musl@1.1.24-r2?arch=x86_64");
        assert_eq!(p.as_str().parse::<Purl>().unwrap(), p);
    }
}
