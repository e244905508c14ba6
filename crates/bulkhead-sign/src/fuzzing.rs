//! Entry points shared by the fuzz targets (fuzz/fuzz_targets/sign_*.rs) and
//! the seed replay test (crates/bulkhead-cli/tests/fuzz_replay.rs). None may
//! panic on any input.

use crate::bundle::{self, Content};
use crate::keys::{EncryptedKey, KeyLimits};
use crate::{
    MemStore, PublicKey, SignRequest, SignatureFormat, SigningKey, Status, discover, fallback_tag,
    legacy_tag, sha256_digest, sign, simple,
};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// scrypt limits for fuzzing: tiny, so an input never stalls the fuzzer
/// (the real limits are exercised by the unit tests).
pub const FUZZ_LIMITS: KeyLimits = KeyLimits {
    max_n: 16,
    max_r: 8,
    max_p: 2,
    max_memory: 128 * 16 * 8,
    max_work: 16 * 8 * 2,
};

/// Passphrase the key file seeds are encrypted with.
pub const FUZZ_PASSPHRASE: &[u8] = b"fuzz";

/// The fixed key that signs the fuzz store's real signatures.
pub const FUZZ_KEY_PEM: &str = "-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIA9ET1BncZGqtWC0s3pk3VK9NBoJ0nBWUUNv35Zs3nm+oAoGCCqGSM49
AwEHoUQDQgAEoNNh3POeY8teh/fGZ9at3AYAQ3hFQWG2AZ2RIfJUP9G/wULZuaMH
AMYF6LuuCG6l9RPOvTVnWDKrngcpXZunew==
-----END EC PRIVATE KEY-----
";

/// The image the fuzz store's signatures are for.
pub const FUZZ_IMAGE_MANIFEST: &[u8] =
    br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}"#;

/// Key files: the PEM layer, the envelope JSON, the bounded KDF and the
/// PKCS#8/SEC1 decoders; public key PEMs too.
pub fn keyfile(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = SigningKey::from_pem_with_limits(&text, Some(FUZZ_PASSPHRASE), &FUZZ_LIMITS);
    let _ = SigningKey::from_pem_with_limits(&text, None, &FUZZ_LIMITS);
    if let Ok(k) = EncryptedKey::parse(data, &FUZZ_LIMITS) {
        let _ = k.decrypt(FUZZ_PASSPHRASE);
    }
    if let Ok(p) = PublicKey::from_pem(&text) {
        let _ = p.verify(data, data);
        let _ = p.fingerprint();
    }
    let _ = PublicKey::from_spki_der(data);
}

/// Simple-signing payloads: an accepted payload survives a rebuild.
pub fn payload(data: &[u8]) {
    if let Ok(p) = simple::parse(data) {
        let rebuilt = simple::build(
            &p.digest,
            p.docker_reference.as_deref().unwrap_or(""),
            &p.annotations,
        );
        let again = simple::parse(&rebuilt);
        assert!(
            again.as_ref().is_ok_and(|a| a.digest == p.digest),
            "a rebuilt payload does not parse back: {again:?}"
        );
    }
}

/// Bundles, DSSE envelopes and in-toto statements.
pub fn bundle(data: &[u8]) {
    let _ = bundle::parse_statement(data);
    if let Ok(b) = bundle::parse(data)
        && let Content::Dsse {
            payload_type,
            payload,
            signatures,
        } = &b.content
    {
        let _ = bundle::parse_statement(payload);
        if let Ok(k) = SigningKey::from_pem(FUZZ_KEY_PEM, None) {
            let _ = bundle::dsse_verifies(&k.public_key(), payload_type, payload, signatures);
        }
    }
}

/// A store holding the fuzz image signed in both formats by [`FUZZ_KEY_PEM`].
pub fn signed_store(referrers_api: bool) -> Option<(MemStore, String, SigningKey)> {
    let store = MemStore::new(referrers_api);
    let digest = store.put_manifest("v1", crate::manifest::OCI_MANIFEST, FUZZ_IMAGE_MANIFEST);
    let key = SigningKey::from_pem(FUZZ_KEY_PEM, None).ok()?;
    let annotations = BTreeMap::from([("fuzz".to_string(), "1".to_string())]);
    for format in [SignatureFormat::Legacy, SignatureFormat::Bundle] {
        let req = SignRequest {
            digest: &digest,
            docker_reference: "registry.example/fuzz",
            annotations: &annotations,
            format,
        };
        sign(&store, &key, &req).ok()?;
    }
    Some((store, digest, key))
}

/// [`signed_store`], built once per process (signing is the slow part).
fn template(referrers_api: bool) -> Option<(MemStore, String, PublicKey)> {
    type Template = Option<(MemStore, String, PublicKey)>;
    static WITH_API: OnceLock<Template> = OnceLock::new();
    static WITHOUT_API: OnceLock<Template> = OnceLock::new();
    let cell = if referrers_api {
        &WITH_API
    } else {
        &WITHOUT_API
    };
    let (store, digest, key) = cell
        .get_or_init(|| signed_store(referrers_api).map(|(s, d, k)| (s, d, k.public_key())))
        .as_ref()?;
    Some((store.duplicate(), digest.clone(), key.clone()))
}

