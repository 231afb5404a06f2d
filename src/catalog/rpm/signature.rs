//! Who signed a package: the OpenPGP signature rpm copies into the installed header
//! (`RSAHEADER`/`DSAHEADER` over the header, or the older `SIGPGP`/`SIGGPG` over header and
//! payload), reduced to what `rpm -qi` shows: algorithm, creation time and issuer key id.
//! Nothing is verified; the key id says which distribution key the package claims.
//!
//! A signature is one OpenPGP signature packet (RFC 4880 §4.2 packet framing, §5.2 version 3
//! and 4 signatures; the issuer comes from subpacket 16, or the last 8 bytes of a v4 issuer
//! fingerprint, subpacket 33). Anything else yields no signature, never an error: the package
//! is still the package. Format: <https://www.rfc-editor.org/rfc/rfc4880#section-5.2>.

/// Header tags holding a signature, in the order `rpm -qi` prefers them.
const SIGNATURE_TAGS: [u32; 4] = [268, 267, 259, 262];
/// Packet tag of a signature.
const SIGNATURE_PACKET: u8 = 2;

/// The fields of a package signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Signature {
    /// `RSA/SHA256`, `EdDSA/SHA512`: public-key and hash algorithm, as rpm names them.
    pub algorithm: String,
    /// Issuer key id, 16 lowercase hex digits.
    pub key_id: Option<String>,
    /// Creation time, Unix seconds.
    pub created: Option<i64>,
}

/// The first signature tag of `tags` (tag → bytes) that parses.
pub(crate) fn from_tags<'a>(get: impl Fn(u32) -> Option<&'a [u8]>) -> Option<Signature> {
    SIGNATURE_TAGS.iter().find_map(|&t| get(t).and_then(parse))
}

fn be(b: &[u8]) -> u32 {
    b.iter().fold(0, |n, &x| (n << 8) | u32::from(x))
}

/// Parses one signature packet.
pub(crate) fn parse(packet: &[u8]) -> Option<Signature> {
    let (&tag, rest) = packet.split_first()?;
    if tag & 0x80 == 0 {
        return None;
    }
    let (ptype, len_bytes, len): (u8, usize, usize) = if tag & 0x40 != 0 {
        // New format: one to five length octets; partial lengths are not used for signatures.
        let ptype = tag & 0x3f;
        match *rest.first()? {
            l @ 0..=191 => (ptype, 1, usize::from(l)),
            l @ 192..=223 => {
                let l1 = *rest.get(1)?;
                (
                    ptype,
                    2,
                    ((usize::from(l) - 192) << 8) + usize::from(l1) + 192,
                )
            }
            255 => (ptype, 5, be(rest.get(1..5)?) as usize),
            _ => return None,
        }
    } else {
        let ptype = (tag >> 2) & 0x0f;
        match tag & 3 {
            0 => (ptype, 1, be(rest.get(..1)?) as usize),
            1 => (ptype, 2, be(rest.get(..2)?) as usize),
            2 => (ptype, 4, be(rest.get(..4)?) as usize),
            _ => (ptype, 0, rest.len()),
        }
    };
    if ptype != SIGNATURE_PACKET {
        return None;
    }
    let body = rest.get(len_bytes..len_bytes.checked_add(len)?)?;
    match *body.first()? {
        3 => v3(body),
        4 => v4(body),
        _ => None,
    }
}

/// Version 3: fixed fields.
fn v3(body: &[u8]) -> Option<Signature> {
    if *body.get(1)? != 5 {
        return None;
    }
    Some(Signature {
        created: Some(i64::from(be(body.get(3..7)?))),
        key_id: Some(hex::encode(body.get(7..15)?)),
        algorithm: algorithm(*body.get(15)?, *body.get(16)?),
    })
}

/// Version 4: the fields live in hashed and unhashed subpackets.
fn v4(body: &[u8]) -> Option<Signature> {
    let algorithm = algorithm(*body.get(2)?, *body.get(3)?);
    let hashed_len = be(body.get(4..6)?) as usize;
    let hashed = body.get(6..6 + hashed_len)?;
    let at = 6 + hashed_len;
    let unhashed_len = be(body.get(at..at + 2)?) as usize;
    let unhashed = body.get(at + 2..at + 2 + unhashed_len)?;
    let mut sig = Signature {
        algorithm,
        key_id: None,
        created: None,
    };
    for area in [hashed, unhashed] {
        subpackets(area, &mut sig)?;
    }
    Some(sig)
}

