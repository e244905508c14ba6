//! Secret-looking names, values and files: one classifier for the
//! Dockerfile, Compose and image-config rules (`bulkhead-lint`) and for the
//! redaction of everything a report repeats from an image
//! (`bulkhead-secrets`). Plain string matching (no regex crate needed for
//! these few shapes).

/// Whether an ENV/ARG/environment name looks like it holds a secret.
///
/// Splits the name on `_`, `-` and `.` and looks for a secret word as a whole
/// part (`DB_PASSWORD`, `GITHUB_TOKEN`, `API_KEY`), or a glued form
/// (`APIKEY`, `PASSWD`). Names that point to a file (`*_FILE`, `*_PATH`,
/// `*_DIR`) or are public by design (`PUBLIC`, `GPG_KEY` fingerprints used by
/// official images) are not secrets.
pub fn is_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let parts: Vec<&str> = upper
        .split(['_', '-', '.'])
        .filter(|p| !p.is_empty())
        .collect();
    if parts.last().is_some_and(|p| {
        matches!(
            *p,
            "FILE" | "PATH" | "DIR" | "URL" | "HOST" | "PORT" | "ID" | "USER" | "USERNAME" | "NAME"
        )
    }) || parts.contains(&"PUBLIC")
    {
        // `DB_PASSWORD_FILE`, `AWS_ACCESS_KEY_ID`, `DB_USER` …: not a secret value.
        return false;
    }
    if matches!(upper.as_str(), "GPG_KEY" | "GPG_KEYS" | "KEYRING") {
        return false;
    }
    if matches!(upper.as_str(), "PASSWORD_FILE" | "TOKEN_FILE") {
        return false;
    }
    parts.iter().any(|p| {
        matches!(
            *p,
            "PASSWORD"
                | "PASSWD"
                | "PWD"
                | "PASS"
                | "PSW"
                | "PWORD"
                | "SECRET"
                | "SECRETS"
                | "TOKEN"
                | "APIKEY"
                | "CREDENTIAL"
                | "CREDENTIALS"
                | "AUTH"
                | "PRIVATE"
        )
    }) || (parts.last() == Some(&"KEY") && parts.len() > 1)
        || upper.contains("API_KEY")
        || upper.contains("SECRET_ACCESS_KEY")
        || upper.ends_with("PASSWORD")
        || upper.ends_with("TOKEN")
}

/// Whether a value looks like a real credential (known token shapes).
pub fn is_secret_value(v: &str) -> bool {
    let v = v.trim();
    const PREFIXES: &[(&str, usize)] = &[
        ("AKIA", 20),
        ("ASIA", 20),
        ("ghp_", 36),
        ("gho_", 36),
        ("ghs_", 36),
        ("ghu_", 36),
        ("github_pat_", 40),
        ("glpat-", 20),
        ("xoxb-", 20),
        ("xoxp-", 20),
        ("sk_live_", 20),
        ("sk-", 40),
        ("npm_", 36),
        ("AIza", 39),
        ("hf_", 34),
    ];
    if v.contains("-----BEGIN") && v.contains("PRIVATE KEY") {
        return true;
    }
    PREFIXES.iter().any(|(p, len)| {
        v.starts_with(p)
            && v.len() >= *len
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
    })
}

/// Whether a literal value is a placeholder rather than a secret: empty, a
/// variable reference, or an obvious dummy.
pub fn is_placeholder(v: &str) -> bool {
    let t = v.trim();
    t.is_empty()
        || t.starts_with('$')
        || t.starts_with("/run/secrets/")
        || matches!(
            t.to_ascii_lowercase().as_str(),
            "changeme" | "change-me" | "xxx" | "todo" | "none" | "null" | "dummy" | "placeholder"
        )
}

/// File names that hold credentials and must not be baked into layers.
pub fn is_secret_file(path: &str) -> bool {
    let p = path.trim_end_matches('/');
    let base = p.rsplit('/').next().unwrap_or(p).to_ascii_lowercase();
    matches!(
        base.as_str(),
        ".npmrc"
            | ".netrc"
            | ".pypirc"
            | ".git-credentials"
            | ".env"
            | ".htpasswd"
            | "credentials"
            | "credentials.json"
            | "credential.json"
            | "id_rsa"
            | "id_dsa"
            | "id_ecdsa"
            | "id_ed25519"
            | ".dockercfg"
            | "secrets.yml"
            | "secrets.yaml"
            | "master.key"
            | ".vault-token"
    ) || base.starts_with(".env.") && !base.ends_with(".example") && !base.ends_with(".sample")
        || base.ends_with(".pem")
        || base.ends_with(".key")
        || base.ends_with(".p12")
        || base.ends_with(".pfx")
        || base.ends_with(".jks")
        || base.ends_with(".kdbx")
        || p.to_ascii_lowercase().ends_with(".aws/credentials")
        || p.to_ascii_lowercase().ends_with(".docker/config.json")
        || p.to_ascii_lowercase().ends_with(".kube/config")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for n in [
            "DB_PASSWORD",
            "GITHUB_TOKEN",
            "API_KEY",
            "AWS_SECRET_ACCESS_KEY",
            "NPM_TOKEN",
            "MYSQL_ROOT_PASSWORD",
            "client_secret",
            "PRIVATE_KEY",
            "APIKEY",
        ] {
            assert!(is_secret_name(n), "{n}");
        }
        for n in [
            "PATH",
            "DB_PASSWORD_FILE",
            "AWS_ACCESS_KEY_ID",
            "GPG_KEY",
            "NODE_ENV",
            "DB_USER",
            "PUBLIC_KEY_URL",
            "KEYCLOAK_URL",
            "MONKEY",
        ] {
            assert!(!is_secret_name(n), "{n}");
        }
    }

    #[test]
    fn values_and_files() {
        assert!(is_secret_value("AKIAIOSFODNN7EXAMPLE"));
        assert!(is_secret_value("ghp_0123456789abcdefghijABCDEFGHIJ012345"));
        assert!(!is_secret_value("hello"));
        assert!(is_secret_file("./config/.npmrc"));
        assert!(is_secret_file("/root/.ssh/id_rsa"));
        assert!(is_secret_file("certs/server.key"));
        assert!(!is_secret_file(".env.example"));
        assert!(!is_secret_file("package.json"));
    }
}
