//! Registry references: `HOST[:PORT]/REPO[:TAG][@DIGEST]`, split and normalised as the Docker
//! CLI does (no host means Docker Hub, a one-component Hub name gains `library/`) by
//! [`crate::source::reference`], then validated against the distribution spec's
//! grammar (<https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests>):
//! repository components `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`, tags `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`.

use std::fmt;

use crate::source::Digest;
use crate::source::reference::{self, Reference};

/// Docker Hub's name in references, and the host its API answers on.
const HUB: &str = "docker.io";
const HUB_API: &str = "registry-1.docker.io";

/// A parsed image reference.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ImageRef {
    /// Registry host and optional port, as written (`localhost:5000`, `ghcr.io`, `docker.io`).
    pub registry: String,
    /// Repository path inside the registry (`library/alpine`, `org/app`).
    pub repository: String,
    /// Tag, when given.
    pub tag: Option<String>,
    /// Digest, when given.
    pub digest: Option<Digest>,
}

impl ImageRef {
    /// Parses a reference such as `localhost:5000/app:1`, `ghcr.io/o/app@sha256:…` or `alpine`.
    pub fn parse(s: &str) -> Result<ImageRef, String> {
        let bad = |why: &str| format!("invalid image reference {s:?}: {why}");
        let r = Reference::parse(s).ok_or_else(|| bad("empty"))?;
        let (registry, repository) = r
            .repository
            .split_once('/')
            .ok_or_else(|| bad("no repository"))?;
        // Reference::parse lowercases; the grammar does not allow upper case in the path at
        // all (the host is case-insensitive).
        let written = reference::split(s.trim()).name;
        if written
            .chars()
            .skip_while(|c| *c != '/')
            .any(|c| c.is_ascii_uppercase())
        {
            return Err(bad("repository names must be lowercase"));
        }
        for component in repository.split('/') {
            if !valid_component(component) {
                return Err(bad(&format!("invalid repository component {component:?}")));
            }
        }
        if let Some(t) = &r.tag
            && !valid_tag(t)
        {
            return Err(bad(&format!("invalid tag {t:?}")));
        }
        let digest = match &r.digest {
            Some(d) => Some(d.parse::<Digest>().map_err(|e| bad(&e))?),
            None => None,
        };
        Ok(ImageRef {
            registry: registry.to_owned(),
            repository: repository.to_owned(),
            tag: r.tag,
            digest,
        })
    }

    /// `registry/repository`: the name an attestation subject and a CycloneDX component use.
    pub fn name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// The host (and port) the registry API answers on.
    pub fn api_host(&self) -> &str {
        if self.registry == HUB {
            HUB_API
        } else {
            &self.registry
        }
    }

    /// What to ask the manifests endpoint for: the digest when given, else the tag, else
    /// `latest`.
    pub fn reference(&self) -> String {
        match (&self.digest, &self.tag) {
            (Some(d), _) => d.to_string(),
            (None, Some(t)) => t.clone(),
            (None, None) => "latest".to_owned(),
        }
    }

    /// The same repository at `digest` (the tag dropped).
    pub fn with_digest(&self, digest: Digest) -> ImageRef {
        ImageRef {
            tag: None,
            digest: Some(digest),
            ..self.clone()
        }
    }

    /// The same repository at `tag`.
    pub fn with_tag(&self, tag: &str) -> ImageRef {
        ImageRef {
            tag: Some(tag.to_owned()),
            digest: None,
            ..self.clone()
        }
    }

    /// True for a registry on this machine (`localhost`, `127.0.0.0/8`, `[::1]`): the only
    /// ones plain HTTP may be used with.
    pub fn is_loopback(&self) -> bool {
        is_loopback_host(&self.registry)
    }
}

/// True when `host[:port]` names this machine.
pub fn is_loopback_host(host_port: &str) -> bool {
    let host = if let Some(rest) = host_port.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host_port.rsplit_once(':').map_or(host_port, |(h, _)| h)
    };
    host == "localhost"
        || host == "::1"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

fn valid_component(c: &str) -> bool {
    let b = c.as_bytes();
    if b.is_empty() || !b[0].is_ascii_alphanumeric() || !b[b.len() - 1].is_ascii_alphanumeric() {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_lowercase() || b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        // A separator: `.`, `_`, `__` or a run of `-`, always between alphanumerics.
        let start = i;
        match b[i] {
            b'.' => i += 1,
            b'_' => i += if b.get(i + 1) == Some(&b'_') { 2 } else { 1 },
            b'-' => {
                while b.get(i) == Some(&b'-') {
                    i += 1;
                }
            }
            _ => return false,
        }
        if i == start
            || !b
                .get(i)
                .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        {
            return false;
        }
    }
    true
}

fn valid_tag(t: &str) -> bool {
    let b = t.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex() -> String {
        "ab".repeat(32)
    }

    #[test]
    fn parses_and_normalises() {
        let r = ImageRef::parse("localhost:5000/team/app:1.0").unwrap();
        assert_eq!(r.registry, "localhost:5000");
        assert_eq!(r.repository, "team/app");
        assert_eq!(r.tag.as_deref(), Some("1.0"));
        assert_eq!(r.reference(), "1.0");
        assert_eq!(r.to_string(), "localhost:5000/team/app:1.0");
        assert!(r.is_loopback());

        let r = ImageRef::parse("alpine").unwrap();
        assert_eq!(r.name(), "docker.io/library/alpine");
        assert_eq!(r.api_host(), "registry-1.docker.io");
        assert_eq!(r.reference(), "latest");
        assert!(!r.is_loopback());

        let r = ImageRef::parse(&format!("ghcr.io/o/app:1@sha256:{}", hex())).unwrap();
        assert_eq!(r.reference(), format!("sha256:{}", hex()));
        assert_eq!(r.with_tag("x").reference(), "x");
    }

    #[test]
    fn refuses_invalid_references() {
        for bad in [
            "",
            "localhost:5000/App:1",
            "localhost:5000/a..b",
            "localhost:5000/-a",
            "localhost:5000/a:-tag",
            "localhost:5000/a@sha256:xyz",
            "localhost:5000/a_",
        ] {
            assert!(ImageRef::parse(bad).is_err(), "{bad}");
        }
        // Only the repository path must be lowercase: a tag may have capitals, a host is
        // case-insensitive.
        let r = ImageRef::parse("LocalHost:5000/app:V1").unwrap();
        assert_eq!(r.to_string(), "localhost:5000/app:V1");
        for good in ["a/b__c", "reg.io/a-b/c.d", "reg.io/a---b", "a:_t"] {
            assert!(ImageRef::parse(good).is_ok(), "{good}");
        }
    }

    #[test]
    fn loopback_hosts() {
        for h in [
            "localhost",
            "localhost:5000",
            "127.0.0.1:1",
            "127.9.9.9",
            "[::1]:5000",
        ] {
            assert!(is_loopback_host(h), "{h}");
        }
        for h in [
            "localhost.evil.com:5000",
            "10.0.0.1:5000",
            "registry",
            "[::2]:1",
        ] {
            assert!(!is_loopback_host(h), "{h}");
        }
    }
}
