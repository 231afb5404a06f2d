//! Renderers of a [`SbomDiff`](super::SbomDiff).
