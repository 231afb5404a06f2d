//! Image sources: docker-save archives, OCI layouts (directory or tar), root filesystem
//! directories and tar streams on stdin, each read layer by layer in one streaming pass.

pub mod config;
pub mod digest;

pub use config::ImageConfig;
pub use digest::Digest;
