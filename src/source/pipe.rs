//! A reader on its own thread: decompression runs one stage ahead of the tar walk.
//!
//! Reading a layer is two chains of work on one byte stream: the blob's digest and the
//! decompressor, then the diff_id digest and the tar walk. On one thread they add up; with
//! [`run`] the first chain fills fixed-size chunks on a second thread while the caller consumes
//! them, so a layer takes about as long as its slowest stage. That matters most when there are
//! fewer layers than cores (the common one-big-layer image), where parallelism across layers
//! has nothing to work with.
//!
//! At most [`DEPTH`] chunks of [`CHUNK`] bytes are in flight per layer, and they are recycled,
//! so memory stays constant and the hot path does not allocate.

use std::io::{self, Read};
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};

/// Bytes per chunk handed across.
pub const CHUNK: usize = 256 << 10;
/// Chunks queued ahead of the consumer.
pub const DEPTH: usize = 8;

/// A filled chunk: the buffer (always [`CHUNK`] long) and how much of it holds data.
type Filled = io::Result<(Box<[u8]>, usize)>;

/// The consuming end: yields what the producer read, in order, then its error if it hit one,
/// then end of stream.
pub struct PipeReader {
    rx: Receiver<Filled>,
    back: Sender<Box<[u8]>>,
    cur: Option<(Box<[u8]>, usize)>,
    pos: usize,
}

impl Read for PipeReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if let Some((chunk, len)) = &self.cur
                && self.pos < *len
            {
                let n = buf.len().min(len - self.pos);
                buf[..n].copy_from_slice(&chunk[self.pos..self.pos + n]);
                self.pos += n;
                return Ok(n);
            }
            if let Some((chunk, _)) = self.cur.take() {
                // The producer may be gone already; the buffer is then simply dropped.
                let _ = self.back.send(chunk);
            }
            match self.rx.recv() {
                Ok(Ok(filled)) => {
                    self.cur = Some(filled);
                    self.pos = 0;
                }
                Ok(Err(e)) => return Err(e),
                // The producer finished: end of stream.
                Err(_) => return Ok(0),
            }
        }
    }
}

/// Runs `produce` on a scoped thread, with `source` and a [`Fill`] to hand bytes over through,
/// and `consume` on this thread with a [`PipeReader`] of those bytes. Returns the source (for
/// what is left to do with it) and the consumer's result. The producer is told to stop (its
/// sends fail) as soon as the consumer returns.
pub fn run<S, T, P, C>(source: S, produce: P, consume: C) -> (S, T)
where
    S: Send,
    P: FnOnce(&mut S, &mut Fill) + Send,
    C: FnOnce(&mut PipeReader) -> T,
{
    let (tx, rx) = sync_channel::<Filled>(DEPTH);
    let (back, back_rx) = channel::<Box<[u8]>>();
    std::thread::scope(|scope| {
        let producer = scope.spawn(move || {
            let mut source = source;
            let mut fill = Fill {
                tx,
                back: back_rx,
                stopped: false,
            };
            produce(&mut source, &mut fill);
            source
        });
        let mut reader = PipeReader {
            rx,
            back,
            cur: None,
            pos: 0,
        };
        let out = consume(&mut reader);
        // Dropping the reader closes the channel: a producer still reading stops at its next
        // send.
        drop(reader);
        let source = producer
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        (source, out)
    })
}

/// The producing end: [`Fill::pump`] copies a reader into chunks.
pub struct Fill {
    tx: SyncSender<Filled>,
    back: Receiver<Box<[u8]>>,
    stopped: bool,
}

impl Fill {
    /// True once the consumer has gone: nothing more is wanted.
    pub fn stopped(&self) -> bool {
        self.stopped
    }

    /// Hands `e` over as the stream's last word; nothing more follows.
    pub fn fail(&mut self, e: io::Error) {
        let _ = self.tx.send(Err(e));
        self.stopped = true;
    }

    /// Reads `from` to its end, handing the bytes over in chunks. A read error is handed over
    /// too (after the bytes before it) and ends the pump; so does a consumer that went away.
    pub fn pump(&mut self, from: &mut impl Read) {
        while !self.stopped {
            let mut chunk = self
                .back
                .try_recv()
                .unwrap_or_else(|_| vec![0u8; CHUNK].into_boxed_slice());
            let mut len = 0;
            let mut failure = None;
            while len < CHUNK {
                match from.read(&mut chunk[len..]) {
                    Ok(0) => break,
                    Ok(n) => len += n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        failure = Some(e);
                        break;
                    }
                }
            }
            let at_end = len < CHUNK;
            if len > 0 && self.tx.send(Ok((chunk, len))).is_err() {
                self.stopped = true;
                return;
            }
            if let Some(e) = failure {
                self.fail(e);
                return;
            }
            if at_end {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Failing {
        left: usize,
    }

    impl Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.left == 0 {
                return Err(io::Error::other("broken"));
            }
            let n = buf.len().min(self.left).min(1000);
            buf[..n].fill(7);
            self.left -= n;
            Ok(n)
        }
    }

    #[test]
    fn passes_every_byte_in_order() {
        let data: Vec<u8> = (0..3 * CHUNK + 12345)
            .map(|i| (i * 31 % 251) as u8)
            .collect();
        let (src, got) = run(
            &data[..],
            |src, fill| fill.pump(src),
            |r: &mut PipeReader| {
                let mut v = Vec::new();
                r.read_to_end(&mut v).map(|_| v)
            },
        );
        assert!(src.is_empty());
        assert_eq!(got.unwrap(), data);
    }

    #[test]
    fn hands_over_the_error_after_the_bytes() {
        let (_, got) = run(
            Failing { left: CHUNK + 5 },
            |src, fill| fill.pump(src),
            |r: &mut PipeReader| {
                let mut v = Vec::new();
                let e = r.read_to_end(&mut v).unwrap_err();
                (v.len(), e.to_string())
            },
        );
        assert_eq!(got, (CHUNK + 5, "broken".to_owned()));
    }

    #[test]
    fn a_consumer_that_stops_early_stops_the_producer() {
        // An endless source: the run only ends because the consumer gives up.
        let (src, got) = run(
            io::repeat(1),
            |src, fill| {
                fill.pump(src);
                assert!(fill.stopped());
            },
            |r: &mut PipeReader| {
                let mut b = [0u8; 10];
                r.read_exact(&mut b).map(|()| b)
            },
        );
        let _ = src;
        assert_eq!(got.unwrap(), [1u8; 10]);
    }
}
