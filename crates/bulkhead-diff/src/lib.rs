//! Compare two image reports: packages added, removed, upgraded and
//! downgraded; vulnerabilities fixed and introduced; shared base layers;
//! image config changes.
//!
//! Pure data in, data out: the CLI scans both images through the normal
//! pipeline and hands the two [`Report`]s here.

mod vulns;

pub use vulns::{VulnDelta, VulnKey, vuln_delta};

#[doc(no_inline)]
pub use bulkhead_types::Report;
