//! Recognising an SBOM document and the image it describes, so an attestation's subject can
//! be taken from the SBOM itself.
//!
//! The subject of an image attestation is the image **manifest** digest (what a registry, cosign
//! and `docker pull NAME@DIGEST` name), never the config digest. Where the documents record it:
//! - consign CycloneDX: the `consign:image:manifestDigest` property of `metadata.component`;
//!   consign SPDX: the `manifest digest: …` line of the image package's comment.
//! - Trivy CycloneDX: the `aquasecurity:trivy:RepoDigest` property (`name@sha256:…`).
//! - Syft and others: a `pkg:oci/…@sha256:…` purl on the described component/package (the oci
//!   purl's version is the manifest digest by definition) — unless the document itself names
//!   that digest as the config digest (`consign:image:configDigest`,
//!   `aquasecurity:trivy:ImageID`, consign SPDX's `config digest: …` line): earlier consign
//!   builds wrote a classic `docker save` image's config digest into its purl.
//!
//! When none is found the caller must name the image (`--image NAME@DIGEST`).

use serde_json::Value;

use super::statement::{PREDICATE_CYCLONEDX, PREDICATE_SPDX};
use crate::model::Purl;
use crate::source::{Digest, reference};

/// The SBOM formats consign attests and attaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SbomKind {
    /// CycloneDX JSON.
    CycloneDx,
    /// SPDX 2.x JSON.
    Spdx,
}

impl SbomKind {
    /// The in-toto predicate type.
    pub fn predicate_type(self) -> &'static str {
        match self {
            SbomKind::CycloneDx => PREDICATE_CYCLONEDX,
            SbomKind::Spdx => PREDICATE_SPDX,
        }
    }

    /// The IANA media type, used as the OCI artifactType when the SBOM is attached.
    pub fn media_type(self) -> &'static str {
        match self {
            SbomKind::CycloneDx => "application/vnd.cyclonedx+json",
            SbomKind::Spdx => "application/spdx+json",
        }
    }

    /// The kind a media type or predicate type names (`…cyclonedx…`, `…spdx…`).
    pub fn from_type(t: &str) -> Option<SbomKind> {
        let t = t.to_ascii_lowercase();
        if t.contains("cyclonedx") {
            Some(SbomKind::CycloneDx)
        } else if t.contains("spdx") {
            Some(SbomKind::Spdx)
        } else {
            None
        }
    }
}

/// What an SBOM document says about itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SbomInfo {
    /// The format.
    pub kind: SbomKind,
    /// The described image's name (repository), when recorded.
    pub image_name: Option<String>,
    /// The described image's manifest digest, when recorded.
    pub manifest_digest: Option<Digest>,
}

