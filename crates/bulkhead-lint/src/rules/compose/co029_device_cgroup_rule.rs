//! Broad device cgroup rules.
use crate::rules::{ComposeCx, Sink, rule};

rule! {
    id: "BH-CO-029", title: "Broad device cgroup rule", severity: High, kind: Compose,
    rationale: "`device_cgroup_rules` lets the container use device nodes it creates or gets later. A rule of type `a` or with a `*` major number allows every device of that kind (disks, /dev/mem); with `m` it may also create the node with mknod.",
    fix: "Remove the rule, or allow exactly the device needed: type `c`/`b`, fixed major:minor, and no `m` (`c 189:* rw` for USB serial, say).",
    hadolint: [], trivy: [], dockle: [], cis: "",
    check: check,
}

/// Whether a `TYPE MAJOR:MINOR ACCESS` rule is broad: type `a`, or a `*`
/// major number. Unparseable rules are reported too (Docker rejects them).
pub fn is_broad(rule: &str) -> bool {
    let mut parts = rule.split_whitespace();
    let (Some(kind), Some(nums)) = (parts.next(), parts.next()) else {
        return true;
    };
    let major = nums.split(':').next().unwrap_or("*");
    kind == "a" || major == "*"
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for s in &cx.project.services {
        for r in s.device_cgroup_rules.iter().filter(|r| is_broad(r)) {
            out.line(
                s.line_of("device_cgroup_rules"),
                format!("service {} allows devices by the cgroup rule {r:?}", s.name),
                r.clone(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_broad;

    #[test]
    fn broad_rules() {
        assert!(is_broad("a *:* rwm"));
        assert!(is_broad("a"));
        assert!(is_broad("b *:* rw"));
        assert!(is_broad("c *:1 r"));
        assert!(!is_broad("c 1:3 rwm"));
        assert!(!is_broad("c 189:* rw"));
    }
}
