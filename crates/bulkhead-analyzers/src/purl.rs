//! Package URLs (purl) for inventory entries.

use bulkhead_types::{Ecosystem, OsInfo, Package};
use packageurl::PackageUrl;

/// The `distro` qualifier for an OS package: `debian-12`, `3.19.1`, `almalinux-9.3`.
pub fn distro_qualifier(eco: Ecosystem, os: &OsInfo) -> String {
    match eco {
        Ecosystem::Apk => os.name.clone(),
        Ecosystem::Dpkg if os.family == "debian" => {
            let major = os.name.split('.').next().unwrap_or(&os.name);
            format!("debian-{major}")
        }
        _ => format!("{}-{}", os.family, os.name),
    }
}

/// Fill `pkg.identifier.purl` for an OS package.
pub fn set_os_purl(pkg: &mut Package, os: Option<&OsInfo>) {
    let Some(eco) = pkg.ecosystem else { return };
    let namespace = match eco {
        Ecosystem::Dpkg => os.map_or("debian", |o| {
            if o.family.is_empty() {
                "debian"
            } else {
                o.family.as_str()
            }
        }),
        Ecosystem::Apk => os.map_or("alpine", |o| {
            if o.family.is_empty() {
                "alpine"
            } else {
                o.family.as_str()
            }
        }),
        Ecosystem::Rpm => os.map_or("redhat", |o| {
            if o.family.is_empty() {
                "redhat"
            } else {
                o.family.as_str()
            }
        }),
        _ => return,
    };
    let Ok(mut purl) = PackageUrl::new(eco.purl_type(), pkg.name.as_str()) else {
        return;
    };
    if purl.with_namespace(namespace).is_err() {
        return;
    }
    // rpm: version-release in the version, epoch as a qualifier (purl spec).
    let (epoch, version) = match (eco, pkg.version.split_once(':')) {
        (Ecosystem::Rpm, Some((e, v))) if e.bytes().all(|b| b.is_ascii_digit()) => {
            (Some(e.to_string()), v.to_string())
        }
        _ => (None, pkg.version.clone()),
    };
    if purl.with_version(version).is_err() {
        return;
    }
    if !pkg.arch.is_empty() {
        let _ = purl.add_qualifier("arch", pkg.arch.clone());
    }
    if let Some(e) = epoch {
        let _ = purl.add_qualifier("epoch", e);
    }
    if let Some(os) = os
        && !os.family.is_empty()
    {
        let _ = purl.add_qualifier("distro", distro_qualifier(eco, os));
    }
    pkg.identifier.purl = purl.to_string();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deb_purl() {
        let mut p = Package::new(Ecosystem::Dpkg, "libc6", "2.36-9+deb12u4");
        p.arch = "amd64".into();
        let os = OsInfo {
            family: "debian".into(),
            name: "12.5".into(),
            ..Default::default()
        };
        set_os_purl(&mut p, Some(&os));
        assert_eq!(
            p.identifier.purl,
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12"
        );
    }

    #[test]
    fn rpm_purl_with_epoch() {
        let mut p = Package::new(Ecosystem::Rpm, "openssl-libs", "1:3.0.7-24.el9");
        p.arch = "x86_64".into();
        let os = OsInfo {
            family: "almalinux".into(),
            name: "9.3".into(),
            ..Default::default()
        };
        set_os_purl(&mut p, Some(&os));
        assert_eq!(
            p.identifier.purl,
            "pkg:rpm/almalinux/openssl-libs@3.0.7-24.el9?arch=x86_64&distro=almalinux-9.3&epoch=1"
        );
    }
}
