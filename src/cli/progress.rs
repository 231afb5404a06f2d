//! A progress bar on stderr (layers and bytes) while layers are read, shown only when stderr is
//! a terminal.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicUsize, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// An indicatif bar implementing the library's progress sink.
pub struct Bar {
    bar: ProgressBar,
    layers: AtomicUsize,
    done: AtomicUsize,
}

impl Bar {
    /// A bar when stderr is a terminal and `quiet` is off.
    pub fn new(quiet: bool) -> Option<Bar> {
        if quiet || !std::io::stderr().is_terminal() {
            return None;
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        Some(Bar {
            bar,
            layers: AtomicUsize::new(0),
            done: AtomicUsize::new(0),
        })
    }

    fn message(&self) {
        let done = self.done.load(Ordering::Relaxed);
        let total = self.layers.load(Ordering::Relaxed);
        if total > 0 {
            self.bar.set_message(format!("layers {done}/{total}"));
        } else {
            self.bar.set_message(format!("layers {done}"));
        }
    }
}

impl consign::source::Progress for Bar {
    fn begin(&self, layers: usize, bytes: Option<u64>) {
        self.layers.store(layers, Ordering::Relaxed);
        let style = match bytes {
            Some(total) => {
                self.bar.set_length(total);
                ProgressStyle::with_template(
                    "{spinner} reading {msg} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
                )
            }
            None => {
                ProgressStyle::with_template("{spinner} reading {msg} {bytes} ({bytes_per_sec})")
            }
        };
        if let Ok(style) = style {
            self.bar.set_style(style.progress_chars("=> "));
        }
        self.message();
    }

    fn advance(&self, n: u64) {
        self.bar.inc(n);
    }

    fn layer_done(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
        self.message();
    }

    fn end(&self) {
        self.bar.finish_and_clear();
    }
}
