//! Broad device cgroup rules.
use crate::rules::{ComposeCx, Sink, rule};
use bulkhead_policy::controls::device_cgroup_rules;

rule! {
    id: "BH-CO-029", title: "Broad device cgroup rule", severity: High, kind: Compose,
    rationale: "`device_cgroup_rules` lets the container use device nodes it creates or gets later. A rule of type `a` or with a `*` major number allows every device of that kind (disks, /dev/mem); with `m` it may also create the node with mknod.",
    fix: "Remove the rule, or allow exactly the device needed: type `c`/`b`, fixed major:minor, and no `m` (`c 189:* rw` for USB serial, say).",
    hadolint: [], trivy: [], dockle: [], cis: "",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for (s, spec) in cx.services() {
        for h in device_cgroup_rules::check(spec).into_iter().flat_map(|f| f.hits) {
            out.line(
                h.line,
                format!(
                    "service {} allows devices by the cgroup rule {:?}",
                    s.name, h.value
                ),
                h.value,
            );
        }
    }
}
