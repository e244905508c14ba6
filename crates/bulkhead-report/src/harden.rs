//! `bulkhead harden`'s output: a [`Proposal`] (built by `bulkhead-harden`)
//! as a Compose override file, `docker run` flags or JSON.
//!
//! The override is written by hand rather than with a YAML serializer
//! because every setting carries a comment line saying why, and YAML
//! serializers drop comments. Every string scalar that could need quoting is
//! written as a JSON string, which is a valid YAML double-quoted scalar.
//!
//! The text forms are read on a terminal: names, paths and reasons that come
//! from the Compose file, the image or the daemon pass
//! [`bulkhead_types::text::terminal_safe`] in comments and flags, and quoted
//! scalars spell the characters it rejects as `\uXXXX` escapes (same value,
//! nothing raw on the screen).

use bulkhead_types::harden::{Proposal, SourceKind, TmpfsSpec};
use bulkhead_types::human_bytes;
use bulkhead_types::text::{json_safe, terminal_safe};
use serde::Serialize;
use std::fmt::Write as _;

/// Input text on one comment line: whitespace runs collapsed, terminal
/// escapes and bidi controls as `?`.
fn one_line(s: &str) -> String {
    terminal_safe(&s.split_whitespace().collect::<Vec<_>>().join(" ")).into_owned()
}

/// Input text in a comment or a flag, as [`terminal_safe`] shows it.
fn shown(s: &str) -> String {
    terminal_safe(s).into_owned()
}

/// A JSON string (a YAML double-quoted scalar) with nothing a terminal
/// would act on: JSON escapes C0 controls, and the DEL, C1 and bidi
/// controls it leaves raw are written as `\uXXXX` (the same value).
fn quoted(s: &str) -> String {
    let json = serde_json::to_string(s).unwrap_or_else(|_| format!("\"{}\"", s.escape_default()));
    json_safe(&json).into_owned()
}

/// A Compose service key: plain when it only has the characters Compose
/// allows in service names, quoted otherwise.
fn key(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if plain { s.to_string() } else { quoted(s) }
}

/// `target:opt,opt` as `--tmpfs` and Compose's `tmpfs:` take it.
fn tmpfs_value(t: &TmpfsSpec) -> String {
    if t.options.is_empty() {
        t.target.clone()
    } else {
        format!("{}:{}", t.target, t.options.join(","))
    }
}

/// The `docker run` flags, as separate argv words.
pub fn run_flags(p: &Proposal) -> Vec<String> {
    let mut f: Vec<String> = Vec::new();
    f.push("--read-only".into());
    for t in &p.tmpfs {
        f.push("--tmpfs".into());
        f.push(tmpfs_value(&t.mount));
    }
    for c in &p.cap_drop.value {
        f.push("--cap-drop".into());
        f.push(c.clone());
    }
    for c in &p.cap_add {
        f.push("--cap-add".into());
        f.push(c.value.clone());
    }
    f.push("--security-opt".into());
    f.push("no-new-privileges".into());
    if let Some(s) = &p.seccomp {
        f.push("--security-opt".into());
        f.push(format!("seccomp={}", s.value));
    }
    f.push("--user".into());
    f.push(p.user.value.clone());
    f.push("--pids-limit".into());
    f.push(p.pids_limit.value.to_string());
    f.push("--memory".into());
    f.push(human_bytes(p.memory.value));
    f
}

fn header(out: &mut String, p: &Proposal, what: &str) {
    let _ = writeln!(
        out,
        "# {what} for {}, proposed by `bulkhead harden`.",
        one_line(&p.origin)
    );
    if !p.ports.is_empty() {
        let ports: Vec<String> = p.ports.iter().map(ToString::to_string).collect();
        let _ = writeln!(out, "# ports: {}", one_line(&ports.join(", ")));
    }
    for w in &p.warnings {
        let _ = writeln!(out, "# WARNING: {}", one_line(w));
    }
    for n in &p.unobserved {
        let _ = writeln!(out, "# not observed: {}", one_line(n));
    }
}

