//! What `bulkhead seccomp diff` prints.

use bulkhead_profile::diff::ProfileDiff;

/// Human-readable rendering.
///
/// Profile names and syscall names come from the input files: the text
/// passes [`bulkhead_types::text::terminal_safe_multiline`] whole (it has
/// no colours of its own).
pub fn diff_text(d: &ProfileDiff) -> String {
    bulkhead_types::text::terminal_safe_multiline(&render_raw(d)).into_owned()
}

fn render_raw(d: &ProfileDiff) -> String {
    let mut s = format!("--- A: {}\n+++ B: {}\n", d.a_name, d.b_name);
    if d.is_empty() {
        s.push_str("no differences\n");
        return s;
    }
    for h in &d.header {
        s.push_str(&format!("{h}\n"));
    }
    let mut list = |title: &str, names: &[String]| {
        if !names.is_empty() {
            s.push_str(&format!("\n{title} ({}):\n", names.len()));
            for n in names {
                s.push_str(&format!("  {n}\n"));
            }
        }
    };
    list("Allowed only in A", &d.allowed_only_in_a);
    list("Allowed only in B", &d.allowed_only_in_b);
    if !d.conditions_differ.is_empty() {
        s.push_str(&format!(
            "\nTreated differently ({}):\n",
            d.conditions_differ.len()
        ));
        for c in &d.conditions_differ {
            s.push_str(&format!("  {}\n", c.syscall));
            s.push_str(&format!("    A {}: {}\n", c.a.status, c.a.rules.join("; ")));
            s.push_str(&format!("    B {}: {}\n", c.b.status, c.b.rules.join("; ")));
        }
    }
    s
}

/// `bulkhead seccomp diff --format json`.
pub fn diff_json(d: &ProfileDiff) -> serde_json::Result<String> {
    Ok(bulkhead_types::text::to_json_pretty(d)? + "\n")
}
