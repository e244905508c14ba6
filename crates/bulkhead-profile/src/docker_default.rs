//! Docker's default seccomp profile, embedded as data (see `data/README.md`
//! for its source commit and version).

use crate::model::Profile;

/// The JSON text, unchanged from moby/profiles `seccomp/default.json`.
pub const JSON: &str = include_str!("../data/docker-default-seccomp.json");

/// Where [`JSON`] comes from.
pub const SOURCE: &str = "moby/profiles seccomp/default.json @ 3c28324314729dbade8287e868eef6338c42807a (seccomp/v0.2.3, 2026-05-06)";

/// The parsed default profile.
pub fn profile() -> Result<Profile, crate::model::ProfileError> {
    Profile::from_json(JSON)
}

#[cfg(test)]
mod tests {
    #[test]
    fn embedded_profile_parses() {
        let p = super::profile().unwrap();
        assert_eq!(p.default_action, "SCMP_ACT_ERRNO");
        assert_eq!(p.default_errno_ret, Some(1));
        assert_eq!(p.syscalls.len(), 33);
    }
}
