//! The Docker/OCI seccomp profile JSON (what `docker run --security-opt
//! seccomp=FILE` accepts): a superset of the OCI runtime-spec
//! `linux.seccomp` object with `archMap`, `includes`/`excludes` and comments.

use serde::{Deserialize, Deserializer, Serialize};

/// Actions a rule or the default may take (`SCMP_ACT_*`).
pub const ACTIONS: &[&str] = &[
    "SCMP_ACT_KILL",
    "SCMP_ACT_KILL_PROCESS",
    "SCMP_ACT_KILL_THREAD",
    "SCMP_ACT_TRAP",
    "SCMP_ACT_ERRNO",
    "SCMP_ACT_TRACE",
    "SCMP_ACT_ALLOW",
    "SCMP_ACT_LOG",
    "SCMP_ACT_NOTIFY",
];

/// Argument comparison operators (`SCMP_CMP_*`).
pub const OPERATORS: &[&str] = &[
    "SCMP_CMP_NE",
    "SCMP_CMP_LT",
    "SCMP_CMP_LE",
    "SCMP_CMP_EQ",
    "SCMP_CMP_GE",
    "SCMP_CMP_GT",
    "SCMP_CMP_MASKED_EQ",
];

/// Whether an action lets the syscall run.
pub fn action_allows(action: &str) -> bool {
    matches!(action, "SCMP_ACT_ALLOW" | "SCMP_ACT_LOG")
}

fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A whole profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub default_action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_errno_ret: Option<u32>,
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub architectures: Vec<String>,
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub arch_map: Vec<ArchMapEntry>,
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub flags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listener_path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listener_metadata: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub syscalls: Vec<Rule>,
}

/// One `archMap` entry: a native architecture and its companions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArchMapEntry {
    pub architecture: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub sub_architectures: Vec<String>,
}

/// One rule of `syscalls[]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub names: Vec<String>,
    /// Deprecated single-name form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errno_ret: Option<u32>,
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub args: Vec<Arg>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub comment: String,
    #[serde(default, skip_serializing_if = "Condition::is_empty")]
    pub includes: Condition,
    #[serde(default, skip_serializing_if = "Condition::is_empty")]
    pub excludes: Condition,
}

impl Rule {
    /// The names this rule applies to (`names` plus the deprecated `name`).
    pub fn all_names(&self) -> impl Iterator<Item = &str> {
        self.names
            .iter()
            .map(String::as_str)
            .chain(self.name.as_deref())
    }

    /// True when the rule applies whatever the arguments, caps, arch and kernel.
    pub fn is_unconditional(&self) -> bool {
        self.args.is_empty() && self.includes.is_empty() && self.excludes.is_empty()
    }
}

/// One argument comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Arg {
    pub index: u32,
    pub value: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub value_two: u64,
    pub op: String,
}

fn is_zero(v: &u64) -> bool {
    *v == 0
}

/// `includes` / `excludes`: architecture, capability and kernel conditions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub caps: Vec<String>,
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub arches: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_kernel: Option<String>,
}

impl Condition {
    pub fn is_empty(&self) -> bool {
        self.caps.is_empty() && self.arches.is_empty() && self.min_kernel.is_none()
    }
}

/// Why a profile could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error(
        "not a valid seccomp profile: {0} (expected Docker/OCI seccomp JSON with at least `defaultAction`)"
    )]
    Json(#[from] serde_json::Error),
    #[error("invalid seccomp profile: {0}")]
    Invalid(String),
}

impl Profile {
    /// Parse and validate profile JSON.
    pub fn from_json(text: &str) -> Result<Profile, ProfileError> {
        let profile: Profile = serde_json::from_str(text)?;
        profile.validate()?;
        Ok(profile)
    }

    /// Pretty JSON with a trailing newline; field and rule order are fixed,
    /// so equal profiles give equal bytes.
    pub fn to_json(&self) -> String {
        // Serialising plain structs of strings and integers cannot fail.
        let mut s = bulkhead_types::text::to_json_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// The checks Docker/runc would make before using the profile.
    pub fn validate(&self) -> Result<(), ProfileError> {
        let bad = |m: String| Err(ProfileError::Invalid(m));
        if !ACTIONS.contains(&self.default_action.as_str()) {
            return bad(format!(
                "defaultAction `{}` is not one of {}",
                self.default_action,
                ACTIONS.join(", ")
            ));
        }
        if !self.architectures.is_empty() && !self.arch_map.is_empty() {
            return bad(
                "`architectures` and `archMap` are both set; Docker accepts only one of them"
                    .into(),
            );
        }
        for (i, rule) in self.syscalls.iter().enumerate() {
            if !ACTIONS.contains(&rule.action.as_str()) {
                return bad(format!(
                    "syscalls[{i}]: action `{}` is not one of {}",
                    rule.action,
                    ACTIONS.join(", ")
                ));
            }
            if rule.name.is_some() && !rule.names.is_empty() {
                return bad(format!(
                    "syscalls[{i}]: both `name` and `names` are set; use `names` only"
                ));
            }
            if rule.all_names().next().is_none() {
                return bad(format!("syscalls[{i}]: the rule names no syscall"));
            }
            for (j, arg) in rule.args.iter().enumerate() {
                if arg.index > 5 {
                    return bad(format!(
                        "syscalls[{i}].args[{j}]: index {} is out of range (0-5)",
                        arg.index
                    ));
                }
                if !OPERATORS.contains(&arg.op.as_str()) {
                    return bad(format!(
                        "syscalls[{i}].args[{j}]: op `{}` is not one of {}",
                        arg.op,
                        OPERATORS.join(", ")
                    ));
                }
            }
            for name in rule.all_names() {
                if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                {
                    return bad(format!("syscalls[{i}]: `{name}` is not a syscall name"));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_lists_are_empty() {
        let p = Profile::from_json(
            r#"{"defaultAction":"SCMP_ACT_ERRNO","archMap":[{"architecture":"SCMP_ARCH_RISCV64","subArchitectures":null}],"syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":null}]}"#,
        )
        .unwrap();
        assert!(p.arch_map[0].sub_architectures.is_empty());
        assert!(p.syscalls[0].is_unconditional());
    }

    #[test]
    fn errors_are_clear() {
        let e = Profile::from_json("{}").unwrap_err().to_string();
        assert!(e.contains("missing field `defaultAction`"), "{e}");
        let e = Profile::from_json(r#"{"defaultAction":"ALLOW"}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("defaultAction `ALLOW`"), "{e}");
        let e = Profile::from_json(
            r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":7,"value":1,"op":"SCMP_CMP_EQ"}]}]}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("index 7"), "{e}");
        let e = Profile::from_json("[1,2").unwrap_err().to_string();
        assert!(e.contains("not a valid seccomp profile"), "{e}");
    }
}
