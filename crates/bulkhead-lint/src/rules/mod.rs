//! Rules: metadata plus a check function, registered in static lists.
//!
//! Adding a rule = one file under `rules/dockerfile/`, `rules/compose/` or
//! `rules/kubernetes/` defining `pub static RULE: Rule`, plus its module
//! name in the `register!` list of that folder's `mod.rs`.
//!
//! The [`Check`] enum names the input a rule reads: a Dockerfile, a Compose
//! project, a Kubernetes manifest ([`KubernetesCx`]), or a built image's
//! config and filesystem ([`ImageCx`]; the image rules live in one file,
//! `rules/image.rs`).

pub mod compose;
pub mod dockerfile;
pub mod image;
pub mod kubernetes;
pub mod secrets;

use crate::compose::Project;
use crate::dockerfile::{Dockerfile, Instruction, Span, shell};
use bulkhead_types::Severity;
use std::path::Path;

/// What a rule checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RuleKind {
    Dockerfile,
    Compose,
    /// A Kubernetes manifest (its workloads' pod templates).
    Kubernetes,
    /// A built image: its config JSON and squashed filesystem.
    Image,
}

impl RuleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::Dockerfile => "dockerfile",
            RuleKind::Compose => "compose",
            RuleKind::Kubernetes => "kubernetes",
            RuleKind::Image => "image",
        }
    }
}

/// Everything we say about a rule; docs and `--list-rules` come from here.
#[derive(Debug)]
pub struct RuleMeta {
    /// Stable id, e.g. `BH-DF-001`. Never reused.
    pub id: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    pub kind: RuleKind,
    /// Why it matters.
    pub rationale: &'static str,
    /// What to do instead.
    pub fix: &'static str,
    pub hadolint: &'static [&'static str],
    pub trivy: &'static [&'static str],
    pub dockle: &'static [&'static str],
    /// CIS Docker Benchmark 1.6.0 section, when one covers it.
    pub cis: &'static str,
}

/// The check function of a rule, by input kind.
#[non_exhaustive]
pub enum Check {
    Dockerfile(fn(&DockerfileCx<'_>, &mut Sink<'_>)),
    Compose(fn(&ComposeCx<'_>, &mut Sink<'_>)),
    Kubernetes(fn(&KubernetesCx<'_>, &mut Sink<'_>)),
    Image(fn(&ImageCx<'_>, &mut Sink<'_>)),
}

/// A rule.
pub struct Rule {
    pub meta: RuleMeta,
    pub check: Check,
}

/// One finding of one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static RuleMeta,
    /// 1-based start line (0 = whole file).
    pub line: usize,
    pub end_line: usize,
    /// 1-based column of the start (0 = unknown).
    pub col: usize,
    pub message: String,
    pub evidence: String,
}

impl PartialEq for RuleMeta {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}
impl Eq for RuleMeta {}

/// Collects a rule's findings.
pub struct Sink<'a> {
    pub(crate) rule: &'static RuleMeta,
    pub(crate) out: &'a mut Vec<Finding>,
}

impl Sink<'_> {
    /// Report at a span.
    pub fn at(&mut self, span: Span, message: impl Into<String>, evidence: impl Into<String>) {
        self.out.push(Finding {
            rule: self.rule,
            line: span.start.line,
            end_line: span.end.line.max(span.start.line),
            col: span.start.col,
            message: message.into(),
            evidence: evidence.into(),
        });
    }
    /// Report at a line.
    pub fn line(&mut self, line: usize, message: impl Into<String>, evidence: impl Into<String>) {
        self.out.push(Finding {
            rule: self.rule,
            line,
            end_line: line,
            col: 0,
            message: message.into(),
            evidence: evidence.into(),
        });
    }
}

/// A parsed RUN: instruction plus its simple commands.
pub struct RunScript<'a> {
    pub inst: &'a Instruction,
    pub commands: Vec<shell::Command>,
}

/// Input to Dockerfile rules.
pub struct DockerfileCx<'a> {
    pub df: &'a Dockerfile,
    /// `--target`: the stage treated as final.
    pub target: Option<&'a str>,
    /// Build context folder (for `.dockerignore` checks), when known.
    pub context: Option<&'a Path>,
    /// RUN instructions with their commands, in file order.
    pub runs: Vec<RunScript<'a>>,
}

impl<'a> DockerfileCx<'a> {
    pub fn new(df: &'a Dockerfile, target: Option<&'a str>, context: Option<&'a Path>) -> Self {
        let last = df
            .final_stage(target)
            .map(|s| s.end)
            .unwrap_or(df.instructions.len());
        let runs = df
            .instructions
            .iter()
            .take(last)
            .filter(|i| i.keyword == "RUN")
            .map(|inst| RunScript {
                inst,
                commands: shell::commands(&inst.script()),
            })
            .collect();
        DockerfileCx {
            df,
            target,
            context,
            runs,
        }
    }

    /// Instructions of the final (or `--target`) stage, FROM excluded.
    pub fn final_instructions(&self) -> &'a [Instruction] {
        match self.df.final_stage(self.target) {
            Some(s) => self.df.stage_instructions(s),
            None => &[],
        }
    }

    /// All instructions up to the end of the final stage.
    pub fn instructions(&self) -> &'a [Instruction] {
        let last = self
            .df
            .final_stage(self.target)
            .map(|s| s.end)
            .unwrap_or(self.df.instructions.len());
        self.df.instructions.get(..last).unwrap_or(&[])
    }
}

