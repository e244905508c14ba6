//! Data for the fleet benchmarks (`bench/fleet-load.sh`,
//! `bench/fleet-rematch.sh`): synthetic images in a registry, synthetic
//! stored results in a fleet database. Package names and versions come from
//! the Debian advisories of an OSV mirror (`<mirror>/Debian/all.zip`), so
//! matching finds real advisories.
//!
//! ```text
//! fleet_bench push-images --registry 127.0.0.1:5000 --osv-debian DIR/Debian/all.zip \
//!     [--count 1000] [--bases 5] [--repos 50] [--threads 8] [--digests FILE]
//! fleet_bench seed-inventories --db postgres://… --osv-debian DIR/Debian/all.zip \
//!     [--count 10000] [--connections 4]
//! ```
//!
//! `push-images`: image `i` is `fleet/app{i % repos}:v{i}`, a base layer
//! shared with every image of the same base variant (`i % bases`: a Debian
//! 10 or 11 root with `/etc/os-release`, a dpkg status of 60 to 140
//! packages and their `info/*.list` files; byte-identical, so diff_ids are
//! shared) and a small top layer of its own (an id file, and by turn Python
//! dist-info packages, npm packages or a binary blob).
//!
//! `seed-inventories`: results as a worker stores them (an inventory of one
//! dpkg database, uniformly 100 to 400 packages, and its report) through
//! `bulkhead_fleet::results::upsert`, with no findings and an old advisory
//! database time: a re-match after `db update` finds and records them. A
//! quarter of each image's packages have advisories for its release, and
//! about 40% of those are at a version some advisory fixes later.
//!
//! Both are deterministic (`--seed`).

use anyhow::{Context, Result, bail};
use bulkhead_fixtures::{ImageBuilder, Layout};
use bulkhead_fleet::results::{self, ResultMeta, StoredInventory};
use bulkhead_fleet::{ConnectOptions, Fleet};
use bulkhead_image::registry::{Registry, RegistryOptions};
use bulkhead_scan::PackageSet;
use bulkhead_types::{ArtifactType, Ecosystem, LayerRef, OsInfo, Report};
use bulkhead_versions::Scheme;
use clap::{Parser, Subcommand};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

#[derive(Debug, Parser)]
#[command(about = "Data for the fleet benchmarks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Push synthetic images (shared base layers, a small top layer each)
    /// to a registry.
    PushImages {
        /// `host:port` of the registry (plain HTTP on loopback).
        #[arg(long)]
        registry: String,
        /// The Debian advisories of an OSV mirror (`Debian/all.zip`).
        #[arg(long, value_name = "ZIP")]
        osv_debian: PathBuf,
        #[arg(long, default_value_t = 1000)]
        count: usize,
        /// Base variants (base layers shared across images).
        #[arg(long, default_value_t = 5)]
        bases: usize,
        /// Repositories the images are spread over.
        #[arg(long, default_value_t = 50)]
        repos: usize,
        /// Parallel pushes.
        #[arg(long, default_value_t = 8)]
        threads: usize,
        /// Write the manifest digests here, one a line.
        #[arg(long, value_name = "FILE")]
        digests: Option<PathBuf>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Store synthetic results (inventories without findings) in a fleet
    /// database.
    SeedInventories {
        /// The fleet database URL.
        #[arg(long, env = "BULKHEAD_DB_URL")]
        db: String,
        /// The Debian advisories of an OSV mirror (`Debian/all.zip`).
        #[arg(long, value_name = "ZIP")]
        osv_debian: PathBuf,
        #[arg(long, default_value_t = 10_000)]
        count: usize,
        /// Concurrent database connections.
        #[arg(long, default_value_t = 4)]
        connections: usize,
        /// Results per transaction.
        #[arg(long, default_value_t = 50)]
        batch: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::PushImages {
            registry,
            osv_debian,
            count,
            bases,
            repos,
            threads,
            digests,
            seed,
        } => push_images(&PushArgs {
            registry,
            catalog: Catalog::load(&osv_debian)?,
            count,
            bases: bases.max(1),
            repos: repos.max(1),
            threads: threads.max(1),
            digests,
            seed,
        }),
        Command::SeedInventories {
            db,
            osv_debian,
            count,
            connections,
            batch,
            seed,
        } => {
            let catalog = Arc::new(Catalog::load(&osv_debian)?);
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .context("cannot start the async runtime")?;
            rt.block_on(seed_inventories(
                &db,
                catalog,
                count,
                connections.max(1),
                batch.max(1),
                seed,
            ))
        }
    }
}

