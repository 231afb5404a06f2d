//! Integration tests: one binary, one module per area (ripgrep's layout). Images are built in
//! code (`support::image`), never pulled.

mod attest_cli;
mod audit;
mod audit_cli;
mod audit_real;
mod audit_review;
mod audit_rules;
mod audit_secrets;
mod batch;
mod ci_files;
mod cli;
mod conventions;
mod convert;
mod defaults;
mod diff;
mod diff_polyglot;
mod encode;
mod hostile;
mod interop;
mod lang_go_rust;
mod lang_jvm_more;
mod lang_mixed;
mod lang_npm;
mod lang_python;
mod oci_registry;
mod own_image;
mod pipeline;
mod real_registry;
mod real_tools;
mod samples;
mod scan;
mod score;
mod sources;
mod streams;
mod support;
