//! Where something was found: a path inside the image and the layer that put it there.

use std::fmt;

use serde::Serialize;

/// A file inside the image: its path (relative to the root, `/`-separated, no leading slash,
/// normalised: no `.`/`..` components) and the index of the layer (bottom = 0) whose copy of
/// the file is meant. For a directory source the single pseudo-layer is 0.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    /// Path relative to the image root, e.g. `var/lib/dpkg/status`.
    pub path: String,
    /// Index of the layer the file came from.
    pub layer: u32,
}

impl Location {
    /// A location in layer `layer`.
    pub fn new(path: impl Into<String>, layer: u32) -> Self {
        Location {
            path: path.into(),
            layer,
        }
    }

    /// The path as a container sees it, with a leading `/`.
    pub fn absolute(&self) -> String {
        format!("/{}", self.path)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "/{} (layer {})", self.path, self.layer)
    }
}
