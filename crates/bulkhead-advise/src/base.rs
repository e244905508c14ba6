//! Which image an image was built on: from the OCI annotations that
//! builders copy into the config labels, or by matching layers against
//! images the user names.

use serde::Serialize;

/// Label naming the base image (`docker buildx` and others set it).
pub const BASE_NAME_LABEL: &str = "org.opencontainers.image.base.name";
/// Label with the base image's manifest digest.
pub const BASE_DIGEST_LABEL: &str = "org.opencontainers.image.base.digest";

/// How the base image was identified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BaseSource {
    /// The image config's `org.opencontainers.image.base.*` labels.
    Label,
    /// The image's first layers are exactly a named image's layers.
    Layers,
}

/// The identified base image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BaseImage {
    /// Its name (`debian:12`, a path given by the user), when known.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Its manifest digest, when labelled.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub digest: String,
    pub source: BaseSource,
    /// How many of the image's layers come from the base (layer match only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layers: Option<usize>,
}

/// The longest reasonable label value; longer ones are ignored (labels are
/// untrusted image data that ends up on screen).
const MAX_LABEL_LEN: usize = 512;

fn label<'a>(config: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    let labels = config
        .get("config")
        .or_else(|| config.get("Config"))
        .and_then(|c| c.get("Labels"))?;
    labels
        .get(key)
        .and_then(|v| v.as_str())
        .map(str::trim)
        .filter(|s| !s.is_empty() && s.len() <= MAX_LABEL_LEN)
        .filter(|s| !s.chars().any(char::is_control))
}

/// The base image named by the config's labels (an image config as stored:
/// labels under `config.Labels`).
pub fn from_labels(config: &serde_json::Value) -> Option<BaseImage> {
    let name = label(config, BASE_NAME_LABEL).unwrap_or("");
    let digest = label(config, BASE_DIGEST_LABEL)
        .filter(|d| is_digest(d))
        .unwrap_or("");
    if name.is_empty() && digest.is_empty() {
        return None;
    }
    Some(BaseImage {
        name: name.to_string(),
        digest: digest.to_string(),
        source: BaseSource::Label,
        layers: None,
    })
}

fn is_digest(s: &str) -> bool {
    s.split_once(':').is_some_and(|(alg, hex)| {
        !alg.is_empty()
            && alg.bytes().all(|b| {
                b.is_ascii_alphanumeric() || b == b'+' || b == b'.' || b == b'_' || b == b'-'
            })
            && hex.len() >= 32
            && hex.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

/// How many leading layers two images share.
pub fn shared_prefix(a: &[String], b: &[String]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// The candidate whose layers are exactly the first layers of `image`
/// (`diff_ids` in order); the one with the most layers wins, then the first
/// named. A candidate with no layers matches nothing.
pub fn from_layers<'a>(
    image: &[String],
    candidates: impl IntoIterator<Item = (&'a str, &'a [String])>,
) -> Option<BaseImage> {
    let mut best: Option<(&str, usize)> = None;
    for (name, layers) in candidates {
        let n = layers.len();
        if n == 0 || n > image.len() || shared_prefix(image, layers) != n {
            continue;
        }
        if best.is_none_or(|(_, m)| n > m) {
            best = Some((name, n));
        }
    }
    best.map(|(name, n)| BaseImage {
        name: name.to_string(),
        digest: String::new(),
        source: BaseSource::Layers,
        layers: Some(n),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use serde_json::json;

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| format!("sha256:{s}")).collect()
    }

    #[test]
    fn labels() {
        let digest = format!("sha256:{}", "ab".repeat(32));
        let c = json!({"config": {"Labels": {BASE_NAME_LABEL: " docker.io/library/debian:12 ", BASE_DIGEST_LABEL: digest}}});
        let b = from_labels(&c).unwrap();
        assert_eq!(b.name, "docker.io/library/debian:12");
        assert_eq!(b.digest, digest);
        assert_eq!(b.source, BaseSource::Label);
        // Hostile or useless values are ignored.
        for bad in [
            json!(""),
            json!(42),
            json!("a\u{1b}[2Jb"),
            json!("x".repeat(600)),
        ] {
            let c = json!({"config": {"Labels": {BASE_NAME_LABEL: bad}}});
            assert_eq!(from_labels(&c), None);
        }
        let c = json!({"config": {"Labels": {BASE_DIGEST_LABEL: "sha256:nothex"}}});
        assert_eq!(from_labels(&c), None);
        assert_eq!(from_labels(&json!({"config": {"Labels": null}})), None);
        assert_eq!(from_labels(&json!([])), None);
    }

    #[test]
    fn layer_match_prefers_the_longest_prefix() {
        let image = ids(&["a", "b", "c", "d"]);
        let short = ids(&["a"]);
        let long = ids(&["a", "b"]);
        let other = ids(&["a", "x"]);
        let bigger = ids(&["a", "b", "c", "d", "e"]);
        let empty: Vec<String> = Vec::new();
        let b = from_layers(
            &image,
            [
                ("short", short.as_slice()),
                ("other", other.as_slice()),
                ("long", long.as_slice()),
                ("bigger", bigger.as_slice()),
                ("empty", empty.as_slice()),
            ],
        )
        .unwrap();
        assert_eq!(b.name, "long");
        assert_eq!(b.layers, Some(2));
        assert_eq!(b.source, BaseSource::Layers);
        assert_eq!(from_layers(&image, [("other", other.as_slice())]), None);
        assert_eq!(shared_prefix(&image, &other), 1);
    }
}
