//! Integration tests: one binary (ripgrep's layout). Images are built in code
//! (`support::image`), never pulled.

mod cli;
mod real_tools;
mod samples;
mod sources;
mod support;
