//! Image references (`alpine`, `alpine:3.19`, `ghcr.io/org/app:1.2@sha256:…`) as Docker
//! normalises them, for matching `--image` against the names an archive records.

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
    /// Parses and normalises a reference the way the Docker CLI does: no registry means
    /// `docker.io`, a single path component means `library/`.
    pub fn parse(s: &str) -> Option<Reference> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        let (rest, digest) = match s.split_once('@') {
            Some((r, d)) => (r, Some(d.to_owned())),
            None => (s, None),
        };
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => (
                &rest[..last_slash + i],
                Some(rest[last_slash + i + 1..].to_owned()),
            ),
            None => (rest, None),
        };
        if name.is_empty() {
            return None;
        }
        let first = name.split('/').next().unwrap_or("");
        let has_registry = name.contains('/')
            && (first.contains('.') || first.contains(':') || first == "localhost");
        let repository = if has_registry {
            name.to_owned()
        } else if name.contains('/') {
            format!("docker.io/{name}")
        } else {
            format!("docker.io/library/{name}")
        };
        Some(Reference {
            repository: repository.to_ascii_lowercase(),
            tag,
            digest,
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
/// keeping the name as recorded (not normalised) for display.
pub fn split_name_tag(recorded: &str) -> (String, Option<String>) {
    let rest = recorded.split('@').next().unwrap_or(recorded);
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    match rest[last_slash..].rfind(':') {
        Some(i) => (
            rest[..last_slash + i].to_owned(),
            Some(rest[last_slash + i + 1..].to_owned()),
        ),
        None => (rest.to_owned(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> Reference {
        Reference::parse(s).unwrap()
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
            ("localhost:5000/app".into(), Some("1.0".into()))
        );
        assert_eq!(split_name_tag("alpine"), ("alpine".into(), None));
    }
}