/// SplitMix64: small, deterministic, good enough for test data.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Rng {
        let mut r = Rng(seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        r.next();
        r
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n.max(1) as u64)).unwrap_or(0)
    }

    /// Uniform in `lo..=hi`.
    fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }

    /// `k` distinct items of `items` (all of them when `k` is larger).
    fn sample<'a, T>(&mut self, items: &'a [T], k: usize) -> Vec<&'a T> {
        let mut idx: Vec<usize> = (0..items.len()).collect();
        let k = k.min(idx.len());
        for i in 0..k {
            let j = i + self.below(idx.len() - i);
            idx.swap(i, j);
        }
        idx.iter().take(k).filter_map(|&i| items.get(i)).collect()
    }
}

/// Debian source packages and the versions the advisories fix.
struct Catalog {
    /// Release (`10`, `11`) → package → fixed versions, dpkg order.
    by_release: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    /// Package → fixed versions of every release, dpkg order.
    all: BTreeMap<String, Vec<String>>,
    /// Every package name, sorted.
    names: Vec<String>,
}

/// The releases images are made of, with their codenames.
const RELEASES: [(&str, &str); 2] = [("10", "buster"), ("11", "bullseye")];

fn dpkg_sort(v: &mut Vec<String>) {
    v.sort_by(|a, b| bulkhead_versions::compare(Scheme::Dpkg, a, b).unwrap_or_else(|_| a.cmp(b)));
    v.dedup();
}

impl Catalog {
    fn load(zip_path: &Path) -> Result<Catalog> {
        let file = std::fs::File::open(zip_path)
            .with_context(|| format!("cannot open {}", zip_path.display()))?;
        let mut zip = zip::ZipArchive::new(file)
            .with_context(|| format!("{} is not a zip", zip_path.display()))?;
        let mut by_release: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
        let mut all: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut buf = String::new();
        for i in 0..zip.len() {
            let mut f = zip.by_index(i)?;
            if !f.name().ends_with(".json") {
                continue;
            }
            buf.clear();
            f.read_to_string(&mut buf)?;
            let record: serde_json::Value = serde_json::from_str(&buf)
                .with_context(|| format!("{} in {}", f.name(), zip_path.display()))?;
            let affected = record["affected"].as_array().cloned().unwrap_or_default();
            for a in affected {
                let (Some(eco), Some(name)) = (
                    a["package"]["ecosystem"].as_str(),
                    a["package"]["name"].as_str(),
                ) else {
                    continue;
                };
                let Some(release) = eco.strip_prefix("Debian:") else {
                    continue;
                };
                for range in a["ranges"].as_array().into_iter().flatten() {
                    for event in range["events"].as_array().into_iter().flatten() {
                        if let Some(fixed) = event["fixed"].as_str()
                            && bulkhead_versions::validate(Scheme::Dpkg, fixed).is_ok()
                        {
                            by_release
                                .entry(release.to_string())
                                .or_default()
                                .entry(name.to_string())
                                .or_default()
                                .push(fixed.to_string());
                            all.entry(name.to_string())
                                .or_default()
                                .push(fixed.to_string());
                        }
                    }
                }
            }
        }
        for v in all.values_mut() {
            dpkg_sort(v);
        }
        for pkgs in by_release.values_mut() {
            for v in pkgs.values_mut() {
                dpkg_sort(v);
            }
        }
        for (r, _) in RELEASES {
            if by_release.get(r).is_none_or(BTreeMap::is_empty) {
                bail!(
                    "{} has no Debian:{r} advisories: give the Debian/all.zip of an OSV mirror",
                    zip_path.display()
                );
            }
        }
        let names = all.keys().cloned().collect();
        Ok(Catalog {
            by_release,
            all,
            names,
        })
    }

