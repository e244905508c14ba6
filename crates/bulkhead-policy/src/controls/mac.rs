//! AppArmor or SELinux confinement disabled (CIS 5.2/5.3, BH-CO-009):
//! `apparmor=unconfined`, an effective AppArmor profile `unconfined`
//! (inspect), `label=disable`.
use crate::{Control, Finding, Hit};
use bulkhead_types::ContainerSpec;

pub static CONTROL: Control = Control {
    name: "mac-confinement",
    title: "AppArmor or SELinux confinement disabled",
    lint: &["BH-CO-009"],
    cis: &["5.2", "5.3"],
};

/// Hit value for a disabled AppArmor profile.
pub const APPARMOR: &str = "apparmor:unconfined";
/// Hit value for disabled SELinux labels.
pub const SELINUX: &str = "label:disable";

pub fn check(s: &ContainerSpec) -> Option<Finding> {
    let line = s.line_of("security_opt");
    let mut hits = Vec::new();
    if s.has_security_opt("apparmor", Some("unconfined"))
        || s.apparmor_profile.as_deref() == Some("unconfined")
    {
        hits.push(Hit {
            value: APPARMOR.into(),
            key: "security_opt",
            line,
            index: 0,
        });
    }
    if s.has_security_opt("label", Some("disable")) {
        hits.push(Hit {
            value: SELINUX.into(),
            key: "security_opt",
            line,
            index: 0,
        });
    }
    Finding::new(&CONTROL, hits)
}