/// Discovery with `data` as the `.sig` manifest and the fallback index (no
/// referrers API), then as a referrer found through the referrers API. The
/// store holds real signatures whose blobs seeds can name.
pub fn manifest(data: &[u8]) {
    if let Some((store, digest, key)) = template(false)
        && let (Ok(sig_tag), Ok(index_tag)) = (legacy_tag(&digest), fallback_tag(&digest))
    {
        store.tamper_tag(&sig_tag, data);
        store.tamper_tag(&index_tag, data);
        check(discover(&store, &digest, std::slice::from_ref(&key)));
    }
    if let Some((store, digest, key)) = template(true) {
        store.put_manifest(&sha256_digest(data), crate::manifest::OCI_MANIFEST, data);
        check(discover(&store, &digest, std::slice::from_ref(&key)));
        check(discover(&store, &digest, &[]));
    }
}

fn check(found: Result<Vec<crate::FoundSignature>, crate::SignError>) {
    // MemStore never fails at the top level, so discovery must not either.
    assert!(
        found.is_ok(),
        "discover failed on hostile content: {found:?}"
    );
    for f in found.iter().flatten() {
        if let Status::Failed { reason } = &f.status {
            assert!(!reason.is_empty());
        }
        let _ = serde_json::to_string(f);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use std::path::Path;

    /// Regenerates fuzz/seeds/sign_*: `cargo test -p bulkhead-sign -- --ignored write_seeds`.
    #[test]
    #[ignore]
    fn write_seeds() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds");
        let put = |target: &str, name: &str, bytes: &[u8]| {
            let dir = root.join(target);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join(name), bytes).unwrap();
        };
        let key = SigningKey::from_pem(FUZZ_KEY_PEM, None).unwrap();
        // Key files.
        let tiny = key.encrypt_with(FUZZ_PASSPHRASE, 4, 8, 1).unwrap();
        put("sign_keyfile", "encrypted-tiny-n.pem", tiny.as_bytes());
        put(
            "sign_keyfile",
            "encrypted-cosign-label.pem",
            tiny.replace("SIGSTORE", "COSIGN").as_bytes(),
        );
        let (_, envelope) = pem_rfc7468::decode_vec(tiny.as_bytes()).unwrap();
        put("sign_keyfile", "envelope.json", &envelope);
        put("sign_keyfile", "sec1.pem", FUZZ_KEY_PEM.as_bytes());
        put(
            "sign_keyfile",
            "public.pem",
            key.public_key().to_pem().as_bytes(),
        );
        put(
            "sign_keyfile",
            "truncated.pem",
            &tiny.as_bytes()[..tiny.len() / 2],
        );
        // Payloads.
        let (store, digest, _) = signed_store(false).unwrap();
        let sig_manifest = store.manifest_bytes(&legacy_tag(&digest).unwrap()).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&sig_manifest).unwrap();
        let payload = store
            .blob_bytes(v["layers"][0]["digest"].as_str().unwrap())
            .unwrap();
        put("sign_payload", "cosign.json", &payload);
        put(
            "sign_payload",
            "capitalised.json",
            String::from_utf8(payload.clone())
                .unwrap()
                .replace("docker-manifest-digest", "Docker-manifest-digest")
                .as_bytes(),
        );
        put(
            "sign_payload",
            "no-optional.json",
            &simple::build(&digest, "r", &BTreeMap::new()),
        );
        // Bundles and manifests.
        let index = store
            .manifest_bytes(&fallback_tag(&digest).unwrap())
            .unwrap();
        let iv: serde_json::Value = serde_json::from_slice(&index).unwrap();
        let referrer = store
            .manifest_bytes(iv["manifests"][0]["digest"].as_str().unwrap())
            .unwrap();
        let rv: serde_json::Value = serde_json::from_slice(&referrer).unwrap();
        let bundle_bytes = store
            .blob_bytes(rv["layers"][0]["digest"].as_str().unwrap())
            .unwrap();
        put("sign_bundle", "bundle-v0.3.json", &bundle_bytes);
        let b = bundle::parse(&bundle_bytes).unwrap();
        if let Content::Dsse { payload, .. } = &b.content {
            put("sign_bundle", "statement.json", payload);
        }
        put(
            "sign_bundle",
            "message-signature.json",
            br#"{"mediaType":"application/vnd.dev.sigstore.bundle+json;version=0.2","verificationMaterial":{"publicKey":{"hint":"x"}},"messageSignature":{"messageDigest":{"algorithm":"SHA2_256","digest":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="},"signature":"MEUCIQ"}}"#,
        );
        put("sign_manifest", "sig-manifest.json", &sig_manifest);
        put("sign_manifest", "fallback-index.json", &index);
        put("sign_manifest", "referrer-manifest.json", &referrer);
    }

    #[test]
    fn fuzz_entry_points_accept_their_store() {
        let (_, digest, _) = signed_store(true).unwrap();
        assert_eq!(digest, sha256_digest(FUZZ_IMAGE_MANIFEST));
        manifest(b"{}");
        manifest(FUZZ_IMAGE_MANIFEST);
        keyfile(FUZZ_KEY_PEM.as_bytes());
        payload(b"{}");
        bundle(b"{}");
    }
}
