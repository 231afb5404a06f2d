//! The decompression floor for `benches/compare.sh`: decompresses every blob named on the
//! command line in parallel (one blob per task, all cores, as consign reads layers) with the
//! decoders consign uses — flate2 on zlib-rs for gzip (multi-member), zstd — and discards the
//! output. Largest blobs first, each to the next free core, as consign schedules layers.
//! Nothing is hashed or parsed: consign's time over this is the cost of everything else.
//!
//! `cargo bench --bench floor -- BLOB...` prints the wall time and the bytes in and out.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::time::Instant;

use rayon::prelude::*;

fn decompress(path: &str) -> io::Result<(u64, u64)> {
    let compressed = std::fs::metadata(path)?.len();
    let mut input = BufReader::with_capacity(256 << 10, File::open(path)?);
    let mut magic = [0u8; 4];
    input.read_exact(&mut magic)?;
    let input = io::Cursor::new(magic).chain(input);
    let mut decoder: Box<dyn Read> = match magic {
        [0x1f, 0x8b, ..] => Box::new(flate2::bufread::MultiGzDecoder::new(BufReader::new(input))),
        [0x28, 0xb5, 0x2f, 0xfd] => Box::new(zstd::Decoder::new(input)?),
        _ => Box::new(input),
    };
    let mut buf = vec![0u8; 256 << 10];
    let mut out = 0u64;
    loop {
        match decoder.read(&mut buf)? {
            0 => break,
            n => out += n as u64,
        }
    }
    Ok((compressed, out))
}

fn main() {
    // `cargo bench` passes `--bench`; blobs are the other arguments.
    let mut blobs: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    blobs.sort_by_key(|b| std::cmp::Reverse(std::fs::metadata(b).map_or(0, |m| m.len())));
    let start = Instant::now();
    let sizes: Vec<(u64, u64)> = blobs
        .iter()
        .par_bridge()
        .map(|b| decompress(b).unwrap_or_else(|e| panic!("{b}: {e}")))
        .collect();
    let elapsed = start.elapsed();
    let (input, output) = sizes
        .iter()
        .fold((0, 0), |(i, o), (ci, co)| (i + ci, o + co));
    println!(
        "{} blobs, {:.1} MB in, {:.1} MB out, {:.3} s on {} threads",
        blobs.len(),
        input as f64 / 1e6,
        output as f64 / 1e6,
        elapsed.as_secs_f64(),
        rayon::current_num_threads()
    );
}
