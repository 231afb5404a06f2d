//! Image references (`alpine`, `alpine:3.19`, `ghcr.io/org/app:1.2@sha256:…`): the one place
//! they are taken apart ([`split`]) and given Docker's defaults ([`qualify`], [`Reference`]).
//!
//! Grammar (<https://github.com/distribution/reference/blob/main/reference.go>):
//! `NAME[:TAG][@DIGEST]`, where a `:` after the last `/` starts the tag and one before it is a
//! registry port. Everything that reads a reference — `--image` matching, the names archives
//! record, registry references ([`crate::registry::ImageRef`], which adds the distribution
//! spec's validation), base-image names in purls and names in other tools' SBOMs — splits it
//! here, so they cannot disagree about where the name ends.

/// A reference taken apart as written: nothing normalised, lowercased or validated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Parts<'a> {
    /// Everything before the tag and digest (`localhost:5000/app`, `alpine`).
    pub name: &'a str,
    /// The text after the tag's `:`, when there is one (possibly empty: `alpine:`).
    pub tag: Option<&'a str>,
    /// The text after `@`, when there is one (not checked to be a digest).
    pub digest: Option<&'a str>,
}

/// Splits `NAME[:TAG][@DIGEST]` as written.
pub fn split(s: &str) -> Parts<'_> {
    let (rest, digest) = match s.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (s, None),
    };
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match rest[last_slash..].rfind(':') {
        Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
        None => (rest, None),
    };
    Parts { name, tag, digest }
}

/// A repository name with Docker's defaults made explicit, as `docker pull` resolves it: a
/// first segment that is not a host (no `.` or `:`, not `localhost`) means Docker Hub, and a
/// single segment means its `library/` namespace. Case is kept.
pub fn qualify(name: &str) -> String {
    match name.split_once('/') {
        Some((first, _)) if first.contains(['.', ':']) || first == "localhost" => name.to_owned(),
        Some(_) => format!("docker.io/{name}"),
        None => format!("docker.io/library/{name}"),
    }
}

/// A parsed reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// Fully qualified repository (`docker.io/library/alpine`).
    pub repository: String,
    /// Tag, when given.
    pub tag: Option<String>,
    /// Digest, when given (`sha256:…`).
    pub digest: Option<String>,
}

impl Reference {
    /// Parses and normalises a reference the way the Docker CLI does ([`qualify`], lowercased).
    pub fn parse(s: &str) -> Option<Reference> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        let parts = split(s);
        if parts.name.is_empty() {
            return None;
        }
        Some(Reference {
            repository: qualify(parts.name).to_ascii_lowercase(),
            tag: parts.tag.map(str::to_owned),
            digest: parts.digest.map(str::to_owned),
        })
    }

    /// True when `recorded` (a name stored in an archive) names the image `self` asks for.
    /// A query without a tag matches `latest`, as `docker run alpine` does.
    pub fn matches(&self, recorded: &Reference) -> bool {
        if self.repository != recorded.repository {
            return false;
        }
        if let Some(d) = &self.digest {
            return recorded.digest.as_ref() == Some(d);
        }
        let want = self.tag.as_deref().unwrap_or("latest");
        recorded.tag.as_deref().unwrap_or("latest") == want
    }
}

/// Splits a recorded name (`alpine:3.11`, `docker.io/library/alpine:3.11`) into name and tag,
/// keeping the name as recorded (not normalised) for display. A digest is dropped, an empty
/// tag (`alpine:`) is no tag.
pub fn split_name_tag(recorded: &str) -> (&str, Option<&str>) {
    let parts = split(recorded);
    (parts.name, parts.tag.filter(|t| !t.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> Reference {
        Reference::parse(s).unwrap()
    }

    #[test]
    fn splits_as_written() {
        let p = |name, tag, digest| Parts { name, tag, digest };
        assert_eq!(split("alpine"), p("alpine", None, None));
        assert_eq!(split("alpine:3.11"), p("alpine", Some("3.11"), None));
        assert_eq!(split("alpine:"), p("alpine", Some(""), None));
        assert_eq!(
            split("localhost:5000/App"),
            p("localhost:5000/App", None, None)
        );
        assert_eq!(
            split("localhost:5000/a/b:1@sha256:ab"),
            p("localhost:5000/a/b", Some("1"), Some("sha256:ab"))
        );
        assert_eq!(split("app@sha256:ab"), p("app", None, Some("sha256:ab")));
        assert_eq!(split("@x"), p("", None, Some("x")));
    }

    #[test]
    fn qualifies_like_docker() {
        assert_eq!(qualify("alpine"), "docker.io/library/alpine");
        assert_eq!(qualify("acme/web"), "docker.io/acme/web");
        assert_eq!(qualify("Acme/Web"), "docker.io/Acme/Web");
        assert_eq!(qualify("ghcr.io/acme/web"), "ghcr.io/acme/web");
        assert_eq!(qualify("localhost:5000/web"), "localhost:5000/web");
        assert_eq!(qualify("localhost/web"), "localhost/web");
    }

    #[test]
    fn normalises_like_docker() {
        assert_eq!(r("alpine").repository, "docker.io/library/alpine");
        assert_eq!(r("alpine:3.11").tag.as_deref(), Some("3.11"));
        assert_eq!(r("org/app").repository, "docker.io/org/app");
        assert_eq!(r("ghcr.io/org/app:1").repository, "ghcr.io/org/app");
        assert_eq!(r("localhost:5000/app:1").repository, "localhost:5000/app");
        assert_eq!(r("localhost:5000/app").tag, None);
        assert_eq!(r("app@sha256:abc").digest.as_deref(), Some("sha256:abc"));
        assert_eq!(Reference::parse("  "), None);
        assert_eq!(Reference::parse("@sha256:abc"), None);
    }

    #[test]
    fn matching() {
        assert!(r("alpine").matches(&r("docker.io/library/alpine:latest")));
        assert!(r("alpine:3.11").matches(&r("alpine:3.11")));
        assert!(!r("alpine:3.11").matches(&r("alpine:3.12")));
        assert!(!r("alpine").matches(&r("debian")));
    }

    #[test]
    fn split_keeps_the_recorded_name() {
        assert_eq!(
            split_name_tag("localhost:5000/app:1.0"),
            ("localhost:5000/app", Some("1.0"))
        );
        assert_eq!(split_name_tag("alpine"), ("alpine", None));
        assert_eq!(split_name_tag("alpine:"), ("alpine", None));
        assert_eq!(
            split_name_tag("reg:5000/app:1@sha256:ab"),
            ("reg:5000/app", Some("1"))
        );
    }
}
