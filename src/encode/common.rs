//! Helpers every encoder shares: timestamps, content-derived UUIDs, JSON output, and the
//! human wording of layers and unknowns (so that CycloneDX, SPDX and the table describe the
//! same fact with the same words).

use serde::Serialize;
use sha2::{Digest as _, Sha256};

use crate::encode::Format;
use crate::model::{LayerInfo, Scope, SourceKind, Unknown};
use crate::{Error, Sbom};

/// An [`Error::Encode`] for `format`.
pub(crate) fn encode_error(format: &Format, reason: impl std::fmt::Display) -> Error {
    Error::Encode {
        format: format.to_string(),
        reason: reason.to_string(),
    }
}

/// `2024-03-01T12:00:00Z`: UTC with seconds precision. SPDX requires exactly this form
/// (jiff's `Display` would print fractional seconds, which pyspdxtools rejects), and CycloneDX
/// uses the same so that both documents of one scan carry the same time.
pub(crate) fn timestamp(ts: jiff::Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A UUID derived from `content`: the first 16 bytes of its SHA-256, with the version set to 8
/// and the RFC 4122 variant bits, as RFC 9562 (appendix B.2) suggests for name-based UUIDs
/// built on SHA-256. It is stable for equal content and changes whenever the content does,
/// which a random serial number cannot offer.
pub(crate) fn content_uuid(content: &[u8]) -> String {
    let digest = Sha256::digest(content);
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// A short, stable hash of `text` (16 hex digits of its SHA-256), used to make identifiers
/// unique without making them unreadable.
pub(crate) fn short_hash(text: &str) -> String {
    hex::encode(&Sha256::digest(text.as_bytes())[..8])
}

/// `doc` as pretty-printed JSON (two-space indent) with a trailing newline.
pub(crate) fn to_json<T: Serialize>(doc: &T, format: &Format) -> crate::Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(doc).map_err(|e| encode_error(format, e))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Replaces every character outside `[A-Za-z0-9.-]` with `-`: the alphabet SPDX allows in
/// `SPDXRef-` and `LicenseRef-` identifiers. Keeps length and positions, so distinct inputs
/// can collide; callers that need uniqueness add a hash.
pub(crate) fn sanitize_id(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// `layer 1 (sha256:…)`: a layer by index, with its diff_id (or blob digest) when known.
pub(crate) fn layer_label(sbom: &Sbom, index: u32) -> String {
    match sbom.layers.get(index as usize).and_then(|l| l.id()) {
        Some(id) => format!("layer {index} ({id})"),
        None => format!("layer {index}"),
    }
}

/// The history step that made a layer, with every secret cut out ([`crate::redact`]): build
/// arguments and commands in `created_by` can hold tokens, and an SBOM is published, signed
/// and attached to the image. Every encoder writes the step through this.
pub(crate) fn layer_step(l: &LayerInfo) -> Option<String> {
    l.created_by.as_deref().map(crate::redact::redact)
}

/// One line naming an unknown: where, in which layer, why, and who hit it.
/// `/var/lib/dpkg/status.d/x (layer 1 (sha256:…)): reason [dpkg-db-cataloger]`.
pub(crate) fn describe_unknown(sbom: &Sbom, u: &Unknown) -> String {
    match &u.location {
        Some(loc) => format!(
            "{} in {}: {} [{}]",
            loc.absolute(),
            layer_label(sbom, loc.layer),
            u.reason,
            u.source
        ),
        None => format!("{} [{}]", u.reason, u.source),
    }
}

/// How the image was stored, as the CLI spells it (`docker-archive`, `oci-dir`, …).
pub(crate) fn source_kind_name(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::DockerArchive => "docker-archive",
        SourceKind::OciDir => "oci-dir",
        SourceKind::OciArchive => "oci-archive",
        SourceKind::Directory => "directory",
        SourceKind::Document => "sbom-document",
        SourceKind::Registry => "registry",
    }
}

/// The source kind [`source_kind_name`] spells `name`, for reading consign's documents back.
pub(crate) fn source_kind_from_name(name: &str) -> Option<SourceKind> {
    [
        SourceKind::DockerArchive,
        SourceKind::OciDir,
        SourceKind::OciArchive,
        SourceKind::Directory,
        SourceKind::Document,
        SourceKind::Registry,
    ]
    .into_iter()
    .find(|k| source_kind_name(*k) == name)
}

/// `squashed` or `all-layers`, as the CLI spells the scope.
pub(crate) fn scope_name(scope: Scope) -> &'static str {
    match scope {
        Scope::Squashed => "squashed",
        Scope::AllLayers => "all-layers",
    }
}

/// Joins SPDX expressions with `AND`; an operand containing `OR` gets parentheses, since
/// `AND` binds tighter (the same rule as [`Package::license_expression`](crate::Package::license_expression)).
pub(crate) fn join_and<S: AsRef<str>>(exprs: &[S]) -> String {
    if let [one] = exprs {
        return one.as_ref().to_owned();
    }
    exprs
        .iter()
        .map(|e| {
            let e = e.as_ref();
            if e.contains(" OR ") {
                format!("({e})")
            } else {
                e.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// `text` when it is an http(s) URL made only of characters a URI may hold unescaped. Home
/// page fields are free text in package databases; CycloneDX wants an `iri-reference` and
/// SPDX a URL, so anything else is left out rather than emitted invalid.
pub(crate) fn web_url(text: &str) -> Option<String> {
    let text = text.trim();
    let ok = (text.starts_with("https://") || text.starts_with("http://"))
        && text.len() > "https://".len()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=%".contains(&b));
    ok.then(|| text.to_owned())
}

/// `text` sanitised with [`sanitize_id`], with runs of `-` collapsed and none at either end:
/// a readable slug for URIs and `LicenseRef-`s. Empty when nothing usable remains.
pub(crate) fn slug(text: &str) -> String {
    sanitize_id(text)
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_have_seconds_precision() {
        let ts: jiff::Timestamp = "2024-03-01T12:00:00.123456789Z".parse().unwrap();
        assert_eq!(timestamp(ts), "2024-03-01T12:00:00Z");
    }

    #[test]
    fn content_uuids_are_stable_version_8() {
        let a = content_uuid(b"one");
        assert_eq!(a, content_uuid(b"one"));
        assert_ne!(a, content_uuid(b"two"));
        assert_eq!(a.len(), 36);
        // Version nibble and variant bits.
        assert_eq!(&a[14..15], "8");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"));
        assert!(a.bytes().all(|c| c == b'-' || c.is_ascii_hexdigit()));
        assert_eq!(a, a.to_ascii_lowercase());
    }

    #[test]
    fn joins_with_parentheses_only_where_needed() {
        assert_eq!(join_and(&["MIT"]), "MIT");
        assert_eq!(join_and(&["A OR B"]), "A OR B");
        assert_eq!(
            join_and(&["MIT", "A OR B", "GPL-2.0-only WITH X", "LicenseRef-y"]),
            "MIT AND (A OR B) AND GPL-2.0-only WITH X AND LicenseRef-y"
        );
    }

    #[test]
    fn urls_must_be_well_formed() {
        assert_eq!(
            web_url(" https://www.gnu.org/software/libc/ ").as_deref(),
            Some("https://www.gnu.org/software/libc/")
        );
        assert_eq!(web_url("www.example.org"), None);
        assert_eq!(web_url("https://example.org/a b"), None);
        assert_eq!(web_url("https://"), None);
    }

    #[test]
    fn sanitizes_identifiers() {
        assert_eq!(sanitize_id("libstdc++6"), "libstdc--6");
        assert_eq!(sanitize_id("a.b-C_d/e f"), "a.b-C-d-e-f");
        assert_eq!(short_hash("x").len(), 16);
        assert_eq!(slug("rootfs/"), "rootfs");
        assert_eq!(slug("--a  b--"), "a-b");
        assert_eq!(slug("/"), "");
    }
}