/// Input to Compose rules: the project, and each service's runtime
/// settings as the [`bulkhead_types::ContainerSpec`] the container controls
/// of `bulkhead-policy` read (same order as `project.services`).
pub struct ComposeCx<'a> {
    pub project: &'a Project,
    pub specs: Vec<bulkhead_types::ContainerSpec>,
}

impl<'a> ComposeCx<'a> {
    pub fn new(project: &'a Project) -> Self {
        ComposeCx {
            project,
            specs: project.services.iter().map(|s| s.to_spec()).collect(),
        }
    }

    /// Each service with its spec.
    pub fn services(
        &self,
    ) -> impl Iterator<Item = (&'a crate::compose::Service, &bulkhead_types::ContainerSpec)> {
        self.project.services.iter().zip(&self.specs)
    }
}

/// Input to Kubernetes rules: the objects of one manifest file.
pub struct KubernetesCx<'a> {
    pub manifest: &'a crate::kubernetes::Manifest,
}

impl<'a> KubernetesCx<'a> {
    /// Each workload with its pod template.
    pub fn pods(
        &self,
    ) -> impl Iterator<
        Item = (
            &'a crate::kubernetes::Object,
            &'a crate::kubernetes::PodSpec,
        ),
    > {
        self.manifest
            .objects
            .iter()
            .filter_map(|o| o.pod.as_ref().map(|p| (o, p)))
    }

    /// Each container of each pod template (init containers first), with
    /// its workload and pod spec (for the settings a container inherits).
    pub fn containers(
        &self,
    ) -> impl Iterator<
        Item = (
            &'a crate::kubernetes::Object,
            &'a crate::kubernetes::PodSpec,
            &'a crate::kubernetes::Container,
        ),
    > {
        self.pods()
            .flat_map(|(o, p)| p.containers.iter().map(move |c| (o, p, c)))
    }
}

pub use bulkhead_types::ImageFile;

/// Input to image-config rules.
pub struct ImageCx<'a> {
    /// The whole image config JSON (`config`, `history`, `rootfs`, …).
    pub config: &'a serde_json::Value,
    /// `config.User` (empty when unset).
    pub user: &'a str,
    /// The image's /etc/passwd users, when it has that file.
    pub users: Option<&'a [bulkhead_types::PasswdEntry]>,
    /// Regular files and folders of the squashed filesystem.
    pub files: Vec<ImageFile>,
}

/// Every registered rule, Dockerfile rules first, then Compose, then
/// Kubernetes, then image rules, sorted by id within kind.
pub fn all() -> impl Iterator<Item = &'static Rule> {
    dockerfile::RULES
        .iter()
        .copied()
        .chain(compose::RULES.iter().copied())
        .chain(kubernetes::RULES.iter().copied())
        .chain(image::RULES.iter().copied())
}

/// A rule by id.
pub fn by_id(id: &str) -> Option<&'static Rule> {
    all().find(|r| r.meta.id.eq_ignore_ascii_case(id))
}

/// Run every Dockerfile rule.
pub fn run_dockerfile(cx: &DockerfileCx<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for r in all() {
        if let Check::Dockerfile(f) = r.check {
            let mut sink = Sink {
                rule: &r.meta,
                out: &mut out,
            };
            f(cx, &mut sink);
        }
    }
    out
}

/// Run every Compose rule.
pub fn run_compose(cx: &ComposeCx<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for r in all() {
        if let Check::Compose(f) = r.check {
            let mut sink = Sink {
                rule: &r.meta,
                out: &mut out,
            };
            f(cx, &mut sink);
        }
    }
    out
}

/// Run every Kubernetes rule.
pub fn run_kubernetes(cx: &KubernetesCx<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for r in all() {
        if let Check::Kubernetes(f) = r.check {
            let mut sink = Sink {
                rule: &r.meta,
                out: &mut out,
            };
            f(cx, &mut sink);
        }
    }
    out
}

/// Run every image-config rule.
pub fn run_image(cx: &ImageCx<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for r in all() {
        if let Check::Image(f) = r.check {
            let mut sink = Sink {
                rule: &r.meta,
                out: &mut out,
            };
            f(cx, &mut sink);
        }
    }
    out
}

/// Shorthand for rule files.
macro_rules! rule {
    (
        id: $id:literal, title: $title:literal, severity: $sev:ident, kind: $kind:ident,
        rationale: $rat:literal, fix: $fix:literal,
        hadolint: [$($h:literal),*], trivy: [$($t:literal),*], dockle: [$($d:literal),*], cis: $cis:literal,
        check: $check:path $(,)?
    ) => {
        pub static RULE: $crate::rules::Rule = $crate::rules::Rule {
            meta: $crate::rules::RuleMeta {
                id: $id,
                title: $title,
                severity: bulkhead_types::Severity::$sev,
                kind: $crate::rules::RuleKind::$kind,
                rationale: $rat,
                fix: $fix,
                hadolint: &[$($h),*],
                trivy: &[$($t),*],
                dockle: &[$($d),*],
                cis: $cis,
            },
            check: $crate::rules::Check::$kind($check),
        };
    };
}
pub(crate) use rule;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_unique_and_well_formed() {
        let mut ids: Vec<&str> = all().map(|r| r.meta.id).collect();
        let n = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), n, "duplicate rule id");
        for r in all() {
            let id = r.meta.id;
            let prefix = match r.meta.kind {
                RuleKind::Dockerfile => "BH-DF-",
                RuleKind::Compose => "BH-CO-",
                RuleKind::Kubernetes => "BH-K8-",
                RuleKind::Image => "BH-IM-",
            };
            assert!(id.starts_with(prefix) && id.len() == 9, "{id}");
            assert!(!r.meta.rationale.is_empty() && !r.meta.fix.is_empty());
        }
    }
}