/// Reads creation time and issuer from a subpacket area.
fn subpackets(mut area: &[u8], sig: &mut Signature) -> Option<()> {
    while let Some(&first) = area.first() {
        let (len_bytes, len): (usize, usize) = match first {
            0..=191 => (1, usize::from(first)),
            192..=254 => (
                2,
                ((usize::from(first) - 192) << 8) + usize::from(*area.get(1)?) + 192,
            ),
            255 => (5, be(area.get(1..5)?) as usize),
        };
        let sub = area.get(len_bytes..len_bytes.checked_add(len)?)?;
        area = area.get(len_bytes + len..)?;
        let Some((&ty, data)) = sub.split_first() else {
            continue;
        };
        // The high bit only marks the subpacket critical.
        match ty & 0x7f {
            2 if data.len() == 4 => sig.created = Some(i64::from(be(data))),
            16 if data.len() == 8 => sig.key_id = Some(hex::encode(data)),
            // A v4 fingerprint's key id is its last 8 bytes; the issuer subpacket wins.
            33 if data.len() == 21 && data.first() == Some(&4) && sig.key_id.is_none() => {
                sig.key_id = data.get(13..).map(hex::encode);
            }
            _ => {}
        }
    }
    Some(())
}

/// rpm's names for OpenPGP algorithm numbers (RFC 4880 §9.1, §9.4; RFC 9580 for EdDSA).
fn algorithm(pubkey: u8, hash: u8) -> String {
    let p = match pubkey {
        1..=3 => "RSA",
        17 => "DSA",
        19 => "ECDSA",
        22 | 27 => "EdDSA",
        _ => "unknown",
    };
    let h = match hash {
        1 => "MD5",
        2 => "SHA1",
        8 => "SHA256",
        9 => "SHA384",
        10 => "SHA512",
        11 => "SHA224",
        12 => "SHA3-256",
        14 => "SHA3-512",
        _ => "unknown",
    };
    format!("{p}/{h}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A v4 RSA/SHA256 signature packet, old-format framing, with the given subpackets.
    fn v4_packet(hashed: &[u8], unhashed: &[u8]) -> Vec<u8> {
        let mut body = vec![4, 0x00, 1, 8];
        body.extend_from_slice(&(hashed.len() as u16).to_be_bytes());
        body.extend_from_slice(hashed);
        body.extend_from_slice(&(unhashed.len() as u16).to_be_bytes());
        body.extend_from_slice(unhashed);
        body.extend_from_slice(&[0xab, 0xcd, 0, 0]); // hash prefix, empty MPI
        let mut p = vec![0x89];
        p.extend_from_slice(&(body.len() as u16).to_be_bytes());
        p.extend(body);
        p
    }

    #[test]
    fn v4_issuer_and_time() {
        let hashed = [5, 2, 0x64, 0x2b, 0x15, 0x9f];
        let unhashed = [9, 16, 0x19, 0x9e, 0x2f, 0x91, 0xfd, 0x43, 0x1d, 0x51];
        let sig = parse(&v4_packet(&hashed, &unhashed)).unwrap();
        assert_eq!(
            sig,
            Signature {
                algorithm: "RSA/SHA256".into(),
                key_id: Some("199e2f91fd431d51".into()),
                created: Some(1_680_545_183),
            }
        );
        // Only a v4 fingerprint: its last 8 bytes.
        let mut fp = vec![22, 33, 4];
        fp.extend((0u8..20).collect::<Vec<_>>());
        let sig = parse(&v4_packet(&fp, &[])).unwrap();
        assert_eq!(sig.key_id.as_deref(), Some("0c0d0e0f10111213"));
    }

    #[test]
    fn v3_and_new_format_framing() {
        let mut body = vec![3, 5, 0x00, 0x64, 0x2b, 0x15, 0x9f];
        body.extend_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8, 17, 2]);
        let mut p = vec![0xc2, body.len() as u8];
        p.extend(body);
        let sig = parse(&p).unwrap();
        assert_eq!(sig.algorithm, "DSA/SHA1");
        assert_eq!(sig.key_id.as_deref(), Some("0102030405060708"));
    }

    #[test]
    fn garbage_is_no_signature() {
        let good = v4_packet(&[5, 2, 0, 0, 0, 1], &[]);
        for cut in 0..good.len() - 4 {
            assert_eq!(parse(&good[..cut]), None, "cut {cut}");
        }
        assert_eq!(parse(&[0x99, 0, 1, 4]), None, "a public-key packet");
        assert_eq!(parse(&[0x89, 0xff, 0xff]), None);
        // A subpacket claiming more than its area.
        assert_eq!(parse(&v4_packet(&[200, 2, 0], &[])), None);
        assert_eq!(from_tags(|_| None), None);
    }
}
