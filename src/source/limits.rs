//! Limits that keep a hostile image from exhausting memory or time. Hitting one is an error
//! naming the blob and the limit ([`crate::Error::Limit`]), or, for a single oversized file, a
//! known unknown in the SBOM; never an out-of-memory kill.

/// Resource limits for reading an image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest file whose content is captured for a cataloger; larger wanted files are
    /// recorded as unknowns. Default 256 MiB (big rpmdb.sqlite files reach ~100 MiB).
    pub max_file_bytes: u64,
    /// All wanted files kept for one image, together; files past it are recorded as unknowns.
    /// Default 1 GiB.
    pub max_captured_bytes: u64,
    /// Most layers in one image. Default 1000 (overlayfs stops at 128).
    pub max_layers: usize,
    /// Largest uncompressed layer. Default 64 GiB.
    pub max_layer_bytes: u64,
    /// Largest metadata document (manifest.json, index.json, manifests, configs). Default 16 MiB.
    pub max_json_bytes: u64,
    /// Most entries in one layer. Default 10 million.
    pub max_entries: u64,
    /// Deepest nesting of image indexes. Default 8.
    pub max_index_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 256 << 20,
            max_captured_bytes: 1 << 30,
            max_layers: 1000,
            max_layer_bytes: 64 << 30,
            max_json_bytes: 16 << 20,
            max_entries: 10_000_000,
            max_index_depth: 8,
        }
    }
}