/// Recognises a CycloneDX or SPDX JSON document.
pub fn inspect(doc: &Value) -> Result<SbomInfo, String> {
    if doc.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
        let c = doc.pointer("/metadata/component");
        let name = c.and_then(|c| c.get("name")).and_then(Value::as_str);
        let props = c
            .and_then(|c| c.get("properties"))
            .and_then(Value::as_array);
        let prop = |key: &str| {
            props?
                .iter()
                .find(|p| p.get("name").and_then(Value::as_str) == Some(key))?
                .get("value")?
                .as_str()
        };
        let config: Option<Digest> = prop("consign:image:configDigest")
            .or_else(|| prop("aquasecurity:trivy:ImageID"))
            .and_then(|d| d.parse().ok());
        let digest = prop("consign:image:manifestDigest")
            .and_then(|d| d.parse().ok())
            .or_else(|| {
                let repo_digest = prop("aquasecurity:trivy:RepoDigest")?;
                reference::split(repo_digest).digest?.parse().ok()
            })
            .or_else(|| {
                oci_purl_digest(c?.get("purl")?.as_str()?).filter(|d| Some(d) != config.as_ref())
            });
        return Ok(SbomInfo {
            kind: SbomKind::CycloneDx,
            image_name: name.map(str::to_owned),
            manifest_digest: digest,
        });
    }
    let spdx = doc
        .get("spdxVersion")
        .and_then(Value::as_str)
        .is_some_and(|v| v.starts_with("SPDX-"));
    if spdx {
        let described = described_spdx_package(doc);
        let name = described
            .and_then(|p| p.get("name"))
            .and_then(Value::as_str);
        let comment = described
            .and_then(|p| p.get("comment"))
            .and_then(Value::as_str);
        let comment_digest = |prefix: &str| -> Option<Digest> {
            comment?
                .lines()
                .find_map(|l| l.strip_prefix(prefix))
                .and_then(|d| d.trim().parse().ok())
        };
        let from_comment = comment_digest("manifest digest: ");
        let config = comment_digest("config digest: ");
        let from_purl = || {
            described?
                .get("externalRefs")?
                .as_array()?
                .iter()
                .filter(|r| r.get("referenceType").and_then(Value::as_str) == Some("purl"))
                .find_map(|r| oci_purl_digest(r.get("referenceLocator")?.as_str()?))
                .filter(|d| Some(d) != config.as_ref())
        };
        return Ok(SbomInfo {
            kind: SbomKind::Spdx,
            image_name: name.map(str::to_owned),
            manifest_digest: from_comment.or_else(from_purl),
        });
    }
    Err("not a CycloneDX or SPDX JSON document (no bomFormat \"CycloneDX\" or spdxVersion)".into())
}

/// The SPDX package the document DESCRIBES (the first one that is a container, else the first).
fn described_spdx_package(doc: &Value) -> Option<&Value> {
    let packages = doc.get("packages")?.as_array()?;
    let mut ids: Vec<&str> = doc
        .get("documentDescribes")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    for r in doc
        .get("relationships")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if r.get("spdxElementId").and_then(Value::as_str) == Some("SPDXRef-DOCUMENT")
            && r.get("relationshipType").and_then(Value::as_str) == Some("DESCRIBES")
            && let Some(id) = r.get("relatedSpdxElement").and_then(Value::as_str)
        {
            ids.push(id);
        }
    }
    let described: Vec<&Value> = packages
        .iter()
        .filter(|p| {
            p.get("SPDXID")
                .and_then(Value::as_str)
                .is_some_and(|id| ids.contains(&id))
        })
        .collect();
    described
        .iter()
        .find(|p| p.get("primaryPackagePurpose").and_then(Value::as_str) == Some("CONTAINER"))
        .or(described.first())
        .copied()
}