    /// `n` packages (name, version) of an image of `release`: a quarter
    /// with advisories for the release (about 40% of those below a fix),
    /// the rest without.
    fn packages(&self, release: &str, n: usize, rng: &mut Rng) -> Vec<(String, String)> {
        let empty = BTreeMap::new();
        let advised = self.by_release.get(release).unwrap_or(&empty);
        let with: Vec<&String> = advised.keys().collect();
        let without: Vec<&String> = self
            .names
            .iter()
            .filter(|n| !advised.contains_key(*n))
            .collect();
        let n_with = (n / 4).min(with.len());
        let mut out = Vec::with_capacity(n);
        for name in rng.sample(&with, n_with) {
            let fixed = advised.get(*name).map(Vec::as_slice).unwrap_or_default();
            let Some(newest) = fixed.last() else { continue };
            let version = if rng.chance(0.6) {
                newest.clone()
            } else if fixed.len() > 1 {
                fixed
                    .get(rng.below(fixed.len() - 1))
                    .unwrap_or(newest)
                    .clone()
            } else {
                // One fix in this release: an older release's version
                // below it, when there is one.
                let older: Vec<&String> = self
                    .all
                    .get(*name)
                    .into_iter()
                    .flatten()
                    .filter(|v| {
                        bulkhead_versions::compare(Scheme::Dpkg, v, newest).is_ok_and(|o| o.is_lt())
                    })
                    .collect();
                rng.pick(&older)
                    .map_or_else(|| newest.clone(), |v| (*v).clone())
            };
            out.push(((*name).clone(), version));
        }
        for name in rng.sample(&without, n.saturating_sub(out.len())) {
            let versions = self.all.get(*name).map(Vec::as_slice).unwrap_or_default();
            if let Some(v) = rng.pick(versions) {
                out.push(((*name).clone(), v.clone()));
            }
        }
        out.sort();
        out
    }
}

/// A dpkg status document listing `packages`.
fn dpkg_status(packages: &[(String, String)]) -> String {
    let mut s = String::new();
    for (name, version) in packages {
        s.push_str(&format!(
            "Package: {name}\nStatus: install ok installed\nPriority: optional\nSection: misc\n\
             Installed-Size: 1024\nMaintainer: Debian <debian@example.invalid>\nArchitecture: amd64\n\
             Version: {version}\nDescription: {name} (synthetic)\n\n"
        ));
    }
    s
}

fn os_release(release: &str, codename: &str) -> String {
    format!(
        "PRETTY_NAME=\"Debian GNU/Linux {release} ({codename})\"\nNAME=\"Debian GNU/Linux\"\n\
         VERSION_ID=\"{release}\"\nVERSION=\"{release} ({codename})\"\nVERSION_CODENAME={codename}\n\
         ID=debian\n"
    )
}

fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

// ---------------------------------------------------------------- push-images

struct PushArgs {
    registry: String,
    catalog: Catalog,
    count: usize,
    bases: usize,
    repos: usize,
    threads: usize,
    digests: Option<PathBuf>,
    seed: u64,
}

/// The files of a base layer, in order.
type Files = Vec<(String, Vec<u8>)>;