/// Comment lines (one per setting, with why) and then one line with the
/// flags, shell-quoted.
pub fn run_text(p: &Proposal) -> String {
    let mut out = String::new();
    header(&mut out, p, "Hardened `docker run` flags");
    if let Some(pr) = &p.privileged {
        let _ = writeln!(out, "# (no --privileged): {}", one_line(&pr.why));
    }
    let _ = writeln!(out, "# --read-only: {}", one_line(&p.read_only.why));
    for t in &p.tmpfs {
        let _ = writeln!(
            out,
            "# --tmpfs {}: {}",
            shown(&tmpfs_value(&t.mount)),
            one_line(&t.why)
        );
    }
    let _ = writeln!(out, "# --cap-drop ALL: {}", one_line(&p.cap_drop.why));
    for c in &p.cap_add {
        let _ = writeln!(out, "# --cap-add {}: {}", shown(&c.value), one_line(&c.why));
    }
    let _ = writeln!(
        out,
        "# --security-opt no-new-privileges: {}",
        one_line(&p.no_new_privileges.why)
    );
    if let Some(s) = &p.seccomp {
        let _ = writeln!(
            out,
            "# --security-opt seccomp={}: {}",
            shown(&s.value),
            one_line(&s.why)
        );
    }
    let _ = writeln!(
        out,
        "# --user {}: {}",
        shown(&p.user.value),
        one_line(&p.user.why)
    );
    let _ = writeln!(
        out,
        "# --pids-limit {}: {}",
        p.pids_limit.value,
        one_line(&p.pids_limit.why)
    );
    let _ = writeln!(
        out,
        "# --memory {}: {}",
        human_bytes(p.memory.value),
        one_line(&p.memory.why)
    );
    let words: Vec<String> = run_flags(p).iter().map(|w| shown(w)).collect();
    let line =
        shlex::try_join(words.iter().map(String::as_str)).unwrap_or_else(|_| words.join(" "));
    let _ = writeln!(out, "{line}");
    out
}

/// A Compose override file (`docker compose -f BASE -f OVERRIDE`).
pub fn compose_text(p: &Proposal) -> String {
    let mut out = String::new();
    header(&mut out, p, "Compose override");
    if p.source == SourceKind::Compose {
        out.push_str("# Apply: docker compose -f <your compose file> -f <this file> up -d\n");
    } else {
        out.push_str(
            "# Apply: docker compose -f <your compose file> -f <this file> up -d (rename the service key to yours)\n",
        );
    }
    out.push_str("services:\n");
    let _ = writeln!(out, "  {}:", key(&p.service));
    let i = "    ";
    let c = |out: &mut String, why: &str| {
        let _ = writeln!(out, "{i}# {}", one_line(why));
    };
    if let Some(pr) = &p.privileged {
        c(&mut out, &pr.why);
        let _ = writeln!(out, "{i}privileged: false");
    }
    c(&mut out, &p.read_only.why);
    let _ = writeln!(out, "{i}read_only: true");
    // Compose merges list entries of an override with the base file: a
    // tmpfs the base declares already must not appear twice.
    let (kept, new): (Vec<_>, Vec<_>) = p
        .tmpfs
        .iter()
        .partition(|t| t.existing && p.source == SourceKind::Compose);
    for t in &kept {
        let _ = writeln!(
            out,
            "{i}# tmpfs {}: in the base file already",
            shown(&t.mount.target)
        );
    }
    if !new.is_empty() {
        let _ = writeln!(out, "{i}tmpfs:");
        for t in new {
            let _ = writeln!(
                out,
                "{i}  # {}: {}",
                shown(&t.mount.target),
                one_line(&t.why)
            );
            let _ = writeln!(out, "{i}  - {}", quoted(&tmpfs_value(&t.mount)));
        }
    }
    c(&mut out, &p.cap_drop.why);
    let _ = writeln!(out, "{i}cap_drop:");
    for cap in &p.cap_drop.value {
        let _ = writeln!(out, "{i}  - {}", quoted(cap));
    }
    if !p.cap_add.is_empty() {
        let _ = writeln!(out, "{i}cap_add:");
        for cap in &p.cap_add {
            let _ = writeln!(out, "{i}  # {}: {}", shown(&cap.value), one_line(&cap.why));
            let _ = writeln!(out, "{i}  - {}", quoted(&cap.value));
        }
    }
    let _ = writeln!(out, "{i}security_opt:");
    let _ = writeln!(
        out,
        "{i}  # no-new-privileges: {}",
        one_line(&p.no_new_privileges.why)
    );
    let _ = writeln!(out, "{i}  - \"no-new-privileges:true\"");
    if let Some(s) = &p.seccomp {
        let _ = writeln!(out, "{i}  # seccomp: {}", one_line(&s.why));
        let _ = writeln!(out, "{i}  - {}", quoted(&format!("seccomp:{}", s.value)));
    }
    c(&mut out, &p.user.why);
    let _ = writeln!(out, "{i}user: {}", quoted(&p.user.value));
    c(&mut out, &p.pids_limit.why);
    let _ = writeln!(out, "{i}pids_limit: {}", p.pids_limit.value);
    c(&mut out, &p.memory.why);
    let _ = writeln!(out, "{i}mem_limit: {}", human_bytes(p.memory.value));
    out
}

/// The proposal as JSON, with the run flags spelled out.
pub fn json_text(p: &Proposal) -> Result<String, serde_json::Error> {
    #[derive(Serialize)]
    struct Out<'a> {
        #[serde(flatten)]
        proposal: &'a Proposal,
        run_flags: Vec<String>,
    }
    let mut s = bulkhead_types::text::to_json_pretty(&Out {
        proposal: p,
        run_flags: run_flags(p),
    })?;
    s.push('\n');
    Ok(s)
}
