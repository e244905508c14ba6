//! What `bulkhead verify`, `bulkhead sign` and `bulkhead key generate`
//! print. Registry data (locations, claims, annotations, key hints) passes
//! [`bulkhead_types::text::terminal_safe_capped`].

use crate::Format;
use bulkhead_types::signature::{Signed, Status, VerifyMode, VerifyOutcome, name_keys};
use std::fmt::Write as _;

/// Printable in one line: registry data may hold escape sequences, and a
/// hostile registry may send a great many signatures.
fn clean(s: &str) -> String {
    bulkhead_types::text::terminal_safe_capped(s, 8192)
}

/// `bulkhead verify` in `format` (JSON, else the table).
pub fn verify(out: &VerifyOutcome, format: Format) -> serde_json::Result<String> {
    match format {
        Format::Json => Ok(bulkhead_types::text::to_json_pretty(out)? + "\n"),
        _ => Ok(verify_table(out)),
    }
}

/// The one-line reason a verification failed, for stderr.
pub fn verify_failure(failure: &str) -> String {
    clean(failure)
}

/// `bulkhead verify`'s table.
pub fn verify_table(out: &VerifyOutcome) -> String {
    let mut s = String::new();
    let label_of = |fp: &str| {
        out.keys.iter().find(|k| k.fingerprint == fp).map_or_else(
            || clean(fp),
            |k| format!("{} ({})", clean(&k.path), clean(fp)),
        )
    };
    let _ = writeln!(s, "image:  {}", clean(&out.image));
    let _ = writeln!(s, "digest: {}", clean(&out.digest));
    if let Some(p) = &out.policy {
        match (&p.rule, &p.pattern) {
            (Some(r), Some(m)) => {
                let _ = writeln!(
                    s,
                    "policy: rule {:?} (match {:?}) of {}",
                    clean(r),
                    clean(m),
                    clean(&p.file)
                );
            }
            _ => {
                let _ = writeln!(s, "policy: no rule matches ({})", clean(&p.file));
            }
        }
    }
    let n = out.signatures.len();
    if n == 0 {
        let _ = writeln!(s, "\nno signatures");
    } else {
        let _ = writeln!(s, "\n{n} signature{}:", if n == 1 { "" } else { "s" });
    }
    for (i, sig) in out.signatures.iter().enumerate() {
        let _ = writeln!(
            s,
            "\n[{}] {}  {}",
            i + 1,
            sig.format.name(),
            clean(&sig.location)
        );
        let status = match &sig.status {
            Status::Verified { key } => format!("verified with {}", label_of(key)),
            Status::Failed { reason } => {
                format!("FAILED: {}", clean(&name_keys(reason, &out.keys)))
            }
            Status::Unchecked => "not checked (no key given)".to_string(),
        };
        let _ = writeln!(s, "    status:           {status}");
        if let Some(h) = &sig.key_hint {
            let _ = writeln!(s, "    key hint:         {}", clean(h));
        }
        if let Some(c) = &sig.claims {
            let _ = writeln!(s, "    digest:           {}", clean(&c.image_digest));
            if let Some(d) = &c.docker_reference {
                let _ = writeln!(s, "    docker-reference: {}", clean(d));
            }
            if !c.annotations.is_empty() {
                let a: Vec<String> = c
                    .annotations
                    .iter()
                    .map(|(k, v)| format!("{}={}", clean(k), clean(v)))
                    .collect();
                let _ = writeln!(s, "    annotations:      {}", a.join(", "));
            }
        }
    }
    let _ = writeln!(s);
    match (&out.failure, out.mode) {
        (Some(f), _) => {
            let _ = writeln!(s, "result: FAILED: {}", clean(f));
        }
        (None, VerifyMode::List) => {
            let _ = writeln!(s, "result: listed only; pass --key or a policy to verify");
        }
        (None, _) => {
            let _ = writeln!(s, "result: verified");
        }
    }
    if let Some(n) = &out.note {
        let _ = writeln!(s, "note:   {}", clean(n));
    }
    s
}

/// What `bulkhead sign` wrote.
#[derive(Debug, serde::Serialize)]
pub struct SignedImage<'a> {
    /// The image as the user named it.
    pub image: &'a str,
    /// `registry/repository@sha256:…`: what was signed.
    pub reference: String,
    #[serde(flatten)]
    pub signed: &'a Signed,
}

/// `bulkhead sign` in `format` (JSON, else one line).
pub fn signed(out: &SignedImage<'_>, format: Format) -> serde_json::Result<String> {
    match format {
        Format::Json => Ok(bulkhead_types::text::to_json_pretty(out)? + "\n"),
        _ => Ok(format!(
            "signed {} ({}, stored as {})\n",
            out.reference,
            out.signed.format.name(),
            out.signed.location
        )),
    }
}

/// The files `bulkhead key generate` wrote.
#[derive(Debug, serde::Serialize)]
pub struct GeneratedKey {
    pub private_key: String,
    pub public_key: String,
    pub fingerprint: String,
}

/// `bulkhead key generate` in `format` (JSON, else two lines).
pub fn generated_key(done: &GeneratedKey, format: Format) -> serde_json::Result<String> {
    match format {
        Format::Json => Ok(bulkhead_types::text::to_json_pretty(done)? + "\n"),
        _ => Ok(format!(
            "wrote {} (encrypted private key, mode 0600) and {} (public key)\npublic key fingerprint: {}\n",
            done.private_key, done.public_key, done.fingerprint
        )),
    }
}
