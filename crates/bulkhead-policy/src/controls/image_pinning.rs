//! Image not pinned (CIS 5.28; BH-CO-022 untagged or `latest`, BH-CO-023
//! tag without digest).
use crate::{Control, Finding, Hit};
use bulkhead_types::ContainerSpec;

pub static CONTROL: Control = Control {
    name: "image-pinning",
    title: "Image unpinned or not pinned by digest",
    lint: &["BH-CO-022", "BH-CO-023"],
    cis: &["5.28"],
};

/// Hit value: no tag (or `latest`) and no digest.
pub const UNPINNED: &str = "unpinned";
/// Hit value: a version tag without a digest.
pub const TAG_ONLY: &str = "tag-only";

/// An image reference split into name, tag and digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    pub name: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

/// Split `registry:5000/name:tag@sha256:…`.
pub fn image_ref(s: &str) -> ImageRef {
    let (rest, digest) = match s.split_once('@') {
        Some((r, d)) => (r, Some(d.to_string())),
        None => (s, None),
    };
    let last_slash = rest.rfind('/').map(|i| i + 1).unwrap_or(0);
    let tail = rest.get(last_slash..).unwrap_or("");
    match tail.rfind(':') {
        Some(c) => ImageRef {
            name: rest.get(..last_slash + c).unwrap_or(rest).to_string(),
            tag: Some(tail.get(c + 1..).unwrap_or("").to_string()),
            digest,
        },
        None => ImageRef {
            name: rest.to_string(),
            tag: None,
            digest,
        },
    }
}

/// [`UNPINNED`], [`TAG_ONLY`], or `None` when pinned by digest (or no
/// image is known).
pub fn check(s: &ContainerSpec) -> Option<Finding> {
    let img = s.image.as_deref().filter(|i| !i.is_empty())?;
    let r = image_ref(img);
    if r.digest.is_some() {
        return None;
    }
    let value = if matches!(r.tag.as_deref(), None | Some("latest")) {
        UNPINNED
    } else {
        TAG_ONLY
    };
    Finding::one(
        &CONTROL,
        Hit {
            value: value.into(),
            key: "image",
            line: s.line_of("image"),
            index: 0,
        },
    )
}
