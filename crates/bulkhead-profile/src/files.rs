//! Profiles and recordings read from files, for `bulkhead seccomp` and
//! any other caller: a profile by path or built-in name ([`load`]), its lint
//! as a report ([`lint_report`]), the syscall names of strace output and
//! audit logs ([`syscall_names`], [`recorded_names`]), and an AppArmor
//! profile from a policy file ([`apparmor_profile`]).

use crate::apparmor::{self, PolicyError};
use crate::audit::AuditError;
use crate::model::{Profile, ProfileError};
use crate::strace::StraceError;
use crate::{docker_default, lint};
use bulkhead_types::{ArtifactType, Class, Report, ScanResult};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The built-in profile name [`load`] accepts besides a file path.
pub const DOCKER_DEFAULT: &str = "docker-default";

/// Why a profile or recording file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The file cannot be read.
    #[error("cannot read {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is not a valid profile.
    #[error("profile {spec}")]
    Profile {
        spec: String,
        #[source]
        source: ProfileError,
    },
    /// The embedded Docker default profile does not parse: a bug.
    #[error("{0}")]
    BuiltIn(ProfileError),
    /// strace output that cannot be read.
    #[error("strace input {}", path.display())]
    Strace {
        path: PathBuf,
        #[source]
        source: StraceError,
    },
    /// Audit log lines that cannot be read.
    #[error("audit input {}", path.display())]
    Audit {
        path: PathBuf,
        #[source]
        source: AuditError,
    },
    /// An AppArmor policy file that cannot be read.
    #[error("cannot read policy {}", path.display())]
    PolicyRead {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// An AppArmor policy that is not valid.
    #[error("policy {}", path.display())]
    Policy {
        path: PathBuf,
        #[source]
        source: PolicyError,
    },
}

