use std::fmt;

/// An image platform: `os/arch[/variant]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Platform {
    pub os: String,
    pub arch: String,
    pub variant: String,
}

impl Platform {
    /// Parse `os/arch[/variant]`.
    pub fn parse(s: &str) -> Result<Platform, String> {
        let parts: Vec<&str> = s.split('/').collect();
        match parts.as_slice() {
            [os, arch] if !os.is_empty() && !arch.is_empty() => Ok(Platform {
                os: (*os).to_string(),
                arch: (*arch).to_string(),
                variant: String::new(),
            }),
            [os, arch, variant] if !os.is_empty() && !arch.is_empty() => Ok(Platform {
                os: (*os).to_string(),
                arch: (*arch).to_string(),
                variant: (*variant).to_string(),
            }),
            _ => Err(format!(
                "bad platform {s:?}: use os/arch[/variant], e.g. linux/amd64 or linux/arm64/v8"
            )),
        }
    }

    /// The platform of this machine, in OCI spelling.
    pub fn host() -> Platform {
        let arch = match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            "x86" => "386",
            "arm" => "arm",
            "powerpc64" => "ppc64le",
            "s390x" => "s390x",
            "riscv64" => "riscv64",
            other => other,
        };
        Platform {
            os: "linux".into(),
            arch: arch.into(),
            variant: String::new(),
        }
    }

    /// Whether `self` (what the user asked for) accepts `other` (an index entry).
    /// An empty variant in the request accepts any variant.
    pub fn accepts(&self, other: &Platform) -> bool {
        self.os == other.os
            && self.arch == other.arch
            && (self.variant.is_empty() || self.variant == other.variant)
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.variant.is_empty() {
            write!(f, "{}/{}", self.os, self.arch)
        } else {
            write!(f, "{}/{}/{}", self.os, self.arch, self.variant)
        }
    }
}
