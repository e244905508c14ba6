#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `bulkhead key generate`, `sign`, `verify` and `image --verify` end to end
//! against Debian's `docker-registry` 2.8 on 127.0.0.1 (apt package
//! `docker-registry`; it has no referrers API, so the bundle format goes
//! through the `sha256-<hex>` fallback tag index there) and a scripted
//! registry that implements `/referrers/`. openssl (apt `openssl`) is the
//! independent reference for the ECDSA signatures.

#[path = "../../bulkhead-image/tests/support/mod.rs"]
mod support;

use assert_cmd::Command;
use base64::Engine as _;
use bulkhead_fixtures::{ImageBuilder, Layout};
use bulkhead_image::registry::{OCI_MANIFEST, Registry};
use serde_json::{Value, json};
use sha2::Digest as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use support::{LocalRegistry, Req, Resp, TestServer};

const PASS: &str = "correct-horse-7f3b9e-battery";
const SIMPLESIGNING: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
const SIG_ANNOTATION: &str = "dev.cosignproject.cosign/signature";
const BUNDLE_TYPE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD
}

fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(sha2::Sha256::digest(bytes)))
}

/// A work folder: keys, settings and the cache live here; commands run in it.
struct Work {
    dir: tempfile::TempDir,
}

impl Work {
    fn new() -> Work {
        Work {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }

    fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("bulkhead").unwrap();
        c.current_dir(self.dir.path())
            .env("BULKHEAD_CACHE_DIR", self.path("cache"))
            .env_remove("BULKHEAD_PASSWORD")
            .env_remove("COSIGN_PASSWORD")
            .env_remove("BULKHEAD_LOG")
            .env_remove("BULKHEAD_NO_CACHE")
            .env("NO_COLOR", "1");
        c
    }

    /// Run; (exit code, stdout, stderr).
    fn run(&self, args: &[&str], pass: Option<&str>) -> (i32, String, String) {
        let mut c = self.cmd();
        if let Some(p) = pass {
            c.env("BULKHEAD_PASSWORD", p);
        }
        let out = c.args(args).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// `bulkhead key generate` with the passphrase in the environment.
    fn keygen(&self, prefix: &str) -> String {
        let (code, out, err) = self.run(
            &[
                "key",
                "generate",
                "--output-key-prefix",
                prefix,
                "-f",
                "table",
            ],
            Some(PASS),
        );
        assert_eq!(code, 0, "{err}");
        let fp = out
            .lines()
            .find_map(|l| l.strip_prefix("public key fingerprint: "))
            .unwrap_or_else(|| panic!("no fingerprint in {out}"));
        assert!(fp.starts_with("sha256:"), "{out}");
        fp.to_string()
    }

    /// `verify … -f json`: (exit code, report, stderr).
    fn verify(&self, image: &str, extra: &[&str]) -> (i32, Value, String) {
        let mut args = vec!["verify", "-f", "json", image];
        args.extend_from_slice(extra);
        let (code, out, err) = self.run(&args, None);
        let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
        (code, v, err)
    }

    fn sign(&self, key: &str, image: &str, extra: &[&str]) -> Value {
        let mut args = vec!["sign", "-f", "json", "--key", key, image];
        args.extend_from_slice(extra);
        let (code, out, err) = self.run(&args, Some(PASS));
        assert_eq!(code, 0, "{err}");
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
    }
}

fn client(host: &str) -> Registry {
    Registry::new(host, support::test_options()).unwrap()
}

/// Push a one-layer image whose content depends on `marker`; its digest.
fn push_image(reg: &Registry, repo: &str, tag: &str, marker: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("oci");
    let mut b = ImageBuilder::new().tag(&format!("{repo}:{tag}"));
    b.layer("base")
        .file(
            "etc/os-release",
            b"ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian 12\"\n",
        )
        .unwrap()
        .file("srv/marker", marker.as_bytes())
        .unwrap();
    b.write(Layout::OciDir, &layout).unwrap();
    support::push_layout(reg, repo, tag, &layout);
    reg.manifest(repo, tag).unwrap().2
}

fn sig_tag(digest: &str) -> String {
    format!("{}.sig", digest.replacen(':', "-", 1))
}

fn fallback_tag(digest: &str) -> String {
    digest.replacen(':', "-", 1)
}

fn manifest_json(reg: &Registry, repo: &str, reference: &str) -> Value {
    serde_json::from_slice(&reg.manifest(repo, reference).unwrap().0).unwrap()
}

fn push_json(reg: &Registry, repo: &str, reference: &str, media_type: &str, v: &Value) -> String {
    reg.push_manifest(repo, reference, media_type, &serde_json::to_vec(v).unwrap())
        .unwrap()
}

/// A signature's status word; `Status` may be nested or flattened.
fn status_of(s: &Value) -> String {
    match &s["status"] {
        Value::String(x) => x.clone(),
        v => v["status"].as_str().unwrap_or("").to_string(),
    }
}

fn field_of(s: &Value, name: &str) -> Option<String> {
    s[name]
        .as_str()
        .or_else(|| s["status"][name].as_str())
        .map(str::to_string)
}

fn reason_of(s: &Value) -> Option<String> {
    field_of(s, "reason")
}

fn key_of(s: &Value) -> Option<String> {
    field_of(s, "key")
}

fn statuses(report: &Value) -> Vec<(String, String)> {
    report["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["format"].as_str().unwrap().to_string(), status_of(s)))
        .collect()
}

fn reasons(report: &Value) -> Vec<String> {
    report["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(reason_of)
        .collect()
}

fn openssl() -> bool {
    bulkhead_testkit::require::tool("openssl", "openssl")
}

fn openssl_verify(public: &Path, sig_der: &[u8], msg: &[u8]) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let (s, m) = (dir.path().join("sig"), dir.path().join("msg"));
    std::fs::write(&s, sig_der).unwrap();
    std::fs::write(&m, msg).unwrap();
    let out = std::process::Command::new("openssl")
        .args(["dgst", "-sha256", "-verify"])
        .arg(public)
        .arg("-signature")
        .arg(&s)
        .arg(&m)
        .output()
        .unwrap();
    out.status.success()
}

/// DSSE pre-authentication encoding (DSSE v1 spec), written out here as an
/// independent reference.
fn pae(payload_type: &str, body: &[u8]) -> Vec<u8> {
    let mut v = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        body.len()
    )
    .into_bytes();
    v.extend_from_slice(body);
    v
}

#[test]
fn key_generate_refuses_to_overwrite_and_needs_a_passphrase_source() {
    let w = Work::new();
    // No variable and no terminal: exit 2 saying what to set.
    let (code, _, err) = w.run(&["key", "generate"], None);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("BULKHEAD_PASSWORD"), "{err}");
    assert!(!w.path("cosign.key").exists());