fn read(path: &Path) -> Result<String, FileError> {
    std::fs::read_to_string(path).map_err(|source| FileError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// A profile by file path or [`DOCKER_DEFAULT`], with the name to show for
/// it (the built-in one names its source).
pub fn load(spec: &str) -> Result<(String, Profile), FileError> {
    if spec == DOCKER_DEFAULT {
        let p = docker_default::profile().map_err(FileError::BuiltIn)?;
        return Ok((format!("{DOCKER_DEFAULT} ({})", docker_default::SOURCE), p));
    }
    let p = Profile::from_json(&read(Path::new(spec))?).map_err(|source| FileError::Profile {
        spec: spec.to_string(),
        source,
    })?;
    Ok((spec.to_string(), p))
}

/// The lint of a profile (as [`load`] reads it, or `unconfined`: no
/// filter at all) as a config report with one result.
pub fn lint_report(spec: &str) -> Result<Report, FileError> {
    let mut result = ScanResult::new(spec, Class::Config, "seccomp");
    if spec == "unconfined" {
        result.misconfigurations.push(lint::unconfined());
    } else {
        result.misconfigurations = lint::lint(&load(spec)?.1);
    }
    let mut report = Report::new(spec, ArtifactType::Config);
    report.results.push(result);
    Ok(report)
}

/// The syscall names used in `strace` files (raw traces or `-c` summary
/// tables, told apart by content) and in `audit` files (kernel audit or
/// syslog `type=SECCOMP` lines), merged.
pub fn syscall_names(strace: &[PathBuf], audit: &[PathBuf]) -> Result<BTreeSet<String>, FileError> {
    let mut names = BTreeSet::new();
    for path in strace {
        names.extend(parse_strace(path, &read(path)?)?);
    }
    for path in audit {
        names.extend(parse_audit(path, &read(path)?)?);
    }
    Ok(names)
}

/// The syscall names of one recording whose kind is told by its content:
/// audit or syslog lines name their record type (`type=SECCOMP`,
/// `type=1326`), anything else is strace output.
pub fn recorded_names(path: &Path) -> Result<BTreeSet<String>, FileError> {
    let text = read(path)?;
    if text.contains("type=SECCOMP") || text.contains("type=1326") {
        parse_audit(path, &text)
    } else {
        parse_strace(path, &text)
    }
}

fn parse_strace(path: &Path, text: &str) -> Result<BTreeSet<String>, FileError> {
    crate::strace::parse(text).map_err(|source| FileError::Strace {
        path: path.to_path_buf(),
        source,
    })
}

fn parse_audit(path: &Path, text: &str) -> Result<BTreeSet<String>, FileError> {
    crate::audit::parse(text)
        .map(|a| a.names())
        .map_err(|source| FileError::Audit {
            path: path.to_path_buf(),
            source,
        })
}

/// The AppArmor profile of the TOML policy in `path`
/// ([`apparmor::generate`]).
pub fn apparmor_profile(path: &Path) -> Result<String, FileError> {
    let text = std::fs::read_to_string(path).map_err(|source| FileError::PolicyRead {
        path: path.to_path_buf(),
        source,
    })?;
    let invalid = |source| FileError::Policy {
        path: path.to_path_buf(),
        source,
    };
    apparmor::generate(&apparmor::Policy::from_toml(&text).map_err(invalid)?).map_err(invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    const AUDIT: &str = "type=SECCOMP msg=audit(1.0:1): pid=1 comm=\"x\" sig=0 arch=c000003e syscall=0 compat=0 ip=0x0 code=0x7ffc0000\n";

    #[test]
    fn recordings_merge_and_name_the_failing_file() {
        let dir = tempfile::tempdir().unwrap();
        let strace = temp(
            &dir,
            "trace.txt",
            "1 read(3, \"\", 4) = 0\n1 close(3) = 0\n",
        );
        let audit = temp(&dir, "audit.log", AUDIT);
        let names =
            syscall_names(std::slice::from_ref(&strace), std::slice::from_ref(&audit)).unwrap();
        assert_eq!(names.into_iter().collect::<Vec<_>>(), ["close", "read"]);
        assert_eq!(recorded_names(&audit).unwrap().len(), 1);
        assert_eq!(recorded_names(&strace).unwrap().len(), 2);
        let junk = temp(&dir, "junk.txt", "hello\n");
        let e = syscall_names(&[], std::slice::from_ref(&junk)).unwrap_err();
        assert_eq!(e.to_string(), format!("audit input {}", junk.display()));
        assert!(std::error::Error::source(&e).is_some());
        let e = syscall_names(&[junk.with_extension("none")], &[]).unwrap_err();
        assert!(matches!(e, FileError::Read { .. }), "{e}");
        let e = syscall_names(&[temp(&dir, "empty.txt", "  \n")], &[]).unwrap_err();
        assert!(matches!(e, FileError::Strace { .. }), "{e}");
    }

    #[test]
    fn profiles_by_name_or_path() {
        let dir = tempfile::tempdir().unwrap();
        let (name, _) = load(DOCKER_DEFAULT).unwrap();
        assert!(name.starts_with("docker-default (moby/profiles"), "{name}");
        let bad = temp(&dir, "bad.json", "{\"nope\": 1}");
        let e = load(bad.to_str().unwrap()).unwrap_err();
        assert_eq!(e.to_string(), format!("profile {}", bad.display()));
        let r = lint_report("unconfined").unwrap();
        assert_eq!(r.results[0].misconfigurations[0].id, "BHSC001");
        let e = apparmor_profile(&dir.path().join("none.toml")).unwrap_err();
        assert!(e.to_string().starts_with("cannot read policy"), "{e}");
        let bad = temp(&dir, "p.toml", "name = \"x y\"\n");
        let e = apparmor_profile(&bad).unwrap_err();
        assert_eq!(e.to_string(), format!("policy {}", bad.display()));
        let r = lint_report(DOCKER_DEFAULT).unwrap();
        assert_eq!(r.artifact_name, DOCKER_DEFAULT);
        assert_eq!(r.results[0].kind, "seccomp");
    }
}