/// The digest of a `pkg:oci/NAME@DIGEST?…` purl (the version decoded, so `sha256%3A…` too).
fn oci_purl_digest(purl: &str) -> Option<Digest> {
    let parts = purl.parse::<Purl>().ok()?.parts()?;
    if parts.ty != "oci" {
        return None;
    }
    parts.version?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn hex(c: char) -> String {
        c.to_string().repeat(64)
    }

    #[test]
    fn consign_cyclonedx() {
        let doc = json!({"bomFormat": "CycloneDX", "metadata": {"component": {
        "name": "localhost:5000/app",
        "purl": format!("pkg:oci/app@sha256:{}", hex('c')),
        "properties": [
            {"name": "consign:image:configDigest", "value": format!("sha256:{}", hex('b'))},
            {"name": "consign:image:manifestDigest", "value": format!("sha256:{}", hex('a'))}
        ]}}});
        let info = inspect(&doc).unwrap();
        assert_eq!(info.kind, SbomKind::CycloneDx);
        assert_eq!(info.image_name.as_deref(), Some("localhost:5000/app"));
        assert_eq!(info.manifest_digest.unwrap().hex(), hex('a'));
    }

    #[test]
    fn trivy_and_purl_fallbacks() {
        let trivy = json!({"bomFormat": "CycloneDX", "metadata": {"component": {
            "name": "alpine:3.19", "properties": [
                {"name": "aquasecurity:trivy:RepoDigest", "value": format!("alpine@sha256:{}", hex('d'))}]}}});
        assert_eq!(
            inspect(&trivy).unwrap().manifest_digest.unwrap().hex(),
            hex('d')
        );
        let syft = json!({"bomFormat": "CycloneDX", "metadata": {"component": {
            "name": "app", "purl": format!("pkg:oci/app@sha256%3A{}?tag=1", hex('e'))}}});
        assert_eq!(
            inspect(&syft).unwrap().manifest_digest.unwrap().hex(),
            hex('e')
        );
        let none = json!({"bomFormat": "CycloneDX", "metadata": {}});
        assert_eq!(inspect(&none).unwrap().manifest_digest, None);
    }

    // See: the review of issue 6. consign used to write a classic `docker save` image's
    // config digest into its oci purl; a digest the document itself names as the config
    // digest (consign's or Trivy's property, consign's SPDX comment) is never the subject.
    #[test]
    fn a_config_digest_in_the_purl_is_not_the_manifest_digest() {
        let config = format!("sha256:{}", hex('c'));
        let purl = format!("pkg:oci/bad@{config}?repository_url=docker.io%2Flibrary%2Fbad&tag=1");
        let old_consign = json!({"bomFormat": "CycloneDX", "metadata": {"component": {
            "name": "bad", "version": "1", "purl": purl,
            "properties": [{"name": "consign:image:configDigest", "value": config}]}}});
        let info = inspect(&old_consign).unwrap();
        assert_eq!(info.image_name.as_deref(), Some("bad"));
        assert_eq!(info.manifest_digest, None);
        let trivy = json!({"bomFormat": "CycloneDX", "metadata": {"component": {
            "name": "bad:1", "purl": purl,
            "properties": [{"name": "aquasecurity:trivy:ImageID", "value": config}]}}});
        assert_eq!(inspect(&trivy).unwrap().manifest_digest, None);
        let spdx = json!({"spdxVersion": "SPDX-2.3", "packages": [
            {"SPDXID": "SPDXRef-Image", "name": "bad", "primaryPackagePurpose": "CONTAINER",
             "comment": format!("source: docker-archive\nconfig digest: {config}"),
             "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                "referenceLocator": purl}]}
        ], "documentDescribes": ["SPDXRef-Image"]});
        assert_eq!(inspect(&spdx).unwrap().manifest_digest, None);
    }

    #[test]
    fn only_oci_purls_with_a_digest_name_the_image() {
        for purl in [
            format!("pkg:docker/app@sha256:{}", hex('a')),
            "pkg:oci/app@latest".to_owned(),
            "pkg:oci/app".to_owned(),
            "not a purl".to_owned(),
        ] {
            let doc = json!({"bomFormat": "CycloneDX", "metadata": {"component": {
                "name": "app", "purl": purl}}});
            assert_eq!(inspect(&doc).unwrap().manifest_digest, None, "{purl}");
        }
    }

    #[test]
    fn consign_spdx() {
        let doc = json!({"spdxVersion": "SPDX-2.3", "packages": [
            {"SPDXID": "SPDXRef-Package-x", "name": "x"},
            {"SPDXID": "SPDXRef-Image", "name": "reg/app", "primaryPackagePurpose": "CONTAINER",
             "comment": format!("source: oci-dir\nmanifest digest: sha256:{}\nconfig digest: sha256:{}", hex('1'), hex('2'))}
        ], "relationships": [{"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES",
            "relatedSpdxElement": "SPDXRef-Image"}]});
        let info = inspect(&doc).unwrap();
        assert_eq!(info.kind, SbomKind::Spdx);
        assert_eq!(info.image_name.as_deref(), Some("reg/app"));
        assert_eq!(info.manifest_digest.unwrap().hex(), hex('1'));
    }

    #[test]
    fn other_documents_are_refused() {
        assert!(inspect(&json!({"hello": 1})).is_err());
        assert_eq!(SbomKind::from_type("text/spdx+json"), Some(SbomKind::Spdx));
        assert_eq!(
            SbomKind::from_type("application/vnd.cyclonedx+json"),
            Some(SbomKind::CycloneDx)
        );
        assert_eq!(SbomKind::from_type("application/json"), None);
    }
}
