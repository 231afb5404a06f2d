//! Integration tests: one binary, one module per area (ripgrep's layout). Images are built in
//! code (`support::image`), never pulled.

mod cli;
mod convert;
mod diff;
mod diff_polyglot;
mod encode;
mod real_tools;
mod samples;
mod scan;
mod score;
mod sources;
mod support;