/// Base variant `k`: Debian 10 or 11, 60 to 140 packages.
fn base_files(catalog: &Catalog, k: usize, seed: u64) -> Files {
    let (release, codename) = RELEASES[k % RELEASES.len()];
    let mut rng = Rng::new(seed, 1_000_000 + k as u64);
    let n = rng.between(60, 140);
    let packages = catalog.packages(release, n, &mut rng);
    let mut files: Files = vec![
        (
            "etc/os-release".into(),
            os_release(release, codename).into_bytes(),
        ),
        (
            "etc/debian_version".into(),
            format!("{release}.{}\n", k + 1).into_bytes(),
        ),
        (
            "var/lib/dpkg/status".into(),
            dpkg_status(&packages).into_bytes(),
        ),
    ];
    for (name, version) in &packages {
        let doc = format!("usr/share/doc/{name}/copyright");
        let bin = format!("usr/lib/{name}/{name}.so");
        files.push((
            format!("var/lib/dpkg/info/{name}.list"),
            format!("/usr/share/doc/{name}\n/{doc}\n/usr/lib/{name}\n/{bin}\n").into_bytes(),
        ));
        files.push((
            doc,
            format!("{name} {version}: synthetic copyright notice\n").into_bytes(),
        ));
        let mut blob = vec![0u8; rng.between(512, 4096)];
        for chunk in blob.chunks_mut(8) {
            let x = rng.next().to_le_bytes();
            chunk.copy_from_slice(x.get(..chunk.len()).unwrap_or_default());
        }
        files.push((bin, blob));
    }
    files
}

const PYPI: &[(&str, &[&str])] = &[
    ("requests", &["2.19.0", "2.25.1", "2.31.0", "2.32.3"]),
    ("urllib3", &["1.24.1", "1.26.5", "2.2.2"]),
    ("Django", &["2.2.0", "3.2.18", "4.2.11"]),
    ("Jinja2", &["2.10", "3.1.2", "3.1.4"]),
    ("PyYAML", &["5.1", "6.0.1"]),
    ("Flask", &["0.12.2", "2.3.3"]),
];

const NPM: &[(&str, &[&str])] = &[
    ("lodash", &["4.17.4", "4.17.21"]),
    ("minimist", &["1.2.0", "1.2.8"]),
    ("express", &["4.16.0", "4.19.2"]),
    ("axios", &["0.21.0", "1.6.8"]),
    ("semver", &["5.7.1", "7.6.0"]),
];

/// Image `i`'s top layer: what makes it unique.
fn top_layer(b: &mut ImageBuilder, i: usize, seed: u64) -> Result<()> {
    let mut rng = Rng::new(seed, i as u64);
    let layer = b.layer("COPY app /app");
    layer.file("app/id", format!("{i}\n").as_bytes())?;
    layer.file(
        "app/config.json",
        format!(
            "{{\"name\":\"app-{i}\",\"replicas\":{}}}\n",
            rng.between(1, 9)
        )
        .as_bytes(),
    )?;
    match i % 3 {
        0 => {
            let k = rng.between(1, 4);
            for (name, versions) in rng.sample(PYPI, k) {
                let v = rng.pick(versions).copied().unwrap_or("1.0");
                layer.file(
                    &format!("usr/local/lib/python3.9/site-packages/{name}-{v}.dist-info/METADATA"),
                    format!("Metadata-Version: 2.1\nName: {name}\nVersion: {v}\n").as_bytes(),
                )?;
            }
        }
        1 => {
            let k = rng.between(1, 4);
            for (name, versions) in rng.sample(NPM, k) {
                let v = rng.pick(versions).copied().unwrap_or("1.0.0");
                layer.file(
                    &format!("app/node_modules/{name}/package.json"),
                    format!("{{\"name\":\"{name}\",\"version\":\"{v}\"}}\n").as_bytes(),
                )?;
            }
        }
        _ => {
            let mut blob = vec![0u8; rng.between(16 * 1024, 64 * 1024)];
            for chunk in blob.chunks_mut(8) {
                let x = rng.next().to_le_bytes();
                chunk.copy_from_slice(x.get(..chunk.len()).unwrap_or_default());
            }
            layer.file_mode("app/server", &blob, 0o755)?;
        }
    }
    Ok(())
}

fn read_json(path: &Path) -> Result<serde_json::Value> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_slice(&bytes).with_context(|| format!("{} is not JSON", path.display()))
}

fn blob_path(layout: &Path, digest: &str) -> PathBuf {
    layout
        .join("blobs/sha256")
        .join(digest.trim_start_matches("sha256:"))
}

