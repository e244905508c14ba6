//! What `bulkhead caps decode|inspect` prints: a decoded mask (the `capsh`
//! line and a table of bit, name and Docker default) and a container's
//! capabilities, as text or JSON.

use bulkhead_types::caps::{CapBit, CapMask, ContainerCaps, ProcSets};
use bulkhead_types::text::{terminal_safe_multiline, to_json_pretty};

fn mark(bit: &CapBit) -> &'static str {
    match (bit.docker_default, bit.high_risk) {
        (true, _) => "yes",
        (false, true) => "no  (beyond default, high risk)",
        (false, false) => "no  (beyond default)",
    }
}

/// The table of a mask's bits: bit, name, whether Docker grants it.
fn table(mask: &CapMask) -> String {
    let mut out = format!("{:>4}  {:<24}  {}\n", "BIT", "NAME", "DOCKER DEFAULT");
    for b in &mask.bits {
        out.push_str(&format!("{:>4}  {:<24}  {}\n", b.bit, b.name, mark(b)));
    }
    out
}

/// `bulkhead caps decode`: the `capsh` line and the table, or JSON.
pub fn decode(mask: &CapMask, json: bool) -> serde_json::Result<String> {
    if json {
        let v = serde_json::json!({
            "mask": format!("0x{:016x}", mask.mask),
            "capsh": mask.capsh,
            "capabilities": mask.bits,
            "beyond_docker_default": mask.beyond_default(),
        });
        Ok(format!("{}\n", to_json_pretty(&v)?))
    } else {
        Ok(format!("{}\n\n{}", mask.capsh, table(mask)))
    }
}

/// `bulkhead caps inspect`: a container's settings and its init process's
/// sets, or JSON. Names and the daemon's notes come from the daemon: the
/// text passes [`terminal_safe_multiline`] whole.
pub fn inspect(caps: &ContainerCaps, json: bool) -> serde_json::Result<String> {
    if json {
        let sets = caps.process.as_ref().map(|p| {
            let set = |m: &CapMask| {
                serde_json::json!({
                    "mask": format!("0x{:016x}", m.mask),
                    "names": m.names(),
                    "beyond_docker_default": m.beyond_default(),
                })
            };
            serde_json::json!({
                "effective": set(&p.effective), "permitted": set(&p.permitted),
                "bounding": set(&p.bounding), "inheritable": set(&p.inheritable),
                "ambient": set(&p.ambient),
            })
        });
        let v = serde_json::json!({
            "container": caps.name, "id": caps.id, "pid": caps.pid,
            "privileged": caps.privileged, "cap_add": caps.cap_add, "cap_drop": caps.cap_drop,
            "expected_bounding": format!("0x{:016x}", caps.expected_bounding.mask),
            "process": sets, "note": caps.process_note,
        });
        Ok(format!("{}\n", to_json_pretty(&v)?))
    } else {
        Ok(terminal_safe_multiline(&inspect_text(caps)).into_owned())
    }
}

fn inspect_text(caps: &ContainerCaps) -> String {
    let mut out = format!(
        "container {} (pid {})\nprivileged: {}\nCapAdd: {:?}\nCapDrop: {:?}\nexpected bounding set: {}\n",
        caps.name,
        caps.pid,
        caps.privileged,
        caps.cap_add,
        caps.cap_drop,
        caps.expected_bounding.capsh
    );
    match &caps.process {
        Some(ProcSets {
            inheritable,
            permitted,
            effective,
            bounding,
            ambient,
        }) => {
            for (label, m) in [
                ("CapEff", effective),
                ("CapPrm", permitted),
                ("CapBnd", bounding),
                ("CapInh", inheritable),
                ("CapAmb", ambient),
            ] {
                let beyond = m.beyond_default();
                out.push_str(&format!(
                    "{label}: {}\n{}",
                    m.capsh,
                    if beyond.is_empty() {
                        String::new()
                    } else {
                        format!("  beyond Docker's default set: {}\n", beyond.join(", "))
                    }
                ));
            }
            out.push('\n');
            out.push_str("effective set:\n");
            out.push_str(&table(effective));
        }
        None => out.push_str(&format!(
            "process sets unavailable: {}\n",
            caps.process_note.clone().unwrap_or_default()
        )),
    }
    out
}
