//! The SBOM readers of `diff` and `convert` (CycloneDX JSON/XML, SPDX JSON/tag-value); a
//! document that decodes is written back out as CycloneDX and SPDX, as `convert` does.
#![no_main]
use consign::encode::{CdxVersion, EncodeOptions, Format, encode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(sbom) = consign::decode::decode(data, "fuzz.json") else {
        return;
    };
    let opts = EncodeOptions {
        created: jiff::Timestamp::UNIX_EPOCH,
    };
    for format in [Format::CycloneDxJson(CdxVersion::V1_6), Format::SpdxJson] {
        let _ = encode(&sbom, &format, &opts, &mut std::io::sink());
    }
});
