//! Helpers shared by the Dockerfile rules (not a rule).

use crate::dockerfile::{Dockerfile, Instruction, Stage};
use crate::rules::DockerfileCx;

/// Whether a USER value means root: `root`, `0`, `root:*`, `0:*`.
pub fn is_root(user: &str) -> bool {
    let u = user.split(':').next().unwrap_or(user).trim();
    u == "root" || u == "0"
}

/// The USER in effect at the end of `stage`, following stages built on
/// earlier stages of the same file.
pub fn effective_user<'a>(df: &'a Dockerfile, stage: &Stage) -> Option<&'a Instruction> {
    let mut cur = Some(stage);
    let mut hops = 0;
    while let Some(s) = cur {
        if let Some(u) = df
            .stage_instructions(s)
            .iter()
            .rev()
            .find(|i| i.keyword == "USER")
        {
            return Some(u);
        }
        hops += 1;
        if !s.base_is_stage || hops > df.stages.len() {
            return None;
        }
        cur = df
            .stages
            .iter()
            .take(s.index)
            .rev()
            .find(|p| p.name.as_deref() == Some(s.base.to_ascii_lowercase().as_str()));
    }
    None
}

/// Whether `keyword` appears in the final stage or a stage it is built on.
pub fn final_has(cx: &DockerfileCx<'_>, keyword: &str) -> Option<&'static str> {
    let df = cx.df;
    let mut cur = df.final_stage(cx.target);
    let mut hops = 0;
    while let Some(s) = cur {
        if df
            .stage_instructions(s)
            .iter()
            .any(|i| i.keyword == keyword)
        {
            return Some("found");
        }
        hops += 1;
        if !s.base_is_stage || hops > df.stages.len() {
            return None;
        }
        cur = df
            .stages
            .iter()
            .take(s.index)
            .rev()
            .find(|p| p.name.as_deref() == Some(s.base.to_ascii_lowercase().as_str()));
    }
    None
}

/// Image references are split by the container-policy crate, so the
/// Dockerfile and Compose rules and the audit read them alike.
pub use bulkhead_policy::controls::image_pinning::{ImageRef, image_ref};

/// Whether the RUN has a cache or tmpfs mount covering `path`.
pub fn has_cache_mount(inst: &Instruction, path: &str) -> bool {
    inst.flags.iter().filter(|f| f.name == "mount").any(|f| {
        let o = f.options();
        let t = o.get("type").map(String::as_str).unwrap_or("bind");
        let target = o
            .get("target")
            .or_else(|| o.get("dst"))
            .or_else(|| o.get("destination"))
            .map(String::as_str)
            .unwrap_or("");
        matches!(t, "cache" | "tmpfs")
            && path.starts_with(target.trim_end_matches('/'))
            && !target.is_empty()
    })
}

/// Whether the RUN mounts a build secret.
pub fn has_secret_mount(inst: &Instruction) -> bool {
    inst.flags
        .iter()
        .filter(|f| f.name == "mount")
        .any(|f| f.options().get("type").map(String::as_str) == Some("secret"))
}

/// The final-stage instruction range as indices into `df.instructions`.
pub fn in_final(cx: &DockerfileCx<'_>, inst: &Instruction) -> bool {
    match cx.df.final_stage(cx.target) {
        Some(s) => inst.stage == Some(s.index),
        None => false,
    }
}

/// COPY/ADD sources and destination (flags excluded). Empty when malformed.
pub fn copy_parts(inst: &Instruction) -> (Vec<String>, Option<String>) {
    let mut words = inst.words();
    let dest = words.pop();
    (words, dest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs() {
        assert_eq!(image_ref("debian").tag, None);
        assert_eq!(image_ref("localhost:5000/app").tag, None);
        assert_eq!(image_ref("localhost:5000/app:1").tag.as_deref(), Some("1"));
        let r = image_ref("alpine:3.19@sha256:abc");
        assert_eq!(r.name, "alpine");
        assert_eq!(r.digest.as_deref(), Some("sha256:abc"));
        assert!(is_root("0:0") && is_root("root") && !is_root("1000"));
    }
}