    let (code, out, err) = w.run(&["key", "generate", "-f", "json"], Some(PASS));
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(v["fingerprint"].as_str().unwrap().starts_with("sha256:"));
    let key = std::fs::read_to_string(w.path("cosign.key")).unwrap();
    assert!(key.starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----"));
    assert!(
        std::fs::read_to_string(w.path("cosign.pub"))
            .unwrap()
            .starts_with("-----BEGIN PUBLIC KEY-----")
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(w.path("cosign.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert!(!out.contains(PASS) && !err.contains(PASS));

    let (code, _, err) = w.run(&["key", "generate"], Some(PASS));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(w.path("cosign.key")).unwrap(), key);
    // COSIGN_PASSWORD works too, and --force replaces the pair.
    let out = w
        .cmd()
        .env("COSIGN_PASSWORD", "other")
        .args(["key", "generate", "--force"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_ne!(std::fs::read_to_string(w.path("cosign.key")).unwrap(), key);
}

#[cfg(unix)]
#[test]
fn key_generate_force_replaces_a_symlink_not_its_target() {
    use std::os::unix::fs::PermissionsExt;
    let w = Work::new();
    // A link planted where the key goes must not redirect the new key.
    let victim = w.path("victim.txt");
    std::fs::write(&victim, "keep me").unwrap();
    std::os::unix::fs::symlink(&victim, w.path("cosign.key")).unwrap();
    // An old, world-readable public key is replaced in place.
    std::fs::write(w.path("cosign.pub"), "old").unwrap();
    std::fs::set_permissions(w.path("cosign.pub"), std::fs::Permissions::from_mode(0o666)).unwrap();
    let (code, _, err) = w.run(&["key", "generate", "--force"], Some(PASS));
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
    let meta = std::fs::symlink_metadata(w.path("cosign.key")).unwrap();
    assert!(meta.file_type().is_file(), "the link was followed");
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    assert!(
        std::fs::read_to_string(w.path("cosign.pub"))
            .unwrap()
            .starts_with("-----BEGIN PUBLIC KEY-----")
    );
    // No temporary files are left behind.
    let names: Vec<String> = std::fs::read_dir(w.path("."))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".bulkhead-key-"))
        .collect();
    assert!(names.is_empty(), "{names:?}");
}

#[test]
fn sign_both_formats_verify_list_and_tamper() {
    let Some(reg) = LocalRegistry::start(None) else {
        return;
    };
    let c = client(&reg.host);
    let repo = "team/app";
    let digest = push_image(&c, repo, "1", "one");
    let image = format!("{}/{repo}:1", reg.host);
    let w = Work::new();
    let fp = w.keygen("cosign");

    // Bundle (default), by tag: the digest is what gets signed.
    let (code, out, err) = w.run(
        &["sign", "--key", "cosign.key", "-f", "table", &image],
        Some(PASS),
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with(&format!(
            "signed {}/{repo}@{digest} (bundle, stored as referrer sha256:",
            reg.host
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!("fallback tag {}", fallback_tag(&digest))),
        "{out}"
    );
    // Legacy, with an annotation.
    let signed = w.sign(
        "cosign.key",
        &image,
        &["--signature-format", "legacy", "-a", "env=prod"],
    );
    assert_eq!(signed["format"], "legacy");
    assert_eq!(signed["image_digest"], digest);
    assert_eq!(signed["reference"], format!("{}/{repo}@{digest}", reg.host));
    assert_eq!(signed["location"], format!("tag {}", sig_tag(&digest)));

    // Verify: both found, both verified by the key.
    let (code, v, err) = w.verify(&image, &["--key", "cosign.pub"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["digest"], digest);
    assert_eq!(v["verified"], true);
    let mut st = statuses(&v);
    st.sort();
    assert_eq!(
        st,
        vec![
            ("bundle".to_string(), "verified".to_string()),
            ("legacy".to_string(), "verified".to_string())
        ]
    );
    for s in v["signatures"].as_array().unwrap() {
        assert_eq!(status_of(s), "verified");
        assert_eq!(key_of(s).unwrap(), fp);
        assert_eq!(s["claims"]["image_digest"], digest);
    }
    let legacy = v["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["format"] == "legacy")
        .unwrap();
    assert_eq!(
        legacy["claims"]["docker_reference"],
        format!("{}/{repo}", reg.host)
    );
    assert_eq!(legacy["claims"]["annotations"]["env"], "prod");
    // The table names format, location, key, digest, reference, annotations.
    let (code, table, _) = w.run(
        &["verify", "-f", "table", "--key", "cosign.pub", &image],
        None,
    );
    assert_eq!(code, 0);
    for needle in [
        "2 signatures",
        "bundle  referrer sha256:",
        &format!("legacy  tag {}", sig_tag(&digest)),
        &format!("verified with cosign.pub ({fp})"),
        &format!("digest:           {digest}"),
        &format!("docker-reference: {}/{repo}", reg.host),
        "annotations:      env=prod",
        "result: verified",
    ] {
        assert!(table.contains(needle), "{needle:?} not in\n{table}");
    }

    // Required annotations: env=prod is carried by the legacy signature only.
    let (code, _, err) = w.verify(&image, &["--key", "cosign.pub", "-a", "env=prod"]);
    assert_eq!(code, 0, "{err}");
    let (code, v, err) = w.verify(&image, &["--key", "cosign.pub", "-a", "env=dev"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("verified with the required annotations")
            && err.contains("lacks annotation env=dev"),
        "{err}"
    );
    assert_eq!(v["verified"], false);

    // Without keys: listed, exit 0.
    let (code, v, err) = w.verify(&image, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["mode"], "list");
    assert_eq!(statuses(&v).len(), 2);
    assert!(statuses(&v).iter().all(|(_, s)| s == "unchecked"), "{v}");

    // openssl accepts the stored legacy signature over the payload bytes...
    if openssl() {
        let sig_manifest = manifest_json(&c, repo, &sig_tag(&digest));
        let layer = &sig_manifest["layers"][0];
        assert_eq!(layer["mediaType"], SIMPLESIGNING);
        let payload = c
            .small_blob(repo, layer["digest"].as_str().unwrap(), 1 << 20)
            .unwrap();
        let sig = b64()
            .decode(layer["annotations"][SIG_ANNOTATION].as_str().unwrap())
            .unwrap();
        assert!(openssl_verify(&w.path("cosign.pub"), &sig, &payload));
        let p: Value = serde_json::from_slice(&payload).unwrap();
        assert_eq!(p["critical"]["image"]["docker-manifest-digest"], digest);
        assert_eq!(p["critical"]["type"], "cosign container image signature");
        // ...and the DSSE signature of the bundle over its PAE bytes.
        let index = manifest_json(&c, repo, &fallback_tag(&digest));
        let referrer = index["manifests"][0]["digest"].as_str().unwrap();
        let rm = manifest_json(&c, repo, referrer);
        assert_eq!(rm["artifactType"], BUNDLE_TYPE);
        assert_eq!(rm["subject"]["digest"], digest);
        let bundle: Value = serde_json::from_slice(
            &c.small_blob(repo, rm["layers"][0]["digest"].as_str().unwrap(), 1 << 20)
                .unwrap(),
        )
        .unwrap();
        let env = &bundle["dsseEnvelope"];
        let body = b64().decode(env["payload"].as_str().unwrap()).unwrap();
        let sig = b64()
            .decode(env["signatures"][0]["sig"].as_str().unwrap())
            .unwrap();
        let msg = pae(env["payloadType"].as_str().unwrap(), &body);
        assert!(openssl_verify(&w.path("cosign.pub"), &sig, &msg));
        let statement: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            statement["subject"][0]["digest"]["sha256"],
            digest.trim_start_matches("sha256:")
        );
    }

    // Tamper 1: the tag is pushed again, to other content.
    let other = push_image(&c, repo, "1", "two");
    assert_ne!(other, digest);
    let (code, v, err) = w.verify(&image, &["--key", "cosign.pub"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(v["digest"], other);
    assert!(
        err.contains(&other) && err.contains("the image has no signatures"),
        "{err}"
    );
    // Tamper 2: the old signatures are copied next to the new content.
    let sig_bytes = c.manifest(repo, &sig_tag(&digest)).unwrap().0;
    c.push_manifest(repo, &sig_tag(&other), OCI_MANIFEST, &sig_bytes)
        .unwrap();
    let (code, v, err) = w.verify(&image, &["--key", "cosign.pub"]);
    assert_eq!(code, 1, "{err}");
    let r = reasons(&v);
    assert_eq!(r.len(), 1, "{v}");
    assert!(r[0].contains(&digest) && r[0].contains(&other), "{r:?}");
    assert!(err.contains("none of 1 signature verified"), "{err}");
    // By digest, the original still verifies.
    let (code, _, err) = w.verify(
        &format!("{}/{repo}@{digest}", reg.host),
        &["--key", "cosign.pub"],
    );
    assert_eq!(code, 0, "{err}");
}

#[test]
fn altered_payload_swapped_signature_and_misdirected_referrer_fail_precisely() {
    let Some(reg) = LocalRegistry::start(None) else {
        return;
    };
    let c = client(&reg.host);
    let repo = "team/tamper";
    let a = push_image(&c, repo, "a", "a");
    let b = push_image(&c, repo, "b", "b");
    let w = Work::new();
    w.keygen("cosign");
    let name = |d: &str| format!("{}/{repo}@{d}", reg.host);
    w.sign("cosign.key", &name(&a), &["--signature-format", "legacy"]);
    w.sign("cosign.key", &name(&b), &["--signature-format", "legacy"]);
    let original = manifest_json(&c, repo, &sig_tag(&a));

    // Altered payload: a new payload blob (the image digest kept, an
    // annotation added) under the old signature.
    let layer = &original["layers"][0];
    let payload = c
        .small_blob(repo, layer["digest"].as_str().unwrap(), 1 << 20)
        .unwrap();
    let mut p: Value = serde_json::from_slice(&payload).unwrap();
    p["optional"] = json!({"approved": "yes"});
    let forged = serde_json::to_vec(&p).unwrap();
    let forged_digest = c.push_blob(repo, &forged).unwrap();
    let mut m = original.clone();
    m["layers"][0]["digest"] = json!(forged_digest);
    m["layers"][0]["size"] = json!(forged.len());
    push_json(&c, repo, &sig_tag(&a), OCI_MANIFEST, &m);
    let (code, v, err) = w.verify(&name(&a), &["--key", "cosign.pub"]);
    assert_eq!(code, 1, "{err}");
    let r = reasons(&v);
    assert_eq!(r.len(), 1, "{v}");
    assert!(r[0].contains("does not verify"), "{r:?}");

    // Swapped signature: B's signature annotation on A's payload.
    let b_sig =
        manifest_json(&c, repo, &sig_tag(&b))["layers"][0]["annotations"][SIG_ANNOTATION].clone();
    let mut m = original.clone();
    m["layers"][0]["annotations"][SIG_ANNOTATION] = b_sig;
    push_json(&c, repo, &sig_tag(&a), OCI_MANIFEST, &m);
    let (code, v, _) = w.verify(&name(&a), &["--key", "cosign.pub"]);
    assert_eq!(code, 1);
    let r = reasons(&v);
    assert!(r.len() == 1 && r[0].contains("does not verify"), "{r:?}");

    // Restored: verifies again.
    push_json(&c, repo, &sig_tag(&a), OCI_MANIFEST, &original);
    let (code, _, err) = w.verify(&name(&a), &["--key", "cosign.pub"]);
    assert_eq!(code, 0, "{err}");

    // A bundle referrer of X pointed at Y (which has no signature of its
    // own): its subject rewritten and listed in Y's fallback index. The
    // signed statement still names X.
    let x = push_image(&c, repo, "x", "x");
    let y = push_image(&c, repo, "y", "y");
    w.sign("cosign.key", &name(&x), &[]);
    let index = manifest_json(&c, repo, &fallback_tag(&x));
    let rm = manifest_json(&c, repo, index["manifests"][0]["digest"].as_str().unwrap());
    let (y_bytes, y_type, _) = c.manifest(repo, &y).unwrap();
    let mut moved = rm.clone();
    moved["subject"] = json!({"mediaType": y_type, "digest": y, "size": y_bytes.len()});
    let moved_bytes = serde_json::to_vec(&moved).unwrap();
    let moved_digest = push_json(&c, repo, &sha256(&moved_bytes), OCI_MANIFEST, &moved);
    let mut desc = index["manifests"][0].clone();
    desc["digest"] = json!(moved_digest);
    desc["size"] = json!(moved_bytes.len());
    let y_index = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [desc]});
    push_json(
        &c,
        repo,
        &fallback_tag(&y),
        "application/vnd.oci.image.index.v1+json",
        &y_index,
    );
    let (code, v, err) = w.verify(&name(&y), &["--key", "cosign.pub"]);
    assert_eq!(code, 1, "{err}");
    let bundle_reasons: Vec<String> = v["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["format"] == "bundle")
        .map(|s| reason_of(s).unwrap_or_default())
        .collect();
    assert_eq!(bundle_reasons.len(), 1, "{v}");
    assert!(
        bundle_reasons[0].contains(&x) && bundle_reasons[0].contains(&y),
        "{bundle_reasons:?}"
    );
}

#[test]
fn second_signature_by_another_key_is_listed_and_verifies_only_with_its_key() {
    let Some(reg) = LocalRegistry::start(None) else {
        return;
    };
    let c = client(&reg.host);
    let repo = "team/two";
    let d = push_image(&c, repo, "1", "two-keys");
    let image = format!("{}/{repo}:1", reg.host);
    let w = Work::new();
    let fa = w.keygen("alice");
    let fb = w.keygen("bob");
    w.sign("alice.key", &image, &["--signature-format", "legacy"]);
    w.sign("bob.key", &image, &["--signature-format", "legacy"]);
    w.sign("bob.key", &image, &[]);

    let (code, v, err) = w.verify(&image, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["signatures"].as_array().unwrap().len(), 3, "{v}");
    // Re-signing appended a layer: alice's signature is still there.
    let m = manifest_json(&c, repo, &sig_tag(&d));
    assert_eq!(m["layers"].as_array().unwrap().len(), 2);

    let (code, v, err) = w.verify(&image, &["--key", "alice.pub"]);
    assert_eq!(code, 0, "{err}");
    let keys: Vec<String> = v["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(key_of)
        .collect();
    assert_eq!(keys, vec![fa.clone()]);
    assert_eq!(reasons(&v).len(), 2);
    let (code, v, _) = w.verify(&image, &["--key", "bob.pub"]);
    assert_eq!(code, 0);
    assert_eq!(
        v["signatures"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| key_of(s).as_deref() == Some(fb.as_str()))
            .count(),
        2
    );
    // Either key accepted: all three verify.
    let (code, v, _) = w.verify(&image, &["--key", "alice.pub", "--key", "bob.pub"]);
    assert_eq!(code, 0);
    assert!(statuses(&v).iter().all(|(_, s)| s == "verified"), "{v}");
    // A third key verifies none.
    w.keygen("carol");
    let (code, _, err) = w.verify(&image, &["--key", "carol.pub"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("requires a signature by carol.pub: none of 3 signatures verified"),
        "{err}"
    );
}

#[test]
fn wrong_passphrase_and_no_key_material_in_logs() {
    let Some(reg) = LocalRegistry::start(None) else {
        return;
    };
    let c = client(&reg.host);
    push_image(&c, "team/pass", "1", "pass");
    let image = format!("{}/team/pass:1", reg.host);
    let w = Work::new();
    w.keygen("cosign");
    let key_pem = std::fs::read_to_string(w.path("cosign.key")).unwrap();
    let body_lines: Vec<&str> = key_pem
        .lines()
        .filter(|l| !l.starts_with("-----") && l.len() > 16)
        .collect();
    assert!(!body_lines.is_empty());

    let wrong = "not-the-passphrase-91ac";
    let (code, out, err) = w.run(
        &["-vvv", "sign", "--key", "cosign.key", &image],
        Some(wrong),
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("wrong passphrase") && err.contains("cosign.key"),
        "{err}"
    );
    assert!(!err.contains(wrong) && !out.contains(wrong));
    // Nothing was pushed.
    let (_, v, _) = w.verify(&image, &[]);
    assert_eq!(v["signatures"].as_array().unwrap().len(), 0);

    let (code, out, err) = w.run(
        &[
            "-vvv",
            "sign",
            "--key",
            "cosign.key",
            "--signature-format",
            "legacy",
            &image,
        ],
        Some(PASS),
    );
    assert_eq!(code, 0, "{err}");
    // A -vvv log to a pipe, not a terminal, is plain text even without
    // NO_COLOR.
    let piped = w
        .cmd()
        .env_remove("NO_COLOR")
        .args(["-vvv", "verify", &image])
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&piped.stderr);
    assert!(log.contains("DEBUG"), "{log}");
    assert!(
        !log.contains('\x1b'),
        "escape codes in a piped log: {log:?}"
    );
    for text in [&out, &err] {
        assert!(!text.contains(PASS));
        assert!(!text.contains("PRIVATE KEY"));
        for l in &body_lines {
            assert!(!text.contains(l), "key material in output");
        }
    }
    // Without a passphrase source: exit 2 naming what to set.
    let (code, _, err) = w.run(&["sign", "--key", "cosign.key", &image], None);
    assert_eq!(code, 2);
    assert!(err.contains("BULKHEAD_PASSWORD"), "{err}");
}

fn write_policy(w: &Work, host: &str) {
    std::fs::create_dir_all(w.path("keys")).unwrap();
    std::fs::copy(w.path("team.pub"), w.path("keys/team.pub")).unwrap();
    std::fs::copy(w.path("ops.pub"), w.path("keys/ops.pub")).unwrap();
    std::fs::write(
        w.path("bulkhead.toml"),
        format!(
            r#"[policy]
default = "deny"

[[policy.rules]]
name = "scratch"
match = "{host}/team/scratch-*"
signed = false

[[policy.rules]]
name = "team-images"
match = "{host}/team/*"
keys = ["keys/team.pub"]

[[policy.rules]]
name = "prod"
match = "{host}/prod/**"
keys = ["keys/team.pub", "keys/ops.pub"]
require = "all"
annotations = {{ env = "prod" }}
"#
        ),
    )
    .unwrap();
}

/// A work folder with keys team and ops and the policy of [`write_policy`].
fn policy_work(host: &str) -> Work {
    let w = Work::new();
    w.keygen("team");
    w.keygen("ops");
    write_policy(&w, host);
    w
}

#[test]
fn policy_names_the_rule_that_failed() {
    let Some(reg) = LocalRegistry::start(None) else {
        return;
    };
    let h = reg.host.clone();
    let c = client(&h);
    push_image(&c, "team/signed", "1", "signed");
    push_image(&c, "team/unsigned", "1", "unsigned");
    push_image(&c, "team/scratch-x", "1", "scratch");
    push_image(&c, "other/app", "1", "other");
    push_image(&c, "prod/web/api", "1", "prod");
    let w = policy_work(&h);
    w.sign("team.key", &format!("{h}/team/signed:1"), &[]);

    let (code, v, err) = w.verify(&format!("{h}/team/signed:1"), &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["mode"], "policy");
    assert_eq!(v["policy"]["rule"], "team-images");

    let (code, v, err) = w.verify(&format!("{h}/team/unsigned:1"), &[]);
    assert_eq!(code, 1);
    let want = format!(
        "policy rule \"team-images\" (match \"{h}/team/*\") requires a signature by keys/team.pub: the image has no signatures"
    );
    assert!(err.contains(&want), "{err}");
    assert_eq!(v["failure"], want);

    // Signed by a key the rule does not list.
    w.sign("ops.key", &format!("{h}/team/unsigned:1"), &[]);
    let (code, _, err) = w.verify(&format!("{h}/team/unsigned:1"), &[]);
    assert_eq!(code, 1);
    assert!(
        err.contains("policy rule \"team-images\"")
            && err.contains("none of 1 signature verified (referrer sha256:"),
        "{err}"
    );

    let (code, v, err) = w.verify(&format!("{h}/team/scratch-x:1"), &[]);
    assert_eq!(code, 0, "{err}");
    assert!(v["note"].as_str().unwrap().contains("\"scratch\""), "{v}");

    let (code, _, err) = w.verify(&format!("{h}/other/app:1"), &[]);
    assert_eq!(code, 1);
    assert!(
        err.contains(&format!("no policy rule matches {h}/other/app")) && err.contains("\"deny\""),
        "{err}"
    );

    // require = "all" plus an annotation.
    let prod = format!("{h}/prod/web/api:1");
    w.sign("team.key", &prod, &["-a", "env=prod"]);
    let (code, _, err) = w.verify(&prod, &[]);
    assert_eq!(code, 1);
    assert!(
        err.contains("requires signatures by all of keys/team.pub, keys/ops.pub with annotations env=prod: no verified signature by keys/ops.pub"),
        "{err}"
    );
    w.sign("ops.key", &prod, &["-a", "env=staging"]);
    let (code, _, err) = w.verify(&prod, &[]);
    assert_eq!(code, 1);
    assert!(
        err.contains("lacks annotation env=prod (has env=staging)"),
        "{err}"
    );
    w.sign(
        "ops.key",
        &prod,
        &["-a", "env=prod", "--signature-format", "legacy"],
    );
    let (code, _, err) = w.verify(&prod, &[]);
    assert_eq!(code, 0, "{err}");

    // --policy FILE from elsewhere; keys relative to that file.
    let other = Work::new();
    std::fs::create_dir_all(other.path("p/keys")).unwrap();
    std::fs::copy(w.path("keys/team.pub"), other.path("p/keys/team.pub")).unwrap();
    std::fs::copy(w.path("bulkhead.toml"), other.path("p/policy.toml")).unwrap();
    let pol = other.path("p/policy.toml");
    let (code, _, err) = other.verify(
        &format!("{h}/team/signed:1"),
        &["--policy", pol.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{err}");
    // Without a policy anywhere: listing only.
    let (code, v, _) = other.verify(&format!("{h}/team/unsigned:1"), &[]);
    assert_eq!(code, 0);
    assert_eq!(v["mode"], "list");
    // A file without [policy].
    std::fs::write(other.path("empty.toml"), "[audit]\nskip = []\n").unwrap();
    let (code, _, err) = other.run(
        &[
            "verify",
            "--policy",
            "empty.toml",
            &format!("{h}/team/signed:1"),
        ],
        None,
    );
    assert_eq!(code, 2);
    assert!(err.contains("has no [policy] section"), "{err}");
    // A misspelt key in the settings file is named.
    std::fs::write(
        other.path("bulkhead.toml"),
        "[policy]\ndefualt = \"deny\"\n",
    )
    .unwrap();
    let (code, _, err) = other.run(&["verify", &format!("{h}/team/signed:1")], None);
    assert_eq!(code, 2);
    assert!(err.contains("defualt") && err.contains("line 2"), "{err}");
    // --config naming a missing file.
    let (code, _, err) = other.run(
        &[
            "--config",
            "nope.toml",
            "verify",
            &format!("{h}/team/signed:1"),
        ],
        None,
    );
    assert_eq!(code, 2);
    assert!(err.contains("nope.toml"), "{err}");
}

#[test]
fn verify_annotations_add_to_a_policy_rule_and_never_replace_its_own() {
    // The "prod" rule requires env=prod; `-a env=dev` on the command line
    // must not turn that into env=dev.
    let Some(reg) = LocalRegistry::start(None) else {
        return;
    };
    let h = reg.host.clone();
    let c = client(&h);
    push_image(&c, "prod/web/dev", "1", "dev");
    let w = policy_work(&h);
    let image = format!("{h}/prod/web/dev:1");
    w.sign("team.key", &image, &["-a", "env=dev"]);
    w.sign("ops.key", &image, &["-a", "env=dev"]);
    let (code, _, err) = w.verify(&image, &[]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("lacks annotation env=prod"), "{err}");
    let (code, out, err) = w.run(&["verify", "-f", "json", &image, "-a", "env=dev"], None);
    assert_eq!(code, 2, "-a replaced the rule's env=prod: {out}\n{err}");
    assert!(
        err.contains("-a env=dev") && err.contains("env=prod") && err.contains("\"prod\""),
        "{err}"
    );
    // An annotation the rule does not name is added to its requirements.
    let (code, _, err) = w.verify(&image, &["-a", "team=web"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("team=web"), "{err}");
    // Where the policy verifies nothing (an exempt rule, default "allow"),
    // -a cannot hold: it fails instead of passing unchecked.
    push_image(&c, "team/scratch-a", "1", "scratch");
    let scratch = format!("{h}/team/scratch-a:1");
    let (code, _, err) = w.verify(&scratch, &[]);
    assert_eq!(code, 0, "{err}");
    let (code, v, err) = w.verify(&scratch, &["-a", "env=prod"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(v["verified"], false);
    assert!(
        err.contains("-a env=prod cannot be checked") && err.contains("\"scratch\""),
        "{err}"
    );
    std::fs::write(w.path("allow.toml"), "[policy]\ndefault = \"allow\"\n").unwrap();
    let (code, _, err) = w.verify(&image, &["--policy", "allow.toml", "-a", "env=dev"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("cannot be checked: no policy rule matches"),
        "{err}"
    );
    let (code, _, err) = w.verify(&image, &["--policy", "allow.toml"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn image_verify_gates_the_scan() {
    let Some(reg) = LocalRegistry::start(None) else {
        return;
    };
    let h = reg.host.clone();
    let c = client(&h);
    let d = push_image(&c, "team/signed", "1", "signed");
    push_image(&c, "team/unsigned", "1", "unsigned");
    let w = policy_work(&h);
    w.sign(
        "team.key",
        &format!("{h}/team/signed:1"),
        &["--signature-format", "legacy"],
    );
    let scan = |image: &str, extra: &[&str]| {
        let mut a = vec![
            "image",
            "--verify",
            "--scanners",
            "secret",
            "-f",
            "json",
            image,
        ];
        a.extend_from_slice(extra);
        w.run(&a, None)
    };
    let (code, out, err) = scan(&format!("{h}/team/unsigned:1"), &[]);
    assert_eq!(code, 1, "{err}");
    assert!(out.is_empty(), "no scan after a failed policy: {out}");
    assert!(
        err.contains("policy rule \"team-images\"") && err.contains("the image has no signatures"),
        "{err}"
    );
    let (code, out, err) = scan(&format!("{h}/team/signed:1"), &[]);
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert!(
        report["ArtifactName"].as_str().unwrap().contains(&d),
        "the verified digest is what was scanned: {}",
        report["ArtifactName"]
    );
    // Not a registry image: exit 2.
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("oci");
    let mut b = ImageBuilder::new();
    b.layer("x").file("a", b"b").unwrap();
    b.write(Layout::OciDir, &layout).unwrap();
    let (code, _, err) = w.run(
        &["image", "--verify", "--input", layout.to_str().unwrap()],
        None,
    );
    assert_eq!(code, 2);
    assert!(err.contains("needs a registry image"), "{err}");
    let (code, _, err) = scan(&format!("{h}/team/signed:1"), &["--image-src", "docker"]);
    assert_eq!(code, 2);
    assert!(err.contains("needs a registry image"), "{err}");
}

#[test]
fn image_verify_never_scans_a_local_path_named_like_the_verified_digest() {
    // The scan after a passed policy must read the verified digest from the
    // registry. A folder in the working directory spelt like the pinned
    // reference (e.g. committed to an untrusted checkout) must not be
    // scanned in its place.
    let Some(reg) = LocalRegistry::start(None) else {
        return;
    };
    let h = reg.host.clone();
    let c = client(&h);
    let d = push_image(&c, "team/decoy", "1", "decoy");
    let w = policy_work(&h);
    w.sign(
        "team.key",
        &format!("{h}/team/decoy:1"),
        &["--signature-format", "legacy"],
    );
    let decoy = w.path(&format!("{h}/team/decoy:1@{d}"));
    std::fs::create_dir_all(&decoy).unwrap();
    std::fs::write(decoy.join("note.txt"), b"not the image").unwrap();
    let (code, out, err) = w.run(
        &[
            "image",
            "--verify",
            "--scanners",
            "secret",
            "-f",
            "json",
            &format!("{h}/team/decoy:1"),
        ],
        None,
    );
    assert_eq!(code, 2, "a local folder was scanned instead: {out}\n{err}");
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("local file or folder") && err.contains(&d),
        "{err}"
    );
}

/// Copy the manifest at `reference` and the blobs it names from `c` into
/// `objects` (keyed by digest); returns the manifest digest.
fn copy_image(c: &Registry, repo: &str, reference: &str, objects: &Objects) -> String {
    let (bytes, mt, d) = c.manifest(repo, reference).unwrap();
    let m: Value = serde_json::from_slice(&bytes).unwrap();
    let mut o = objects.lock().unwrap();
    let blobs = std::iter::once(&m["config"]).chain(m["layers"].as_array().unwrap());
    for b in blobs {
        let bd = b["digest"].as_str().unwrap();
        let blob = c.small_blob(repo, bd, 1 << 26).unwrap();
        o.insert(bd.to_string(), ("application/octet-stream".into(), blob));
    }
    o.insert(d.clone(), (mt, bytes));
    d
}

#[test]
fn image_verify_scans_the_verified_digest_even_when_the_tag_moves() {
    // A registry that moves the tag right after answering the first look-up
    // (the race between verifying and scanning): the scan must read the
    // verified, signed image, never what the tag names by then.
    let Some(reg) = LocalRegistry::start(None) else {
        return;
    };
    let c = client(&reg.host);
    let repo = "team/ref";
    let signed = push_image(&c, repo, "signed", "signed");
    let swapped = push_image(&c, repo, "swapped", "swapped");
    let w = Work::new();
    w.keygen("team");
    w.sign(
        "team.key",
        &format!("{}/{repo}@{signed}", reg.host),
        &["--signature-format", "legacy"],
    );
    let objects: Objects = Arc::default();
    copy_image(&c, repo, &signed, &objects);
    copy_image(&c, repo, &swapped, &objects);
    let sig = copy_image(&c, repo, &sig_tag(&signed), &objects);
    {
        let mut o = objects.lock().unwrap();
        let entry = o.get(&sig).unwrap().clone();
        o.insert(sig_tag(&signed), entry);
    }
    let config_of = |d: &str| -> String {
        let o = objects.lock().unwrap();
        let m: Value = serde_json::from_slice(&o.get(d).unwrap().1).unwrap();
        m["config"]["digest"].as_str().unwrap().to_string()
    };
    let (signed_config, swapped_config) = (config_of(&signed), config_of(&swapped));
    let tag_gets = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (objects2, tag_gets2) = (objects.clone(), tag_gets.clone());
    let (signed2, swapped2) = (signed.clone(), swapped.clone());
    let server = TestServer::start(move |req: &Req, _host: &str| {
        let path = req.path.split('?').next().unwrap_or("");
        if path == "/v2/" {
            return Resp::ok("{}", &[]);
        }
        let Some(rest) = path.strip_prefix("/v2/team/ref/") else {
            return Resp::status(404, &[]);
        };
        let key = match rest.strip_prefix("manifests/") {
            Some("1") => {
                let n = tag_gets2.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                if n == 0 {
                    signed2.clone()
                } else {
                    swapped2.clone()
                }
            }
            Some(k) => k.to_string(),
            None => rest.strip_prefix("blobs/").unwrap_or("").to_string(),
        };
        serve_object(&objects2, &key)
    });
    let h = server.host.clone();
    std::fs::write(
        w.path("bulkhead.toml"),
        format!(
            "[policy]\n[[policy.rules]]\nname = \"team-images\"\nmatch = \"{h}/team/*\"\nkeys = [\"team.pub\"]\n"
        ),
    )
    .unwrap();
    let (code, out, err) = w.run(
        &[
            "image",
            "--verify",
            "--scanners",
            "secret",
            "-f",
            "json",
            &format!("{h}/{repo}:1"),
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        report["Metadata"]["ImageID"], signed_config,
        "the scan read another image than the verified one (swapped config {swapped_config})"
    );
    assert_eq!(tag_gets.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[test]
fn openssl_made_legacy_signature_verifies() {
    if !openssl() {
        return;
    }
    let Some(reg) = LocalRegistry::start(None) else {
        return;
    };
    let c = client(&reg.host);
    let repo = "team/openssl";
    let d = push_image(&c, repo, "1", "openssl");
    let w = Work::new();
    let run = |args: &[&str]| {
        let o = std::process::Command::new("openssl")
            .current_dir(w.dir.path())
            .args(args)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    };
    run(&[
        "ecparam",
        "-name",
        "prime256v1",
        "-genkey",
        "-noout",
        "-out",
        "ossl.pem",
    ]);
    run(&["ec", "-in", "ossl.pem", "-pubout", "-out", "ossl.pub"]);
    // The simple-signing payload, written by hand after cosign's spec.
    let payload = format!(
        r#"{{"critical":{{"identity":{{"docker-reference":"{}/{repo}"}},"image":{{"docker-manifest-digest":"{d}"}},"type":"cosign container image signature"}},"optional":{{"by":"openssl"}}}}"#,
        reg.host
    );
    std::fs::write(w.path("payload.json"), &payload).unwrap();
    run(&[
        "dgst",
        "-sha256",
        "-sign",
        "ossl.pem",
        "-out",
        "payload.sig",
        "payload.json",
    ]);
    let sig = std::fs::read(w.path("payload.sig")).unwrap();
    let payload_digest = c.push_blob(repo, payload.as_bytes()).unwrap();
    let config =
        br#"{"architecture":"","os":"","rootfs":{"type":"layers","diff_ids":[]},"config":{}}"#;
    let config_digest = c.push_blob(repo, config).unwrap();
    let m = json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config.len()},
        "layers": [{
            "mediaType": SIMPLESIGNING,
            "digest": payload_digest,
            "size": payload.len(),
            "annotations": {SIG_ANNOTATION: b64().encode(&sig)}
        }]
    });
    push_json(&c, repo, &sig_tag(&d), OCI_MANIFEST, &m);
    let image = format!("{}/{repo}:1", reg.host);
    let (code, v, err) = w.verify(&image, &["--key", "ossl.pub", "-a", "by=openssl"]);
    assert_eq!(code, 0, "{err}\n{v}");
    assert_eq!(statuses(&v), vec![("legacy".into(), "verified".into())]);

    // The unencrypted openssl key (SEC1 "EC PRIVATE KEY") signs too, and
    // openssl verifies what Bulkhead stored.
    let (code, _, err) = w.run(
        &[
            "sign",
            "--key",
            "ossl.pem",
            "--signature-format",
            "legacy",
            &image,
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    let m = manifest_json(&c, repo, &sig_tag(&d));
    let layer = &m["layers"][1];
    let stored = c
        .small_blob(repo, layer["digest"].as_str().unwrap(), 1 << 20)
        .unwrap();
    let s = b64()
        .decode(layer["annotations"][SIG_ANNOTATION].as_str().unwrap())
        .unwrap();
    assert!(openssl_verify(&w.path("ossl.pub"), &s, &stored));
}

/// A scripted registry with the referrers API: serves the objects in
/// `objects` (by digest or tag) and `/referrers/<digest>` from `referrers`;
/// accepts uploads (bodies are not kept) and records every request.
struct ScriptedRegistry {
    server: TestServer,
    log: Arc<Mutex<Vec<String>>>,
}

type Objects = Arc<Mutex<std::collections::HashMap<String, (String, Vec<u8>)>>>;

/// A manifest or blob of `objects` by tag or digest, as a registry answers.
fn serve_object(objects: &Objects, key: &str) -> Resp {
    match objects.lock().unwrap().get(key) {
        Some((mt, bytes)) => Resp::ok(
            bytes.clone(),
            &[
                ("Content-Type", mt.as_str()),
                ("Docker-Content-Digest", &sha256(bytes)),
            ],
        ),
        None => Resp::status(404, &[]),
    }
}

impl ScriptedRegistry {
    fn start(objects: Objects, referrers: Arc<Mutex<Vec<Value>>>) -> ScriptedRegistry {
        let log = Arc::new(Mutex::new(Vec::new()));
        let log2 = log.clone();
        let server = TestServer::start(move |req: &Req, _host: &str| {
            log2.lock()
                .unwrap()
                .push(format!("{} {}", req.method, req.path));
            let path = req.path.split('?').next().unwrap_or("");
            if path == "/v2/" {
                return Resp::ok("{}", &[]);
            }
            let Some(rest) = path.strip_prefix("/v2/team/ref/") else {
                return Resp::status(404, &[]);
            };
            if let Some(d) = rest.strip_prefix("referrers/") {
                let list: Vec<Value> = referrers
                    .lock()
                    .unwrap()
                    .iter()
                    .filter(|r| r["subject"] == d)
                    .map(|r| r["descriptor"].clone())
                    .collect();
                let idx = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": list});
                return Resp::ok(
                    serde_json::to_vec(&idx).unwrap(),
                    &[("Content-Type", "application/vnd.oci.image.index.v1+json")],
                );
            }
            if rest.starts_with("blobs/uploads") {
                return match req.method.as_str() {
                    "POST" => Resp::status(202, &[("Location", "/v2/team/ref/blobs/uploads/u1")]),
                    _ => Resp::status(201, &[]),
                };
            }
            let key = rest
                .strip_prefix("manifests/")
                .or_else(|| rest.strip_prefix("blobs/"))
                .unwrap_or("");
            if req.method == "PUT" {
                return Resp::status(201, &[]);
            }
            serve_object(&objects, key)
        });
        ScriptedRegistry { server, log }
    }
}

#[test]
fn referrers_api_path() {
    let Some(reg) = LocalRegistry::start(None) else {
        return;
    };
    let c = client(&reg.host);
    let repo = "team/ref";
    let d = push_image(&c, repo, "1", "referrers");
    let w = Work::new();
    w.keygen("cosign");
    // Sign on docker-registry (fallback index), then serve the same objects
    // from a registry that has the referrers API and no fallback tag.
    w.sign("cosign.key", &format!("{}/{repo}@{d}", reg.host), &[]);
    let index = manifest_json(&c, repo, &fallback_tag(&d));
    let desc = index["manifests"][0].clone();
    let rdigest = desc["digest"].as_str().unwrap().to_string();
    let (rbytes, rtype, _) = c.manifest(repo, &rdigest).unwrap();
    let rm: Value = serde_json::from_slice(&rbytes).unwrap();
    let bundle_digest = rm["layers"][0]["digest"].as_str().unwrap().to_string();
    let config_digest = rm["config"]["digest"].as_str().unwrap().to_string();
    let (ibytes, itype, _) = c.manifest(repo, &d).unwrap();
    let objects: Objects = Arc::default();
    {
        let mut o = objects.lock().unwrap();
        o.insert(d.clone(), (itype.clone(), ibytes.clone()));
        o.insert("1".into(), (itype, ibytes));
        o.insert(rdigest.clone(), (rtype, rbytes));
        for b in [&bundle_digest, &config_digest] {
            o.insert(
                b.clone(),
                (
                    "application/octet-stream".into(),
                    c.small_blob(repo, b, 1 << 20).unwrap(),
                ),
            );
        }
    }
    let referrers = Arc::new(Mutex::new(vec![json!({"subject": d, "descriptor": desc})]));
    let s = ScriptedRegistry::start(objects, referrers);
    let image = format!("{}/{repo}:1", s.server.host);
    let (code, v, err) = w.verify(&image, &["--key", "cosign.pub"]);
    assert_eq!(code, 0, "{err}\n{v}");
    assert_eq!(statuses(&v), vec![("bundle".into(), "verified".into())]);
    assert!(
        v["signatures"][0]["location"]
            .as_str()
            .unwrap()
            .contains(&rdigest),
        "{v}"
    );
    let log = s.log.lock().unwrap().clone();
    assert!(
        log.iter()
            .any(|l| l.starts_with(&format!("GET /v2/{repo}/referrers/{d}"))),
        "{log:?}"
    );

    // Signing where the referrers API exists: the referrer manifest is
    // pushed by digest and no fallback tag is written.
    s.log.lock().unwrap().clear();
    let signed = w.sign("cosign.key", &image, &[]);
    let loc = signed["location"].as_str().unwrap();
    assert!(
        loc.starts_with("referrer sha256:") && !loc.contains("fallback"),
        "{loc}"
    );
    let log = s.log.lock().unwrap().clone();
    let puts: Vec<&String> = log
        .iter()
        .filter(|l| l.starts_with("PUT /v2/team/ref/manifests/"))
        .collect();
    assert_eq!(puts.len(), 1, "{log:?}");
    assert!(puts[0].contains("manifests/sha256:"), "{puts:?}");
    assert!(
        !log.iter()
            .any(|l| l.contains(&fallback_tag(&d)) && l.starts_with("PUT")),
        "{log:?}"
    );
}

#[test]
fn hostile_registry_objects_are_failed_entries_not_crashes() {
    let w = Work::new();
    w.keygen("cosign");
    let config =
        br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#;
    let image = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha256(config), "size": config.len()},
        "layers": []
    }))
    .unwrap();
    let d = sha256(&image);
    let objects: Objects = Arc::default();
    let referrers = Arc::new(Mutex::new(Vec::new()));
    {
        let mut o = objects.lock().unwrap();
        o.insert("1".into(), (OCI_MANIFEST.into(), image.clone()));
        o.insert(d.clone(), (OCI_MANIFEST.into(), image));
        // The .sig tag holds garbage.
        o.insert(
            sig_tag(&d),
            (OCI_MANIFEST.into(), b"\x00\xffnot json".to_vec()),
        );
        let mut r = referrers.lock().unwrap();
        // Referrers that do not exist, and one that claims to be huge.
        for i in 0..30 {
            r.push(json!({"subject": d, "descriptor": {
                "mediaType": OCI_MANIFEST, "artifactType": BUNDLE_TYPE,
                "digest": sha256(format!("missing {i}").as_bytes()), "size": 500}}));
        }
        r.push(json!({"subject": d, "descriptor": {
            "mediaType": OCI_MANIFEST, "artifactType": BUNDLE_TYPE,
            "digest": sha256(b"huge"), "size": 1_u64 << 40}}));
    }
    let s = ScriptedRegistry::start(objects.clone(), referrers.clone());
    let name = format!("{}/team/ref:1", s.server.host);
    let (code, v, err) = w.verify(&name, &["--key", "cosign.pub"]);
    assert_eq!(code, 1, "{err}");
    let sigs = v["signatures"].as_array().unwrap();
    assert!(sigs.len() >= 32, "{v}");
    assert!(sigs.iter().all(|s| status_of(s) == "failed"), "{v}");
    assert!(err.lines().count() == 1, "one line: {err}");
    let (code, _, err) = w.verify(&name, &[]);
    assert_eq!(code, 0, "listing never fails on bad signatures: {err}");

    // Escape sequences in registry data do not reach the terminal.
    let payload = format!(
        r#"{{"critical":{{"identity":{{"docker-reference":"evil\u001b[2J\u001b]0;pwned\u0007"}},"image":{{"docker-manifest-digest":"{d}"}},"type":"cosign container image signature"}},"optional":{{"note\u001b[31m":"x\u001b[0m"}}}}"#
    );
    let sig_manifest = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha256(config), "size": config.len()},
        "layers": [{"mediaType": SIMPLESIGNING, "digest": sha256(payload.as_bytes()), "size": payload.len(),
                    "annotations": {SIG_ANNOTATION: b64().encode(b"\x1b[2Jnot a signature")}}]
    }))
    .unwrap();
    {
        let mut o = objects.lock().unwrap();
        o.insert(sig_tag(&d), (OCI_MANIFEST.into(), sig_manifest));
        o.insert(
            sha256(payload.as_bytes()),
            ("application/octet-stream".into(), payload.into_bytes()),
        );
        referrers.lock().unwrap().clear();
    }
    for args in [vec![], vec!["--key", "cosign.pub"]] {
        let mut a = vec!["verify", "-f", "table", &name];
        a.extend(args.iter());
        let (_, out, err) = w.run(&a, None);
        assert!(out.contains("1 signature"), "{out}");
        assert!(
            !out.contains('\u{1b}') && !err.contains('\u{1b}'),
            "{out}{err}"
        );
        assert!(!out.contains('\u{7}') && !err.contains('\u{7}'));
    }
}

#[test]
fn verify_reports_snapshot() {
    let Some(reg) = LocalRegistry::start(None) else {
        return;
    };
    let c = client(&reg.host);
    push_image(&c, "team/snap", "1", "snapshot");
    let image = format!("{}/team/snap:1", reg.host);
    let w = Work::new();
    w.keygen("team");
    w.keygen("ops");
    write_policy(&w, &reg.host);
    w.sign("team.key", &image, &[]);
    w.sign(
        "ops.key",
        &image,
        &["--signature-format", "legacy", "-a", "env=prod"],
    );
    let (code, table, _) = w.run(&["verify", "-f", "table", &image], None);
    // ops.pub is no key of rule team-images; the bundle by team.pub passes it.
    assert_eq!(code, 0, "{table}");
    let (_, json, _) = w.run(&["verify", "-f", "json", &image], None);
    let mut s = insta::Settings::clone_current();
    s.add_filter(&regex_escape(&reg.host), "[REGISTRY]");
    s.add_filter(r"sha256:[0-9a-f]{64}", "sha256:[DIGEST]");
    s.add_filter(r"sha256-[0-9a-f]{64}", "sha256-[HEX]");
    s.add_filter(r#""sha256": "[0-9a-f]{64}""#, r#""sha256": "[HEX]""#);
    s.add_filter(r"(key hint:\s+)\S+", "$1[HINT]");
    s.add_filter(r#""key_hint": "[^"]+""#, r#""key_hint": "[HINT]""#);
    s.add_filter(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "[TIME]");
    s.bind(|| {
        insta::assert_snapshot!("verify_policy_table", table);
        insta::assert_snapshot!("verify_policy_json", json);
    });
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if c.is_ascii_alphanumeric() {
                vec![c]
            } else {
                vec!['\\', c]
            }
        })
        .collect()
}