/// Push a single-image OCI layout as `repo:tag`; its manifest digest.
fn push_layout(reg: &Registry, repo: &str, tag: &str, layout: &Path) -> Result<String> {
    let index = read_json(&layout.join("index.json"))?;
    let desc = &index["manifests"][0];
    let (Some(digest), Some(media_type)) = (desc["digest"].as_str(), desc["mediaType"].as_str())
    else {
        bail!("{}: no manifest in index.json", layout.display());
    };
    let manifest_bytes = std::fs::read(blob_path(layout, digest))?;
    let manifest: serde_json::Value = serde_json::from_slice(&manifest_bytes)?;
    let mut blobs: Vec<&str> = manifest["layers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| l["digest"].as_str())
        .collect();
    blobs.extend(manifest["config"]["digest"].as_str());
    for b in blobs {
        let bytes = std::fs::read(blob_path(layout, b))?;
        reg.push_blob(repo, &bytes)
            .with_context(|| format!("pushing {b} to {repo}"))?;
    }
    let pushed = reg
        .push_manifest(repo, tag, media_type, &manifest_bytes)
        .with_context(|| format!("pushing {repo}:{tag}"))?;
    if pushed != digest {
        bail!("{repo}:{tag}: the registry took {pushed}, the layout says {digest}");
    }
    Ok(pushed)
}

fn push_images(args: &PushArgs) -> Result<()> {
    let started = Instant::now();
    let bases: Vec<Files> = (0..args.bases)
        .map(|k| base_files(&args.catalog, k, args.seed))
        .collect();
    let reg = Registry::new(
        &args.registry,
        RegistryOptions {
            insecure: true,
            docker_config: None,
            timeout: Duration::from_secs(3600),
            ..RegistryOptions::default()
        },
    )?;
    let work = tempfile::tempdir()?;
    let next = AtomicUsize::new(0);
    let results: Vec<Result<Vec<(usize, String)>>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..args.threads)
            .map(|_| {
                s.spawn(|| -> Result<Vec<(usize, String)>> {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= args.count {
                            return Ok(done);
                        }
                        let base = bases
                            .get(i % args.bases)
                            .context("base variant out of range")?;
                        let mut b = ImageBuilder::new().tag(&format!("app:v{i}"));
                        let layer = b.layer("ADD rootfs.tar.gz /");
                        for (path, bytes) in base {
                            layer.file(path, bytes)?;
                        }
                        top_layer(&mut b, i, args.seed)?;
                        let dir = work.path().join(format!("img{i}"));
                        b.write(Layout::OciDir, &dir)?;
                        let repo = format!("fleet/app{}", i % args.repos);
                        let digest = push_layout(&reg, &repo, &format!("v{i}"), &dir)?;
                        std::fs::remove_dir_all(&dir)?;
                        done.push((i, digest));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("a push thread panicked")))
            })
            .collect()
    });
    let mut digests = Vec::with_capacity(args.count);
    for r in results {
        digests.extend(r?);
    }
    digests.sort();
    let distinct: BTreeSet<&String> = digests.iter().map(|(_, d)| d).collect();
    if let Some(path) = &args.digests {
        let text: String = digests.iter().map(|(_, d)| format!("{d}\n")).collect();
        std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    println!(
        "pushed {} images ({} distinct digests, {} base variants, {} repositories) in {:.1} s",
        digests.len(),
        distinct.len(),
        args.bases,
        args.repos.min(args.count),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

// ----------------------------------------------------------- seed-inventories

/// Result `i`: digest, inventory, report, metadata.
fn seeded_result(
    catalog: &Catalog,
    i: usize,
    seed: u64,
) -> Result<(String, StoredInventory, Report, ResultMeta)> {
    let mut rng = Rng::new(seed, 2_000_000 + i as u64);
    let (release, codename) = RELEASES[rng.below(RELEASES.len())];
    let n = rng.between(100, 400);
    let packages = catalog.packages(release, n, &mut rng);
    let path = "var/lib/dpkg/status";
    let mut parsed =
        bulkhead_analyzers::os::dpkg::parse_status(path, &dpkg_status(&packages), true)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    let os = OsInfo {
        family: "debian".into(),
        name: release.into(),
        codename: codename.into(),
        pretty_name: format!("Debian GNU/Linux {release} ({codename})"),
        distroless: false,
    };
    let digest = sha256(format!("bulkhead-fleet-bench-{seed}-{i}").as_bytes());
    let diff_id = sha256(format!("bulkhead-fleet-bench-base-{release}").as_bytes());
    for p in &mut parsed {
        bulkhead_analyzers::purl::set_os_purl(p, Some(&os));
        p.layer = Some(LayerRef {
            index: 0,
            diff_id: diff_id.clone(),
            digest: String::new(),
            created_by: "ADD rootfs.tar.gz /".into(),
        });
    }
    let inventory = bulkhead_engine::Inventory {
        os: Some(os.clone()),
        package_sets: vec![PackageSet {
            path: path.into(),
            kind: "debian".into(),
            ecosystem: Ecosystem::Dpkg,
            packages: parsed,
        }],
        ..Default::default()
    };
    let repo = format!("seed/app{}", i % 200);
    let tag = format!("v{i}");
    let mut report = Report::new(format!("{repo}:{tag}"), ArtifactType::ContainerImage);
    report.metadata.os = Some(os);
    report.metadata.diff_ids = vec![diff_id];
    report.results = bulkhead_engine::package_results(&report, &inventory);
    let meta = ResultMeta {
        registry: "registry.bench.invalid".into(),
        repository: repo,
        tag: Some(tag),
        scanner_version: env!("CARGO_PKG_VERSION").into(),
        analyzers_key: bulkhead_engine::analyzers_key(),
        db_built_at: Some("2020-01-01T00:00:00Z".into()),
        layers_reused: 0,
        layers_analyzed: 1,
        scan_seconds: 0.0,
        job_id: None,
    };
    Ok((
        digest,
        StoredInventory::from_inventory(&inventory),
        report,
        meta,
    ))
}

async fn seed_inventories(
    url: &str,
    catalog: Arc<Catalog>,
    count: usize,
    connections: usize,
    batch: usize,
    seed: u64,
) -> Result<()> {
    let fleet = Fleet::connect(
        url,
        &ConnectOptions {
            pool_size: connections,
            ..ConnectOptions::default()
        },
    )
    .await?;
    let started = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let packages = Arc::new(AtomicUsize::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..connections {
        let (fleet, catalog, next, packages) = (
            fleet.clone(),
            catalog.clone(),
            next.clone(),
            packages.clone(),
        );
        tasks.spawn(async move {
            loop {
                let start = next.fetch_add(batch, Ordering::Relaxed);
                if start >= count {
                    return anyhow::Ok(());
                }
                let end = (start + batch).min(count);
                let cat = catalog.clone();
                let built = tokio::task::spawn_blocking(move || {
                    (start..end)
                        .map(|i| seeded_result(&cat, i, seed))
                        .collect::<Result<Vec<_>>>()
                })
                .await??;
                let mut c = fleet.client().await?;
                let tx = c.transaction().await?;
                for (digest, inventory, report, meta) in &built {
                    packages.fetch_add(
                        inventory
                            .package_sets
                            .iter()
                            .map(|s| s.packages.len())
                            .sum(),
                        Ordering::Relaxed,
                    );
                    results::upsert(&*tx, digest, report, inventory, meta).await?;
                }
                tx.commit().await?;
            }
        });
    }
    while let Some(joined) = tasks.join_next().await {
        joined??;
    }
    let took = started.elapsed().as_secs_f64();
    let total = packages.load(Ordering::Relaxed);
    println!(
        "seeded {count} results ({total} packages, {:.0} per image) over {connections} connections in {took:.1} s ({:.0} results/s)",
        total as f64 / count.max(1) as f64,
        count as f64 / took.max(1e-9)
    );
    Ok(())
}
