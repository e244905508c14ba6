//! The image side of `harden`: what an image says about how it runs (its
//! config's USER, EXPOSE, VOLUME and HEALTHCHECK, its `/etc/passwd`) as a
//! [`Workload`] for [`bulkhead_harden::propose`].

use crate::{Progress, ScanRequest, Target};
use anyhow::{Context, Result};
use bulkhead_harden::Workload;

/// The workload of the request's image (a file or a name; no scanner
/// runs), and the image's name (its first tag, else the target).
pub fn image_workload(req: &ScanRequest, progress: &dyn Progress) -> Result<(String, Workload)> {
    let shown = match &req.target {
        Target::File(p) | Target::Dir(p) => p.display().to_string(),
        Target::Name(n) => n.clone(),
    };
    let scanned = crate::read_target(req, None, progress)?;
    let image = scanned
        .image
        .with_context(|| format!("{shown} holds no image"))?;
    let name = image.repo_tags.first().cloned().unwrap_or(shown);
    let mut w = Workload::from_image_config("", &format!("image {name}"), &image.config);
    w.passwd = scanned.inventory.users;
    w.image = Some(name.clone());
    Ok((name, w))
}

/// The Compose service key for an image name: its last path part without
/// tag, digest or `.tar`, lower-cased, other characters as `-` (`app` when
/// nothing is left).
pub fn service_key(image: &str) -> String {
    let last = image.rsplit('/').next().unwrap_or(image);
    let base = last.split(['@', ':']).next().unwrap_or(last);
    let base = base.strip_suffix(".tar").unwrap_or(base);
    let key: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    if key.is_empty() {
        "app".to_string()
    } else {
        key
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_keys() {
        assert_eq!(service_key("nginx:1.27"), "nginx");
        assert_eq!(
            service_key("registry.example:5000/team/App@sha256:ab"),
            "app"
        );
        assert_eq!(service_key("/tmp/x/busybox-www.tar"), "busybox-www");
        assert_eq!(service_key(""), "app");
    }
}
