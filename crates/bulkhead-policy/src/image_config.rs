//! An image config (`USER`, `EXPOSE`, `VOLUME`, `HEALTHCHECK`) → the parts
//! of a [`ContainerSpec`] an image decides. Reads the whole config blob
//! (with its `config` object) or the inner object itself (`docker image
//! inspect`'s `.Config`). The config is plain JSON; fetching it is the
//! caller's business (`bulkhead-image`, the Docker API).

use bulkhead_types::{ContainerSpec, SpecHealthcheck, SpecSource};

/// A spec with only what the image config says.
pub fn spec(name: &str, config: &serde_json::Value) -> ContainerSpec {
    let mut s = ContainerSpec {
        name: name.to_string(),
        source: SpecSource::Image,
        ..ContainerSpec::default()
    };
    apply(&mut s, config);
    s
}

/// Complete `s` with an image config: `image_user`, `exposed_ports`,
/// `image_volumes`, and the health check when the container sets none.
pub fn apply(s: &mut ContainerSpec, config: &serde_json::Value) {
    let inner = config
        .get("config")
        .filter(|c| c.is_object())
        .unwrap_or(config);
    if let Some(u) = inner.get("User").and_then(|u| u.as_str())
        && !u.is_empty()
    {
        s.image_user = Some(u.to_string());
    }
    if let Some(ports) = inner.get("ExposedPorts").and_then(|p| p.as_object()) {
        for p in ports.keys() {
            if !s.exposed_ports.contains(p) {
                s.exposed_ports.push(p.clone());
            }
        }
        s.exposed_ports.sort();
    }
    if let Some(vols) = inner.get("Volumes").and_then(|v| v.as_object()) {
        for v in vols.keys() {
            if !s.image_volumes.contains(v) {
                s.image_volumes.push(v.clone());
            }
        }
        s.image_volumes.sort();
    }
    if s.healthcheck.is_none()
        && let Some(test) = inner
            .get("Healthcheck")
            .and_then(|h| h.get("Test"))
            .and_then(|t| t.as_array())
    {
        let test: Vec<String> = test
            .iter()
            .filter_map(|t| t.as_str().map(str::to_string))
            .collect();
        if !test.is_empty() {
            let disabled = test.first().is_some_and(|t| t == "NONE");
            s.healthcheck = Some(SpecHealthcheck { test, disabled });
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn blob_and_inner_object() {
        let blob = serde_json::json!({"config": {
            "User": "app",
            "ExposedPorts": {"80/tcp": {}, "53/udp": {}},
            "Volumes": {"/data": {}},
            "Healthcheck": {"Test": ["CMD", "/hc"]}
        }});
        let s = spec("web", &blob);
        assert_eq!(s.image_user.as_deref(), Some("app"));
        assert_eq!(s.exposed_ports, ["53/udp", "80/tcp"]);
        assert_eq!(s.image_volumes, ["/data"]);
        assert!(!s.healthcheck.unwrap().disabled);
        let inner = spec("web", &blob["config"]);
        assert_eq!(inner.image_user.as_deref(), Some("app"));
        let none = spec("x", &serde_json::json!({"Healthcheck": {"Test": ["NONE"]}}));
        assert!(none.healthcheck.unwrap().disabled);
        let garbage = spec("x", &serde_json::json!([1, 2]));
        assert_eq!(garbage.image_user, None);
    }
}
