//! Package URLs (<https://github.com/package-url/purl-spec>), built with the `packageurl` crate
//! and kept as canonical text (qualifiers sorted, components percent-encoded), so that equal
//! packages have equal purls and output order is stable.

use std::fmt;
use std::str::FromStr;

use packageurl::PackageUrl;
use serde::Serialize;

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

    /// Builds the canonical purl. Fails only on a name or type the spec forbids (empty name).
    pub fn build(self) -> Result<Purl, String> {
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
