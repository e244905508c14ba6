//! Entry points of the fuzz targets that render (and their seed replay).
#![doc(hidden)]

use crate::diff::{DiffFormat, write};

/// The `diff` target: compare two reports read from `data` and render the
/// result in every format. Returns the rendered outputs.
pub fn diff(data: &[u8]) -> Vec<String> {
    let d = bulkhead_diff::fuzzing::compare_input(data);
    let mut outs = Vec::new();
    for f in [DiffFormat::Table, DiffFormat::Json, DiffFormat::Markdown] {
        let mut buf = Vec::new();
        if write(&d, f, false, &mut buf).is_ok() {
            outs.push(String::from_utf8_lossy(&buf).into_owned());
        }
    }
    outs
}
