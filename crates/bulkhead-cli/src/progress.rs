//! Progress bars on stderr: only on a terminal, never with `--quiet`.

use bulkhead_types::text::terminal_safe;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

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
