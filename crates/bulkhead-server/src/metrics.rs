//! `/metrics` in the Prometheus text exposition format (0.0.4).
//!
//! Written by hand rather than with `prometheus-client`: that crate models
//! live metric objects a process updates in place, while these values are
//! a snapshot the backend computes when asked (a shared backend counts
//! jobs in its database); four families with labels the server itself
//! chooses are a few lines of text.

use crate::backend::Metrics;
use std::fmt::Write;

fn escape_label(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

fn number(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        }
    } else {
        format!("{v}")
    }
}

/// Render a snapshot.
pub fn render(m: &Metrics) -> String {
    let mut s = String::new();
    // Writing to a String cannot fail.
    let _ = writeln!(
        s,
        "# HELP bulkhead_queue_depth Scan jobs waiting for a worker.\n# TYPE bulkhead_queue_depth gauge\nbulkhead_queue_depth {}",
        m.queue_depth
    );
    let _ = writeln!(
        s,
        "# HELP bulkhead_jobs Scan jobs the backend knows, by state.\n# TYPE bulkhead_jobs gauge"
    );
    for (state, n) in &m.jobs {
        let _ = writeln!(s, "bulkhead_jobs{{state=\"{}\"}} {n}", escape_label(state));
    }
    let _ = writeln!(
        s,
        "# HELP bulkhead_scan_seconds Time to scan one image, from start to stored result.\n# TYPE bulkhead_scan_seconds histogram"
    );
    let h = &m.scan_seconds;
    let mut cumulative = 0u64;
    for (i, bound) in h.bounds.iter().enumerate() {
        cumulative += h.counts.get(i).copied().unwrap_or(0);
        let _ = writeln!(
            s,
            "bulkhead_scan_seconds_bucket{{le=\"{}\"}} {cumulative}",
            number(*bound)
        );
    }
    let _ = writeln!(
        s,
        "bulkhead_scan_seconds_bucket{{le=\"+Inf\"}} {}\nbulkhead_scan_seconds_sum {}\nbulkhead_scan_seconds_count {}",
        h.count(),
        number(h.sum),
        h.count()
    );
    let _ = writeln!(
        s,
        "# HELP bulkhead_layer_reuse_ratio Layers whose analysis was reused, over all layers read.\n# TYPE bulkhead_layer_reuse_ratio gauge"
    );
    if let Some(r) = m.layer_reuse_ratio {
        let _ = writeln!(s, "bulkhead_layer_reuse_ratio {}", number(r));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::Histogram;

    #[test]
    fn text_format() {
        let mut h = Histogram::new(&[1.0, 10.0]);
        h.observe(0.5);
        h.observe(2.0);
        h.observe(20.0);
        let m = Metrics {
            queue_depth: 3,
            jobs: vec![("queued".into(), 3), ("we\"ird\\\n".into(), 1)],
            scan_seconds: h,
            layer_reuse_ratio: Some(0.5),
        };
        let text = render(&m);
        for line in [
            "# TYPE bulkhead_queue_depth gauge",
            "bulkhead_queue_depth 3",
            "bulkhead_jobs{state=\"queued\"} 3",
            "bulkhead_jobs{state=\"we\\\"ird\\\\\\n\"} 1",
            "# TYPE bulkhead_scan_seconds histogram",
            "bulkhead_scan_seconds_bucket{le=\"1\"} 1",
            "bulkhead_scan_seconds_bucket{le=\"10\"} 2",
            "bulkhead_scan_seconds_bucket{le=\"+Inf\"} 3",
            "bulkhead_scan_seconds_sum 22.5",
            "bulkhead_scan_seconds_count 3",
            "bulkhead_layer_reuse_ratio 0.5",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} missing:\n{text}");
        }
        assert!(text.ends_with('\n'));
        let none = render(&Metrics {
            layer_reuse_ratio: None,
            ..m
        });
        assert!(!none.contains("bulkhead_layer_reuse_ratio 0"));
    }
}
