//! Integration tests: one binary (ripgrep's layout). Images are built in code
//! (`support::image`), never pulled.

mod sources;
mod support;
