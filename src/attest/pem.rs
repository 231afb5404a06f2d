//! PEM armor (RFC 7468): the `-----BEGIN LABEL-----` text wrapping of DER documents that key
//! files use. Only the framing and base64 live here; what the DER means is [`super::key`]'s
//! business.
//!
//! Spec: <https://www.rfc-editor.org/rfc/rfc7468>.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// One PEM block: its label (`PRIVATE KEY`, `PUBLIC KEY`, …) and DER contents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// The label between `BEGIN ` and the dashes.
    pub label: String,
    /// The decoded contents.
    pub der: Vec<u8>,
}

/// Writes `der` as a PEM block with 64-character lines, as OpenSSL does.
pub fn encode(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        // base64 output is ASCII, so every chunk is valid UTF-8.
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// Reads the PEM blocks in `text`, ignoring text between blocks (OpenSSL's explanatory
/// lines). Headers inside a block (`Proc-Type:`, the legacy encrypted-key format) make it an
/// error, as does a block whose END label does not match its BEGIN label.
pub fn decode_all(text: &str) -> Result<Vec<Block>, String> {
    let mut blocks = Vec::new();
    let mut lines = text.lines().map(str::trim);
    while let Some(line) = lines.next() {
        let Some(label) = line
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
        else {
            continue;
        };
        let end = format!("-----END {label}-----");
        let mut body = String::new();
        let mut closed = false;
        for l in lines.by_ref() {
            if l == end {
                closed = true;
                break;
            }
            if l.contains(':') {
                return Err(format!(
                    "the {label} block has headers ({l}); legacy encrypted PEM is not supported"
                ));
            }
            body.push_str(l);
        }
        if !closed {
            return Err(format!("the {label} block has no matching END line"));
        }
        let der = STANDARD
            .decode(body.as_bytes())
            .map_err(|e| format!("the {label} block is not valid base64: {e}"))?;
        blocks.push(Block {
            label: label.to_owned(),
            der,
        });
    }
    Ok(blocks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_with_64_column_lines() {
        let der: Vec<u8> = (0..=200u8).collect();
        let pem = encode("PUBLIC KEY", &der);
        assert!(pem.lines().all(|l| l.len() <= 64));
        assert_eq!(pem.lines().count(), 2 + 268usize.div_ceil(64));
        let blocks = decode_all(&format!("comment\n{pem}trailer\n")).unwrap();
        assert_eq!(
            blocks,
            vec![Block {
                label: "PUBLIC KEY".into(),
                der
            }]
        );
    }

    #[test]
    fn rejects_broken_blocks() {
        assert!(decode_all("-----BEGIN X-----\nAAAA\n").is_err());
        assert!(decode_all("-----BEGIN X-----\n!!!!\n-----END X-----\n").is_err());
        assert!(decode_all("-----BEGIN X-----\nAAAA\n-----END Y-----\n").is_err());
        let legacy = "-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\nAAAA\n-----END EC PRIVATE KEY-----\n";
        assert!(decode_all(legacy).unwrap_err().contains("legacy encrypted"));
        assert_eq!(decode_all("no pem here").unwrap(), vec![]);
    }
}
