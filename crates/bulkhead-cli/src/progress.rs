//! Progress bars on stderr: only on a terminal, never with `--quiet`.

use bulkhead_types::text::terminal_safe;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Mutex;

/// Set a bar's message: it often names the input (an image, a folder, a
/// feed), so it passes the terminal cleaner.
pub fn set_message(pb: &ProgressBar, msg: &str) {
    pb.set_message(terminal_safe(msg).into_owned());
}

/// Whether progress may be drawn.
pub fn enabled(quiet: bool) -> bool {
    !quiet && std::io::stderr().is_terminal()
}

/// A byte-counting bar, hidden when progress is disabled.
pub fn bytes_bar(quiet: bool, len: u64, msg: &str) -> ProgressBar {
    if !enabled(quiet) {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} {msg} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
    ) {
        pb.set_style(style.progress_chars("=> "));
    }
    set_message(&pb, msg);
    pb
}

/// A spinner with a message, hidden when progress is disabled.
pub fn spinner(quiet: bool, msg: &str) -> ProgressBar {
    if !enabled(quiet) {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new_spinner();
    pb.set_draw_target(ProgressDrawTarget::stderr());
    set_message(&pb, msg);
    pb.enable_steady_tick(std::time::Duration::from_millis(120));
    pb
}

/// The engine's progress (`bulkhead_engine::Progress`) drawn with the bars
/// above: one bar or spinner per task, cleared when it ends.
pub struct Bars {
    quiet: bool,
    current: Mutex<ProgressBar>,
}

impl Bars {
    pub fn new(quiet: bool) -> Bars {
        Bars {
            quiet,
            current: Mutex::new(ProgressBar::hidden()),
        }
    }

    fn bar(&self) -> ProgressBar {
        match self.current.lock() {
            Ok(b) => b.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
}

impl bulkhead_engine::Progress for Bars {
    fn start(&self, msg: &str, total: Option<u64>) {
        let pb = match total {
            Some(len) => bytes_bar(self.quiet, len, msg),
            None => spinner(self.quiet, msg),
        };
        let old = match self.current.lock() {
            Ok(mut b) => std::mem::replace(&mut *b, pb),
            Err(poisoned) => std::mem::replace(&mut *poisoned.into_inner(), pb),
        };
        old.finish_and_clear();
    }

    fn position(&self, done: u64) {
        self.bar().set_position(done);
    }

    fn db_update(&self, event: &bulkhead_osv::Progress<'_>) {
        let bar = self.bar();
        match event {
            bulkhead_osv::Progress::Download { what, bytes, total } => {
                set_message(&bar, &format!("downloading {what}"));
                bar.set_length(total.unwrap_or(*bytes));
                bar.set_position(*bytes);
            }
            bulkhead_osv::Progress::Build { what, done, total } => {
                set_message(&bar, &format!("indexing {what} (records)"));
                bar.set_length(*total);
                bar.set_position(*done);
            }
            bulkhead_osv::Progress::Note(n) => set_message(&bar, n),
        }
    }

    fn finish(&self) {
        self.bar().finish_and_clear();
    }
}
