//! The data model: packages, their identity (purl), licenses, the SBOM that holds them and the
//! dependency graph that connects image, layers and packages.

pub mod document;
pub mod graph;
pub mod license;
pub mod ownership;
pub mod package;
pub mod purl;
pub mod resolve;
pub mod sbom;

pub use document::{DocumentFormat, DocumentInfo};
pub use graph::{DependencyGraph, DocEdge, DocNode, Node};
pub use license::License;
pub use package::{
    ApkMetadata, Checksum, DependencySpec, DpkgMetadata, Ecosystem, Evidence, HashAlgorithm,
    LanguageMetadata, Package, PackageId, PackageMetadata, Party, RpmMetadata, SourcePackage,
    Unknown,
};
pub use purl::{Purl, PurlParts, PurlSlices, percent_decoded};
pub use sbom::{
    BaseImage, ImageInfo, LayerInfo, Platform, Relationship, RelationshipKind, Sbom, Scope,
    SourceKind, Tool,
};
