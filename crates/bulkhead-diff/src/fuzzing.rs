//! The model half of the `diff` fuzz target and its seed replay:
//! arbitrary bytes become two reports (image configs and package lists),
//! which are compared (`bulkhead_report::fuzzing::diff` renders the result
//! in every format). Never panics; env values never reach the output.

use bulkhead_types::{ArtifactType, Class, Ecosystem, Package, Report, ScanResult};

const ECOSYSTEMS: [Ecosystem; 11] = Ecosystem::ALL;

/// `config JSON`, then `ECO NAME VERSION [ARCH]` lines (ECO: a digit, the
/// index of the ecosystem).
fn report(section: &str) -> Report {
    let mut r = Report::new("fuzz", ArtifactType::ContainerImage);
    let (config, pkgs) = section.split_once('\n').unwrap_or((section, ""));
    r.metadata.image_config = serde_json::from_str(config).ok();
    let mut os = ScanResult::new("os", Class::OsPkgs, "debian");
    let mut lang = ScanResult::new("lang", Class::LangPkgs, "python-pkg");
    for line in pkgs.lines() {
        let mut f = line.split(' ');
        let (Some(e), Some(name), Some(ver)) = (f.next(), f.next(), f.next()) else {
            continue;
        };
        let idx = e
            .bytes()
            .next()
            .map_or(0, |b| usize::from(b) % ECOSYSTEMS.len());
        let eco = ECOSYSTEMS.get(idx).copied().unwrap_or(Ecosystem::Dpkg);
        let mut p = Package::new(eco, name, ver);
        p.arch = f.next().unwrap_or("").to_string();
        if eco.is_os() {
            os.packages.push(p);
        } else {
            lang.packages.push(p);
        }
    }
    r.metadata.diff_ids = config.split(',').take(8).map(str::to_string).collect();
    r.results = vec![os, lang];
    r
}

/// Compare two reports read from `data` (split at `\n---\n`).
pub fn compare_input(data: &[u8]) -> crate::ImageDiff {
    let text = String::from_utf8_lossy(data);
    let (a, b) = text.split_once("\n---\n").unwrap_or((&text, ""));
    crate::compare(&report(a), &report(b))
}
