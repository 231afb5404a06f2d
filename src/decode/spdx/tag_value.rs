//! SPDX tag-value (<https://spdx.github.io/spdx-spec/v2.3/conformance/>, the `.spdx` format)
//! into the same [`Document`] the JSON reader fills.
//!
//! A document is `Tag: value` lines; a value may span lines inside `<text>…</text>`; `#`
//! starts a comment line. `PackageName:` opens a package and the `Package…` tags that follow
//! belong to it; `FileName:`, `SnippetSPDXID:`, `LicenseID:` and `Annotator:` open the other
//! sections, whose tags are read only where consign uses them (extracted licenses,
//! annotations of packages). `Relationship: A TYPE B` may appear anywhere. Unknown tags are
//! ignored; a line that is not a tag is skipped.

use super::model::{
    Annotation, Checksum, CreationInfo, Document, ExternalRef, ExtractedLicense, Package,
    Relationship,
};

/// Which section the tags belong to.
enum Section {
    Document,
    Package,
    License,
    Annotation {
        target: Option<String>,
        comment: Option<String>,
    },
    Other,
}

/// `(tag, value)` pairs, multi-line `<text>` values joined.
fn pairs(text: &str) -> Vec<(&str, String)> {
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let line = line.trim_end_matches('\r');
        if line.trim_start().starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let Some((tag, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        let value = match value.strip_prefix("<text>") {
            Some(rest) => match rest.split_once("</text>") {
                Some((inner, _)) => inner.to_owned(),
                None => {
                    let mut v = rest.to_owned();
                    for more in lines.by_ref() {
                        match more.split_once("</text>") {
                            Some((inner, _)) => {
                                v.push('\n');
                                v.push_str(inner);
                                break;
                            }
                            None => {
                                v.push('\n');
                                v.push_str(more);
                            }
                        }
                    }
                    v
                }
            },
            None => value.to_owned(),
        };
        out.push((tag.trim(), value));
    }
    out
}

/// True when `text` looks like SPDX tag-value (an `SPDXVersion:` line).
pub(crate) fn looks_like(text: &str) -> bool {
    text.lines()
        .take(64)
        .any(|l| l.trim_start().starts_with("SPDXVersion:"))
}

/// Reads tag-value text. Never fails: what is not understood is skipped.
pub(crate) fn parse(text: &str) -> Document {
    let mut doc = Document::default();
    let mut creation = CreationInfo::default();
    let mut packages: Vec<Package> = Vec::new();
    let mut section = Section::Document;
    let mut annotations: Vec<(String, String)> = Vec::new();
    for (tag, value) in pairs(text) {
        let open = match tag {
            "PackageName" => Some(Section::Package),
            "FileName" | "SnippetSPDXID" => Some(Section::Other),
            "LicenseID" => Some(Section::License),
            "Annotator" => Some(Section::Annotation {
                target: None,
                comment: None,
            }),
            _ => None,
        };
        if let Some(next) = open {
            if let Section::Annotation {
                target: Some(t),
                comment: Some(c),
            } = std::mem::replace(&mut section, next)
            {
                annotations.push((t, c));
            }
            match section {
                Section::Package => packages.push(Package {
                    name: Some(value.clone()),
                    ..Package::default()
                }),
                Section::License => doc.has_extracted_licensing_infos.push(ExtractedLicense {
                    license_id: Some(value.clone()),
                    ..ExtractedLicense::default()
                }),
                _ => {}
            }
            continue;
        }
        if tag == "Relationship" {
            let mut f = value.split_whitespace();
            if let (Some(a), Some(kind), Some(z)) = (f.next(), f.next(), f.next()) {
                doc.relationships.push(Relationship {
                    spdx_element_id: Some(a.to_owned()),
                    relationship_type: Some(kind.to_owned()),
                    related_spdx_element: Some(z.to_owned()),
                });
            }
            continue;
        }
        let v = Some(value.clone()).filter(|v| !v.is_empty());
        match &mut section {
            Section::Document => match tag {
                "SPDXVersion" => doc.spdx_version = v,
                "DocumentName" => doc.name = v,
                "Creator" => creation.creators.push(value),
                "Created" => creation.created = v,
                "CreatorComment" => creation.comment = v,
                _ => {}
            },
            Section::Package => {
                if let Some(p) = packages.last_mut() {
                    package_tag(p, tag, v);
                }
            }
            Section::License => {
                if let Some(l) = doc.has_extracted_licensing_infos.last_mut() {
                    match tag {
                        "ExtractedText" => l.extracted_text = v,
                        "LicenseName" => l.name = v,
                        _ => {}
                    }
                }
            }
            Section::Annotation { target, comment } => match tag {
                "SPDXREF" => *target = v,
                "AnnotationComment" => *comment = v,
                _ => {}
            },
            Section::Other => {}
        }
    }
    if let Section::Annotation {
        target: Some(t),
        comment: Some(c),
    } = section
    {
        annotations.push((t, c));
    }
    for (target, comment) in annotations {
        if let Some(p) = packages
            .iter_mut()
            .find(|p| p.spdx_id.as_deref() == Some(target.as_str()))
        {
            p.annotations.push(Annotation {
                annotator: None,
                comment: Some(comment),
            });
        }
    }
    doc.creation_info = Some(creation);
    doc.packages = Some(packages);
    doc
}

fn package_tag(p: &mut Package, tag: &str, v: Option<String>) {
    match tag {
        "SPDXID" => p.spdx_id = v,
        "PackageVersion" => p.version_info = v,
        "PackageSupplier" => p.supplier = v,
        "PackageOriginator" => p.originator = v,
        "PackageLicenseDeclared" => p.license_declared = v,
        "PackageLicenseConcluded" => p.license_concluded = v,
        "PrimaryPackagePurpose" => p.primary_package_purpose = v,
        "PackageDescription" => p.description = v,
        "PackageHomePage" => p.homepage = v,
        "PackageSourceInfo" => p.source_info = v,
        "PackageComment" => p.comment = v,
        "PackageChecksum" => {
            if let Some((alg, value)) = v.as_deref().and_then(|v| v.split_once(':')) {
                p.checksums.push(Checksum {
                    algorithm: Some(alg.trim().to_owned()),
                    checksum_value: Some(value.trim().to_owned()),
                });
            }
        }
        "ExternalRef" => {
            let v = v.unwrap_or_default();
            let mut f = v.split_whitespace();
            if let (Some(cat), Some(ty), Some(loc)) = (f.next(), f.next(), f.next()) {
                p.external_refs.push(ExternalRef {
                    reference_category: Some(cat.to_owned()),
                    reference_type: Some(ty.to_owned()),
                    reference_locator: Some(loc.to_owned()),
                });
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "SPDXVersion: SPDX-2.3
DataLicense: CC0-1.0
SPDXID: SPDXRef-DOCUMENT
DocumentName: demo
Creator: Organization: Acme
Creator: Tool: demo-1.0
Created: 2024-01-01T00:00:00Z
CreatorComment: <text>Lifecycle phase: build.
Second line.</text>

# a comment line
PackageName: libc6
SPDXID: SPDXRef-libc6
PackageVersion: 2.36-9
PackageSupplier: Organization: Debian
PackageChecksum: SHA256: ABCDEF
PackageLicenseDeclared: LicenseRef-x AND MIT
ExternalRef: PACKAGE-MANAGER purl pkg:deb/debian/libc6@2.36-9?arch=amd64
PackageComment: <text>one
two</text>

FileName: ./etc/passwd
SPDXID: SPDXRef-file
PackageVersion: not-for-the-package

LicenseID: LicenseRef-x
ExtractedText: <text>Some text</text>
LicenseName: Some License

Annotator: Tool: demo-1.0
AnnotationDate: 2024-01-01T00:00:00Z
AnnotationType: OTHER
SPDXREF: SPDXRef-libc6
AnnotationComment: PkgType: debian

Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-libc6
Relationship: SPDXRef-libc6 DEPENDS_ON NONE
";

    #[test]
    fn reads_sections_multiline_text_and_relationships() {
        assert!(looks_like(DOC));
        let d = parse(DOC);
        assert_eq!(d.spdx_version.as_deref(), Some("SPDX-2.3"));
        let c = d.creation_info.unwrap();
        assert_eq!(c.creators, ["Organization: Acme", "Tool: demo-1.0"]);
        assert_eq!(
            c.comment.as_deref(),
            Some("Lifecycle phase: build.\nSecond line.")
        );
        let packages = d.packages.unwrap();
        assert_eq!(packages.len(), 1);
        let p = &packages[0];
        assert_eq!(p.version_info.as_deref(), Some("2.36-9"));
        assert_eq!(p.comment.as_deref(), Some("one\ntwo"));
        assert_eq!(p.checksums[0].checksum_value.as_deref(), Some("ABCDEF"));
        assert_eq!(
            p.external_refs[0].reference_locator.as_deref(),
            Some("pkg:deb/debian/libc6@2.36-9?arch=amd64")
        );
        assert_eq!(p.annotation("PkgType").collect::<Vec<_>>(), ["debian"]);
        assert_eq!(
            d.has_extracted_licensing_infos[0].name.as_deref(),
            Some("Some License")
        );
        assert_eq!(d.relationships.len(), 2);
        assert_eq!(
            d.relationships[1].related_spdx_element.as_deref(),
            Some("NONE")
        );
    }
}
