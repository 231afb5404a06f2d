//! Test helpers: rpm header blobs built by hand, as rpm stores them in its databases.

/// A tag value to encode.
pub(crate) enum V<'s> {
    S(&'s str),
    A(&'s [&'s str]),
    I32(&'s [u32]),
    I64(&'s [u64]),
    I16(&'s [u16]),
    I8(&'s [u8]),
    Bin(&'s [u8]),
    I18n(&'s [&'s str]),
}

/// Encodes `tags` as a stored header with an immutable region covering all of them, the
/// way rpm writes headers into its databases.
pub(crate) fn blob(tags: &[(u32, V<'_>)]) -> Vec<u8> {
    let mut index: Vec<[u32; 4]> = Vec::new();
    let mut data: Vec<u8> = Vec::new();
    for (tag, v) in tags {
        let align = match v {
            V::I16(_) => 2,
            V::I32(_) => 4,
            V::I64(_) => 8,
            _ => 1,
        };
        while !data.len().is_multiple_of(align) {
            data.push(0);
        }
        let offset = data.len() as u32;
        let strings = |data: &mut Vec<u8>, a: &[&str]| {
            for s in a {
                data.extend_from_slice(s.as_bytes());
                data.push(0);
            }
        };
        let (ty, count) = match v {
            V::S(s) => {
                strings(&mut data, &[s]);
                (6, 1)
            }
            V::A(a) => {
                strings(&mut data, a);
                (8, a.len())
            }
            V::I18n(a) => {
                strings(&mut data, a);
                (9, a.len())
            }
            V::I32(a) => {
                a.iter()
                    .for_each(|x| data.extend_from_slice(&x.to_be_bytes()));
                (4, a.len())
            }
            V::I64(a) => {
                a.iter()
                    .for_each(|x| data.extend_from_slice(&x.to_be_bytes()));
                (5, a.len())
            }
            V::I16(a) => {
                a.iter()
                    .for_each(|x| data.extend_from_slice(&x.to_be_bytes()));
                (3, a.len())
            }
            V::I8(a) => {
                data.extend_from_slice(a);
                (2, a.len())
            }
            V::Bin(a) => {
                data.extend_from_slice(a);
                (7, a.len())
            }
        };
        index.push([*tag, ty, offset, count as u32]);
    }
    // Region tag first, trailer at the end of the data.
    let ril = index.len() as u32 + 1;
    let trailer_at = data.len() as u32;
    for x in [63u32, 7, (-(ril as i32 * 16)) as u32, 16] {
        data.extend_from_slice(&x.to_be_bytes());
    }
    index.insert(0, [63, 7, trailer_at, 16]);
    raw(&index, &data)
}

/// Encodes an index and data verbatim.
pub(crate) fn raw(index: &[[u32; 4]], data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&(index.len() as u32).to_be_bytes());
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    for e in index {
        for x in e {
            out.extend_from_slice(&x.to_be_bytes());
        }
    }
    out.extend_from_slice(data);
    out
}
