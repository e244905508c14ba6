//! Comparing two seccomp profiles syscall by syscall.

use crate::model::{Arg, Condition, Profile, Rule, action_allows};
use crate::table;
use serde::Serialize;
use std::collections::BTreeSet;

/// How one profile treats one syscall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Treatment {
    /// `allowed`, `conditional` or `denied`.
    pub status: &'static str,
    /// The rules that mention the syscall, as readable conditions; the
    /// default action when none does.
    pub rules: Vec<String>,
}

/// One syscall treated differently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub syscall: String,
    pub a: Treatment,
    pub b: Treatment,
}

/// The differences between profiles A and B.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileDiff {
    pub a_name: String,
    pub b_name: String,
    /// Differences of default action / errno / architectures, as text.
    pub header: Vec<String>,
    /// Allowed (always) in A, not allowed at all in B.
    pub allowed_only_in_a: Vec<String>,
    /// Allowed (always) in B, not allowed at all in A.
    pub allowed_only_in_b: Vec<String>,
    /// Every other difference (conditions, errno values, partial allows).
    pub conditions_differ: Vec<Change>,
}

impl ProfileDiff {
    pub fn is_empty(&self) -> bool {
        self.header.is_empty()
            && self.allowed_only_in_a.is_empty()
            && self.allowed_only_in_b.is_empty()
            && self.conditions_differ.is_empty()
    }
}

fn arg_text(a: &Arg) -> String {
    let op = a.op.trim_start_matches("SCMP_CMP_");
    match op {
        "MASKED_EQ" => format!("arg{} & {:#x} == {:#x}", a.index, a.value, a.value_two),
        _ => {
            let sym = match op {
                "NE" => "!=",
                "LT" => "<",
                "LE" => "<=",
                "EQ" => "==",
                "GE" => ">=",
                "GT" => ">",
                other => other,
            };
            format!("arg{} {sym} {:#x}", a.index, a.value)
        }
    }
}

fn cond_text(prefix: &str, c: &Condition) -> Vec<String> {
    let mut out = Vec::new();
    if !c.caps.is_empty() {
        out.push(format!("{prefix}caps {}", c.caps.join("+")));
    }
    if !c.arches.is_empty() {
        out.push(format!("{prefix}arches {}", c.arches.join(",")));
    }
    if let Some(k) = &c.min_kernel {
        out.push(format!("{prefix}kernel >= {k}"));
    }
    out
}

fn rule_text(rule: &Rule) -> String {
    let mut s = rule.action.trim_start_matches("SCMP_ACT_").to_string();
    if let Some(e) = rule.errno_ret {
        s.push_str(&format!("({e})"));
    }
    let mut conds: Vec<String> = rule.args.iter().map(arg_text).collect();
    conds.extend(cond_text("with ", &rule.includes));
    conds.extend(cond_text("unless ", &rule.excludes));
    if !conds.is_empty() {
        s.push_str(" if ");
        s.push_str(&conds.join(" and "));
    }
    s
}

fn default_text(p: &Profile) -> String {
    let mut s = format!(
        "default {}",
        p.default_action.trim_start_matches("SCMP_ACT_")
    );
    if let Some(e) = p.default_errno_ret {
        s.push_str(&format!("({e})"));
    }
    s
}

fn treatment(p: &Profile, name: &str) -> Treatment {
    let rules: Vec<&Rule> = p
        .syscalls
        .iter()
        .filter(|r| r.all_names().any(|n| n == name))
        .collect();
    if rules.is_empty() {
        let allowed = action_allows(&p.default_action);
        return Treatment {
            status: if allowed { "allowed" } else { "denied" },
            rules: vec![default_text(p)],
        };
    }
    let always = rules
        .iter()
        .any(|r| action_allows(&r.action) && r.is_unconditional());
    let some = rules.iter().any(|r| action_allows(&r.action));
    let mut texts: Vec<String> = rules.iter().map(|r| rule_text(r)).collect();
    texts.sort();
    texts.dedup();
    Treatment {
        status: if always {
            "allowed"
        } else if some {
            "conditional"
        } else {
            "denied"
        },
        rules: texts,
    }
}

/// Compare A with B.
pub fn diff(a_name: &str, a: &Profile, b_name: &str, b: &Profile) -> ProfileDiff {
    let mut header = Vec::new();
    if a.default_action != b.default_action || a.default_errno_ret != b.default_errno_ret {
        header.push(format!("A: {}; B: {}", default_text(a), default_text(b)));
    }
    let arches = |p: &Profile| -> Vec<String> {
        if p.arch_map.is_empty() {
            p.architectures.clone()
        } else {
            p.arch_map
                .iter()
                .map(|m| {
                    if m.sub_architectures.is_empty() {
                        m.architecture.clone()
                    } else {
                        format!("{}+{}", m.architecture, m.sub_architectures.join("+"))
                    }
                })
                .collect()
        }
    };
    let (aa, ba) = (arches(a), arches(b));
    if aa != ba {
        header.push(format!(
            "architectures A: [{}]; B: [{}]",
            aa.join(", "),
            ba.join(", ")
        ));
    }
    let mut names: BTreeSet<String> = a
        .syscalls
        .iter()
        .chain(b.syscalls.iter())
        .flat_map(|r| r.all_names().map(str::to_string))
        .collect();
    if action_allows(&a.default_action) || action_allows(&b.default_action) {
        names.extend(table::all_names().into_iter().map(str::to_string));
    }
    let mut d = ProfileDiff {
        a_name: a_name.into(),
        b_name: b_name.into(),
        header,
        allowed_only_in_a: Vec::new(),
        allowed_only_in_b: Vec::new(),
        conditions_differ: Vec::new(),
    };
    for name in names {
        let ta = treatment(a, &name);
        let tb = treatment(b, &name);
        if ta.status == tb.status && (ta.rules == tb.rules || ta.status == "denied") {
            continue;
        }
        match (ta.status, tb.status) {
            ("allowed", "denied") => d.allowed_only_in_a.push(name),
            ("denied", "allowed") => d.allowed_only_in_b.push(name),
            _ => d.conditions_differ.push(Change {
                syscall: name,
                a: ta,
                b: tb,
            }),
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_diff() {
        let a = Profile::from_json(r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","write","socket"],"action":"SCMP_ACT_ALLOW"}]}"#).unwrap();
        let b = Profile::from_json(r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","mount"],"action":"SCMP_ACT_ALLOW"},{"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":38,"op":"SCMP_CMP_LT"}]}]}"#).unwrap();
        let d = diff("a", &a, "b", &b);
        assert_eq!(d.allowed_only_in_a, ["write"]);
        assert_eq!(d.allowed_only_in_b, ["mount"]);
        assert_eq!(d.conditions_differ.len(), 1);
        assert_eq!(d.conditions_differ[0].b.rules, ["ALLOW if arg0 < 0x26"]);
        assert!(diff("a", &a, "a", &a).is_empty());
    }
}
