//! Sign → discover round trips over the in-memory store, tamper cases and
//! hostile inputs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::bundle::{self, BUNDLE_V03_MEDIA_TYPE};
use crate::manifest::*;
use crate::*;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value, json};
use std::collections::BTreeMap;

const P384_PUB: &str = "-----BEGIN PUBLIC KEY-----
MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEsm0yJUhAd7eHUxGdBXPKPaA8Y1qskk/1
e8oZCdttvsmV7iMXOwXpni4K1XnnRj/2VAgJoQdwcnjbu3NF4BvF2iprqGYsXS/h
vj1I8/e7ThNXIaqDS1oFQcwkpCbOIdaE
-----END PUBLIC KEY-----
";

const P384_SEC1: &str = "-----BEGIN EC PRIVATE KEY-----
MIGkAgEBBDCld+8wxvmtuS1Sib2YurNBnO8EhOz7CCjBZCS9g5+Vn2feZjYEW96t
xdidNnxt4kWgBwYFK4EEACKhZANiAASybTIlSEB3t4dTEZ0Fc8o9oDxjWqyST/V7
yhkJ222+yZXuIxc7BemeLgrVeedGP/ZUCAmhB3ByeNu7c0XgG8XaKmuoZixdL+G+
PUjz97tOE1chqoNLWgVBzCSkJs4h1oQ=
-----END EC PRIVATE KEY-----
";

const P384_PKCS8: &str = "-----BEGIN PRIVATE KEY-----
MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDCld+8wxvmtuS1Sib2Y
urNBnO8EhOz7CCjBZCS9g5+Vn2feZjYEW96txdidNnxt4kWhZANiAASybTIlSEB3
t4dTEZ0Fc8o9oDxjWqyST/V7yhkJ222+yZXuIxc7BemeLgrVeedGP/ZUCAmhB3By
eNu7c0XgG8XaKmuoZixdL+G+PUjz97tOE1chqoNLWgVBzCSkJs4h1oQ=
-----END PRIVATE KEY-----
";

const SEC1_P256: &str = "-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIA9ET1BncZGqtWC0s3pk3VK9NBoJ0nBWUUNv35Zs3nm+oAoGCCqGSM49
AwEHoUQDQgAEoNNh3POeY8teh/fGZ9at3AYAQ3hFQWG2AZ2RIfJUP9G/wULZuaMH
AMYF6LuuCG6l9RPOvTVnWDKrngcpXZunew==
-----END EC PRIVATE KEY-----
";

/// A repository holding one image; returns its digest.
fn image(store: &MemStore, name: &str) -> String {
    let m = json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": sha256_digest(name.as_bytes()), "size": name.len()},
        "layers": [],
    })
    .to_string();
    store.put_manifest(name, OCI_MANIFEST, m.as_bytes())
}

fn req<'a>(
    digest: &'a str,
    annotations: &'a BTreeMap<String, String>,
    format: SignatureFormat,
) -> SignRequest<'a> {
    SignRequest {
        digest,
        docker_reference: "reg.example/app",
        annotations,
        format,
    }
}

fn no_annotations() -> BTreeMap<String, String> {
    BTreeMap::new()
}

/// Sign `digest` without annotations.
fn sign_plain(
    store: &MemStore,
    key: &SigningKey,
    digest: &str,
    format: SignatureFormat,
) -> Result<Signed, SignError> {
    sign(store, key, &req(digest, &no_annotations(), format))
}

fn reason(f: &FoundSignature) -> &str {
    match &f.status {
        Status::Failed { reason } => reason,
        other => panic!("expected Failed, got {other:?} at {}", f.location),
    }
}

fn verified_by(f: &FoundSignature) -> &str {
    match &f.status {
        Status::Verified { key } => key,
        other => panic!("expected Verified, got {other:?} at {}", f.location),
    }
}

// ---------------------------------------------------------------- keys

#[test]
fn key_file_round_trip_and_wrong_passphrase() {
    let key = SigningKey::generate();
    let pem = key.to_encrypted_pem(b"correct horse").unwrap();
    assert!(pem.starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"));
    let back = SigningKey::from_pem(&pem, Some(b"correct horse")).unwrap();
    assert_eq!(back.public_key(), key.public_key());
    // The envelope fields, as cosign writes them.
    let (_, json) = pem_rfc7468::decode_vec(pem.as_bytes()).unwrap();
    let v: Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(v["kdf"]["name"], "scrypt");
    assert_eq!(v["kdf"]["params"], json!({"N": 32768, "r": 8, "p": 1}));
    assert_eq!(
        B64.decode(v["kdf"]["salt"].as_str().unwrap())
            .unwrap()
            .len(),
        32
    );
    assert_eq!(v["cipher"]["name"], "nacl/secretbox");
    assert_eq!(
        B64.decode(v["cipher"]["nonce"].as_str().unwrap())
            .unwrap()
            .len(),
        24
    );

    let e = SigningKey::from_pem(&pem, Some(b"wrong")).unwrap_err();
    assert!(matches!(e, SignError::WrongPassphrase), "{e}");
    assert!(e.to_string().contains("wrong passphrase"));
    let e = SigningKey::from_pem(&pem, None).unwrap_err();
    assert!(matches!(e, SignError::PassphraseRequired), "{e}");
    // The older label is read too.
    let old = pem.replace("SIGSTORE", "COSIGN");
    assert_eq!(
        SigningKey::from_pem(&old, Some(b"correct horse"))
            .unwrap()
            .public_key(),
        key.public_key()
    );
}

#[test]
fn unencrypted_keys_and_public_pem() {
    let k = SigningKey::from_pem(SEC1_P256, None).unwrap();
    let pkcs8 = {
        use p256::pkcs8::EncodePrivateKey;
        let sk = p256::SecretKey::from_sec1_pem(SEC1_P256).unwrap();
        sk.to_pkcs8_pem(p256::pkcs8::LineEnding::LF)
            .unwrap()
            .to_string()
    };
    let k2 = SigningKey::from_pem(&pkcs8, Some(b"ignored")).unwrap();
    assert_eq!(k.public_key(), k2.public_key());
    let pub_pem = k.public_key().to_pem();
    assert!(pub_pem.starts_with("-----BEGIN PUBLIC KEY-----"));
    let p = PublicKey::from_pem(&pub_pem).unwrap();
    assert_eq!(p, k.public_key());
    assert!(p.fingerprint().starts_with("sha256:") && p.fingerprint().len() == 71);
    let sig = k.sign(b"msg");
    p.verify(b"msg", &sig).unwrap();
    assert!(p.verify(b"other", &sig).is_err());
    assert!(p.verify(b"msg", b"\x30\x02").is_err());
}

#[test]
fn nothing_secret_in_debug_or_errors() {
    let key = SigningKey::from_pem(SEC1_P256, None).unwrap();
    let dbg = format!("{key:?}");
    assert!(dbg.contains(&key.public_key().fingerprint()), "{dbg}");
    assert!(!dbg.contains("0f444f50"), "{dbg}"); // first bytes of the secret scalar
    let pem = key.to_encrypted_pem(b"s3cret-pass").unwrap();
    let e = SigningKey::from_pem(&pem, Some(b"other-pass"))
        .unwrap_err()
        .to_string();
    assert!(!e.contains("s3cret") && !e.contains("other-pass"), "{e}");
}

fn envelope_pem(json: &Value) -> String {
    pem_rfc7468::encode_string(
        keys::ENCRYPTED_SIGSTORE_LABEL,
        p256::pkcs8::LineEnding::LF,
        json.to_string().as_bytes(),
    )
    .unwrap()
}

fn envelope_json(pem: &str) -> Value {
    let (_, json) = pem_rfc7468::decode_vec(pem.as_bytes()).unwrap();
    serde_json::from_slice(&json).unwrap()
}

#[test]
fn hostile_key_files() {
    let good = SigningKey::generate().to_encrypted_pem(b"pw").unwrap();
    // Truncated PEM.
    let cut = &good[..good.len() / 2];
    assert!(matches!(
        SigningKey::from_pem(cut, Some(b"pw")),
        Err(SignError::KeyFile(_))
    ));
    // Not PEM at all, and an unknown label.
    assert!(SigningKey::from_pem("hello", Some(b"pw")).is_err());
    let e = SigningKey::from_pem(&good.replace("ENCRYPTED SIGSTORE", "FUNNY"), Some(b"pw"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("unexpected PEM type"), "{e}");
    // Huge scrypt parameters are refused before any work.
    for (n, r, p) in [
        (1u64 << 30, 8u64, 1u64),
        (1 << 20, 8, 16),
        (32768, 1 << 20, 1),
        (1000, 8, 1),
        (0, 8, 1),
    ] {
        let mut v = envelope_json(&good);
        v["kdf"]["params"] = json!({"N": n, "r": r, "p": p});
        let e = SigningKey::from_pem(&envelope_pem(&v), Some(b"pw"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("refusing"), "N={n} r={r} p={p}: {e}");
    }
    // Bad base64, short nonce, bad JSON, other KDF / cipher.
    let mut v = envelope_json(&good);
    v["ciphertext"] = json!("!!not base64!!");
    let e = SigningKey::from_pem(&envelope_pem(&v), Some(b"pw"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("ciphertext is not valid base64"), "{e}");
    let mut v = envelope_json(&good);
    v["cipher"]["nonce"] = json!(B64.encode([0u8; 12]));
    let e = SigningKey::from_pem(&envelope_pem(&v), Some(b"pw"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("nonce is 12 bytes"), "{e}");
    let bad_json = pem_rfc7468::encode_string(
        keys::ENCRYPTED_SIGSTORE_LABEL,
        p256::pkcs8::LineEnding::LF,
        b"{\"kdf\":",
    )
    .unwrap();
    let e = SigningKey::from_pem(&bad_json, Some(b"pw"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("not valid JSON"), "{e}");
    let mut v = envelope_json(&good);
    v["kdf"]["name"] = json!("argon2");
    assert!(matches!(
        SigningKey::from_pem(&envelope_pem(&v), Some(b"pw")),
        Err(SignError::UnsupportedKey(_))
    ));
    // A valid envelope around something that is not a P-256 PKCS#8 key.
    let mut v = envelope_json(&good);
    v["ciphertext"] = json!(B64.encode([0u8; 8]));
    let e = SigningKey::from_pem(&envelope_pem(&v), Some(b"pw"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("shorter than the secretbox tag"), "{e}");
}

#[test]
fn wrong_curve_and_garbled_public_keys() {
    let e = PublicKey::from_pem(P384_PUB).unwrap_err();
    assert!(matches!(e, SignError::UnsupportedKey(_)), "{e}");
    assert!(e.to_string().contains("P-384"), "{e}");
    // P-384 private keys, SEC1 and PKCS#8.
    let e = SigningKey::from_pem(P384_SEC1, None).unwrap_err();
    assert!(matches!(e, SignError::KeyFile(_)), "{e}");
    let e = SigningKey::from_pem(P384_PKCS8, None).unwrap_err();
    assert!(matches!(e, SignError::UnsupportedKey(_)), "{e}");
    let e = PublicKey::from_pem(SEC1_P256).unwrap_err().to_string();
    assert!(e.contains("expected PUBLIC KEY"), "{e}");
    let garbled = P384_PUB.replace("MHYw", "MHZz");
    assert!(PublicKey::from_pem(&garbled).is_err());
    assert!(PublicKey::from_pem(&P384_PUB[..60]).is_err());
}

// ------------------------------------------------------- sign / discover

#[test]
fn legacy_sign_then_discover() {
    let store = MemStore::new(false);
    let d = image(&store, "v1");
    let key = SigningKey::generate();
    let mut a = BTreeMap::new();
    a.insert("env".to_string(), "prod".to_string());
    let signed = sign(&store, &key, &req(&d, &a, SignatureFormat::Legacy)).unwrap();
    let hex = &d[7..];
    assert_eq!(signed.location, format!("tag sha256-{hex}.sig"));

    // The manifest layout.
    let m: Value =
        serde_json::from_slice(&store.manifest_bytes(&format!("sha256-{hex}.sig")).unwrap())
            .unwrap();
    assert_eq!(m["mediaType"], OCI_MANIFEST);
    assert_eq!(m["config"]["mediaType"], OCI_CONFIG);
    let layer = &m["layers"][0];
    assert_eq!(layer["mediaType"], SIMPLE_SIGNING);
    let payload = store.blob_bytes(layer["digest"].as_str().unwrap()).unwrap();
    assert_eq!(layer["size"], payload.len());
    let sig = B64
        .decode(layer["annotations"][SIGNATURE_ANNOTATION].as_str().unwrap())
        .unwrap();
    key.public_key().verify(&payload, &sig).unwrap();
    let config: Value = serde_json::from_slice(
        &store
            .blob_bytes(m["config"]["digest"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(config["rootfs"]["diff_ids"][0], layer["digest"]);

    let found = discover(&store, &d, &[key.public_key()]).unwrap();
    assert_eq!(found.len(), 1);
    let f = &found[0];
    assert_eq!(f.format, SignatureFormat::Legacy);
    assert_eq!(f.location, format!("tag sha256-{hex}.sig, layer 1"));
    assert_eq!(verified_by(f), key.public_key().fingerprint());
    let c = f.claims.as_ref().unwrap();
    assert_eq!(c.image_digest, d);
    assert_eq!(c.docker_reference.as_deref(), Some("reg.example/app"));
    assert_eq!(c.annotations, a);

    // No keys: listed, unchecked.
    let found = discover(&store, &d, &[]).unwrap();
    assert!(matches!(found[0].status, Status::Unchecked));
    // Another key only: fails, naming the key tried.
    let other = SigningKey::generate().public_key();
    let found = discover(&store, &d, std::slice::from_ref(&other)).unwrap();
    assert!(reason(&found[0]).contains(&other.fingerprint()));
}

#[test]
fn bundle_sign_then_discover_with_referrers_api_and_fallback() {
    for api in [true, false] {
        let store = MemStore::new(api);
        let d = image(&store, "v1");
        let hex = d[7..].to_string();
        let key = SigningKey::generate();
        let mut a = BTreeMap::new();
        a.insert("team".to_string(), "blue".to_string());
        let signed = sign(&store, &key, &req(&d, &a, SignatureFormat::Bundle)).unwrap();
        assert!(signed.location.starts_with("referrer sha256:"));
        assert_eq!(
            signed.location.contains("fallback tag"),
            !api,
            "{}",
            signed.location
        );
        assert_eq!(
            store.manifest_bytes(&format!("sha256-{hex}")).is_some(),
            !api
        );

        // Referrer manifest layout.
        let rd = signed.location["referrer ".len().."referrer ".len() + 71].to_string();
        let m: Value = serde_json::from_slice(&store.manifest_bytes(&rd).unwrap()).unwrap();
        assert_eq!(m["artifactType"], BUNDLE_V03_MEDIA_TYPE);
        assert_eq!(
            m["config"],
            json!({"mediaType": EMPTY_MEDIA_TYPE, "digest": EMPTY_DIGEST, "size": 2})
        );
        assert_eq!(m["subject"]["digest"], d.as_str());
        assert_eq!(m["subject"]["mediaType"], OCI_MANIFEST);
        assert_eq!(m["annotations"][BUNDLE_CONTENT_ANNOTATION], "dsse-envelope");
        assert_eq!(
            m["annotations"][BUNDLE_PREDICATE_ANNOTATION],
            bundle::COSIGN_SIGN_PREDICATE
        );
        let created = m["annotations"][CREATED_ANNOTATION].as_str().unwrap();
        assert!(created.ends_with('Z') && created.len() == 20, "{created}");
        assert_eq!(store.blob_bytes(EMPTY_DIGEST).unwrap(), b"{}");

        let found = discover(&store, &d, &[key.public_key()]).unwrap();
        assert_eq!(found.len(), 1, "{found:?}");
        let f = &found[0];
        assert_eq!(f.format, SignatureFormat::Bundle);
        assert_eq!(f.location, format!("referrer {rd}"));
        assert_eq!(f.key_hint, Some(key.public_key().hint()));
        verified_by(f);
        let c = f.claims.as_ref().unwrap();
        assert_eq!(c.image_digest, d);
        assert_eq!(c.annotations, a);
        assert_eq!(c.payload["predicateType"], bundle::COSIGN_SIGN_PREDICATE);
    }
}

#[test]
fn re_signing_appends_and_two_keys_are_both_listed() {
    for format in [SignatureFormat::Legacy, SignatureFormat::Bundle] {
        let store = MemStore::new(false);
        let d = image(&store, "v1");
        let (k1, k2) = (SigningKey::generate(), SigningKey::generate());
        sign_plain(&store, &k1, &d, format).unwrap();
        sign_plain(&store, &k2, &d, format).unwrap();
        let found = discover(&store, &d, &[k1.public_key(), k2.public_key()]).unwrap();
        assert_eq!(found.len(), 2, "{format:?}: {found:?}");
        assert_eq!(verified_by(&found[0]), k1.public_key().fingerprint());
        assert_eq!(verified_by(&found[1]), k2.public_key().fingerprint());
        // With only k2, the k1 signature is listed as failed.
        let found = discover(&store, &d, &[k2.public_key()]).unwrap();
        assert!(reason(&found[0]).contains("does not verify"));
        verified_by(&found[1]);
    }
    // Same key, same payload: the legacy layer is not duplicated.
    let store = MemStore::new(false);
    let d = image(&store, "v1");
    let k = SigningKey::generate();
    sign_plain(&store, &k, &d, SignatureFormat::Legacy).unwrap();
    let again = sign_plain(&store, &k, &d, SignatureFormat::Legacy).unwrap();
    assert!(again.location.contains("identical"), "{}", again.location);
    assert_eq!(discover(&store, &d, &[]).unwrap().len(), 1);
}

#[test]
fn both_formats_found_together() {
    let store = MemStore::new(true);
    let d = image(&store, "v1");
    let k = SigningKey::generate();
    sign_plain(&store, &k, &d, SignatureFormat::Legacy).unwrap();
    sign_plain(&store, &k, &d, SignatureFormat::Bundle).unwrap();
    let found = discover(&store, &d, &[k.public_key()]).unwrap();
    let formats: Vec<_> = found.iter().map(|f| f.format).collect();
    assert_eq!(formats, [SignatureFormat::Bundle, SignatureFormat::Legacy]);
    found.iter().for_each(|f| {
        verified_by(f);
    });
}

fn sig_manifest(store: &MemStore, d: &str) -> (String, Value) {
    let tag = legacy_tag(d).unwrap();
    let m = serde_json::from_slice(&store.manifest_bytes(&tag).unwrap()).unwrap();
    (tag, m)
}

#[test]
fn legacy_tamper_cases() {
    let store = MemStore::new(false);
    let d = image(&store, "v1");
    let (k1, k2) = (SigningKey::generate(), SigningKey::generate());
    let keys = [k1.public_key(), k2.public_key()];
    // Different annotations, so the two layers carry different payloads.
    for (k, n) in [(&k1, "1"), (&k2, "2")] {
        let a = BTreeMap::from([("signer".to_string(), n.to_string())]);
        sign(&store, k, &req(&d, &a, SignatureFormat::Legacy)).unwrap();
    }
    let (tag, original) = sig_manifest(&store, &d);

    // 1. The registry serves altered payload bytes under the old digest.
    let pd = original["layers"][0]["digest"]
        .as_str()
        .unwrap()
        .to_string();
    let good_payload = store.blob_bytes(&pd).unwrap();
    let evil = String::from_utf8(good_payload.clone())
        .unwrap()
        .replace("reg.example", "evil.example");
    store.tamper_blob(&pd, evil.as_bytes());
    let found = discover(&store, &d, &keys).unwrap();
    assert!(
        reason(&found[0]).contains("payload blob digest mismatch"),
        "{:?}",
        found[0]
    );
    verified_by(&found[1]);
    store.tamper_blob(&pd, &good_payload);

    // 2. Altered payload with a matching descriptor: the signature fails.
    let mut m = original.clone();
    m["layers"][0]["digest"] = json!(store.put_blob(evil.as_bytes()));
    m["layers"][0]["size"] = json!(evil.len());
    store.tamper_tag(&tag, m.to_string().as_bytes());
    let found = discover(&store, &d, &keys).unwrap();
    assert!(
        reason(&found[0]).starts_with("signature does not verify with any given key"),
        "{:?}",
        found[0]
    );

    // 3. Signatures swapped between the layers.
    let mut m = original.clone();
    let s0 = m["layers"][0]["annotations"][SIGNATURE_ANNOTATION].clone();
    m["layers"][0]["annotations"][SIGNATURE_ANNOTATION] =
        m["layers"][1]["annotations"][SIGNATURE_ANNOTATION].clone();
    m["layers"][1]["annotations"][SIGNATURE_ANNOTATION] = s0;
    store.tamper_tag(&tag, m.to_string().as_bytes());
    let found = discover(&store, &d, &keys).unwrap();
    assert_eq!(found.len(), 2);
    for f in &found {
        assert!(
            reason(f).starts_with("signature does not verify with any given key"),
            "{f:?}"
        );
    }

    // 4. A payload naming another image, copied from that image's .sig.
    let other = image(&store, "v2");
    sign_plain(&store, &k1, &other, SignatureFormat::Legacy).unwrap();
    let (_, om) = sig_manifest(&store, &other);
    let mut m = original.clone();
    m["layers"] = json!([om["layers"][0].clone()]);
    store.tamper_tag(&tag, m.to_string().as_bytes());
    let found = discover(&store, &d, &keys).unwrap();
    assert_eq!(
        reason(&found[0]),
        format!("payload names {other} but the image is {d}")
    );
    // Also without keys: a binding mismatch is never merely "unchecked".
    let found = discover(&store, &d, &[]).unwrap();
    assert!(reason(&found[0]).starts_with("payload names"));
}

/// The referrer manifest digest of the (single) bundle signature.
fn only_referrer(store: &MemStore, d: &str) -> (String, Value) {
    let idx: Value =
        serde_json::from_slice(&store.manifest_bytes(&fallback_tag(d).unwrap()).unwrap()).unwrap();
    let rd = idx["manifests"][0]["digest"].as_str().unwrap().to_string();
    let m = serde_json::from_slice(&store.manifest_bytes(&rd).unwrap()).unwrap();
    (rd, m)
}

/// Replace the bundle of the referrer listed in the fallback index.
fn replace_bundle(store: &MemStore, d: &str, bundle: &[u8]) {
    let (_, mut m) = only_referrer(store, d);
    m["layers"][0]["digest"] = json!(store.put_blob(bundle));
    m["layers"][0]["size"] = json!(bundle.len());
    relist(store, d, &m);
}

/// Push `m` as a referrer and make it the only entry of the fallback index.
fn relist(store: &MemStore, d: &str, m: &Value) -> String {
    let bytes = m.to_string();
    let rd = store.put_manifest(
        &sha256_digest(bytes.as_bytes()),
        OCI_MANIFEST,
        bytes.as_bytes(),
    );
    let idx = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [
        {"mediaType": OCI_MANIFEST, "digest": rd, "size": bytes.len(), "artifactType": BUNDLE_V03_MEDIA_TYPE}]});
    store.put_manifest(
        &fallback_tag(d).unwrap(),
        OCI_INDEX,
        idx.to_string().as_bytes(),
    );
    rd
}

#[test]
fn bundle_tamper_cases() {
    let store = MemStore::new(false);
    let d = image(&store, "v1");
    let other = image(&store, "v2");
    let (k1, k2) = (SigningKey::generate(), SigningKey::generate());
    sign_plain(&store, &k1, &d, SignatureFormat::Bundle).unwrap();
    let (_, original) = only_referrer(&store, &d);
    let bundle_bytes = store
        .blob_bytes(original["layers"][0]["digest"].as_str().unwrap())
        .unwrap();

    // 1. Referrer subject pointing elsewhere.
    let mut m = original.clone();
    m["subject"]["digest"] = json!(other);
    relist(&store, &d, &m);
    let found = discover(&store, &d, &[k1.public_key()]).unwrap();
    assert_eq!(
        reason(&found[0]),
        format!("referrer manifest's subject is {other} but the image is {d}")
    );

    // 2. Bundle signed by another key (same statement, k2's signature).
    let statement = bundle::statement(&d[7..], "reg.example/app", &no_annotations());
    replace_bundle_in(&store, &d, &original, &bundle::build(&k2, &statement));
    let found = discover(&store, &d, &[k1.public_key()]).unwrap();
    assert!(
        reason(&found[0]).starts_with("signature does not verify with any given key"),
        "{found:?}"
    );
    assert_eq!(found[0].key_hint, Some(k2.public_key().hint()));
    let found = discover(&store, &d, &[k1.public_key(), k2.public_key()]).unwrap();
    assert_eq!(verified_by(&found[0]), k2.public_key().fingerprint());

    // 3. Statement naming another image (validly signed).
    let st_other = bundle::statement(&other[7..], "reg.example/app", &no_annotations());
    replace_bundle_in(&store, &d, &original, &bundle::build(&k1, &st_other));
    let found = discover(&store, &d, &[k1.public_key()]).unwrap();
    assert_eq!(
        reason(&found[0]),
        format!("statement subject names {other} but the image is {d}")
    );

    // 4. Altered statement inside the envelope (signature kept).
    let mut b: Value = serde_json::from_slice(&bundle_bytes).unwrap();
    let altered = String::from_utf8(statement.clone())
        .unwrap()
        .replace("reg.example", "evil.example");
    b["dsseEnvelope"]["payload"] = json!(B64.encode(altered.as_bytes()));
    replace_bundle_in(&store, &d, &original, b.to_string().as_bytes());
    let found = discover(&store, &d, &[k1.public_key()]).unwrap();
    assert!(
        reason(&found[0]).starts_with("signature does not verify"),
        "{found:?}"
    );

    // 5. The registry serves other bytes for the bundle digest.
    relist(&store, &d, &original);
    let bd = original["layers"][0]["digest"]
        .as_str()
        .unwrap()
        .to_string();
    store.tamper_blob(&bd, b.to_string().as_bytes());
    let found = discover(&store, &d, &[k1.public_key()]).unwrap();
    assert!(
        reason(&found[0]).contains("bundle blob digest mismatch"),
        "{found:?}"
    );
    store.tamper_blob(&bd, &bundle_bytes);
    verified_by(&discover(&store, &d, &[k1.public_key()]).unwrap()[0]);

    // 6. An attestation statement is not a signature.
    let mut st: Value = serde_json::from_slice(&statement).unwrap();
    st["predicateType"] = json!("https://slsa.dev/provenance/v1");
    replace_bundle_in(
        &store,
        &d,
        &original,
        &bundle::build(&k1, st.to_string().as_bytes()),
    );
    let found = discover(&store, &d, &[k1.public_key()]).unwrap();
    assert!(reason(&found[0]).contains("attestation"), "{found:?}");

    // 7. Malformed bundle JSON.
    replace_bundle_in(&store, &d, &original, b"{\"mediaType\":");
    let found = discover(&store, &d, &[k1.public_key()]).unwrap();
    assert!(
        reason(&found[0]).starts_with("bundle is not valid JSON"),
        "{found:?}"
    );
}

fn replace_bundle_in(store: &MemStore, d: &str, original: &Value, bundle: &[u8]) {
    relist(store, d, original);
    replace_bundle(store, d, bundle);
}

#[test]
fn message_signature_bundles_are_checked() {
    use p256::ecdsa::signature::hazmat::PrehashSigner;
    let store = MemStore::new(true);
    let d = image(&store, "v1");
    let sk = p256::SecretKey::from_sec1_pem(SEC1_P256).unwrap();
    let ec = p256::ecdsa::SigningKey::from(sk);
    let key = SigningKey::from_pem(SEC1_P256, None).unwrap();
    let md = hex::decode(&d[7..]).unwrap();
    let sig: p256::ecdsa::Signature = ec.sign_prehash(&md).unwrap();
    let make = |md: &[u8], sig: &[u8]| {
        json!({"mediaType": "application/vnd.dev.sigstore.bundle+json;version=0.2",
               "verificationMaterial": {"publicKey": {"hint": "h"}},
               "messageSignature": {"messageDigest": {"algorithm": "SHA2_256", "digest": B64.encode(md)},
                                    "signature": B64.encode(sig)}})
        .to_string()
    };
    let push = |bundle: &str| {
        let bd = store.put_blob(bundle.as_bytes());
        store.put_blob(EMPTY_BLOB);
        let m = json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
            "artifactType": "application/vnd.dev.sigstore.bundle+json;version=0.2",
            "config": {"mediaType": EMPTY_MEDIA_TYPE, "digest": EMPTY_DIGEST, "size": 2},
            "layers": [{"mediaType": "application/vnd.dev.sigstore.bundle+json;version=0.2", "digest": bd, "size": bundle.len()}],
            "subject": {"mediaType": OCI_MANIFEST, "digest": d, "size": 1}})
        .to_string();
        store.put_manifest(&sha256_digest(m.as_bytes()), OCI_MANIFEST, m.as_bytes());
    };
    push(&make(&md, sig.to_der().as_bytes()));
    let found = discover(&store, &d, &[key.public_key()]).unwrap();
    assert_eq!(found.len(), 1);
    verified_by(&found[0]);
    assert_eq!(found[0].claims.as_ref().unwrap().image_digest, d);
    // A message digest of another artifact.
    let bad = make(&[7u8; 32], sig.to_der().as_bytes());
    let bd = store.put_blob(bad.as_bytes());
    let m = json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "artifactType": BUNDLE_V03_MEDIA_TYPE,
        "layers": [{"mediaType": BUNDLE_V03_MEDIA_TYPE, "digest": bd, "size": bad.len()}],
        "subject": {"digest": d}})
    .to_string();
    store.put_manifest(&sha256_digest(m.as_bytes()), OCI_MANIFEST, m.as_bytes());
    let found = discover(&store, &d, &[key.public_key()]).unwrap();
    assert_eq!(found.len(), 2);
    let failed: Vec<_> = found
        .iter()
        .filter(|f| matches!(f.status, Status::Failed { .. }))
        .collect();
    assert_eq!(failed.len(), 1);
    assert!(
        reason(failed[0]).starts_with("message signature names sha256:0707"),
        "{found:?}"
    );
}

#[test]
fn hostile_registry_content_gives_failed_entries_not_errors() {
    let store = MemStore::new(false);
    let d = image(&store, "v1");
    let k = SigningKey::generate();
    let tag = legacy_tag(&d).unwrap();
    let fb = fallback_tag(&d).unwrap();
    let keys = [k.public_key()];

    // Garbage at both tags.
    store.tamper_tag(&tag, b"\x00not json");
    store.tamper_tag(&fb, b"{\"manifests\": 5}");
    let found = discover(&store, &d, &keys).unwrap();
    assert_eq!(found.len(), 2);
    assert!(
        reason(&found[0]).starts_with("referrers index is not a valid image index"),
        "{found:?}"
    );
    assert!(
        reason(&found[1]).starts_with("signature manifest is not a valid image manifest"),
        "{found:?}"
    );

    // Oversized manifests.
    let huge = vec![b' '; (MAX_MANIFEST_BYTES + 1) as usize];
    store.tamper_tag(&tag, &huge);
    store.tamper_tag(&fb, &huge);
    let found = discover(&store, &d, &keys).unwrap();
    assert!(
        found
            .iter()
            .all(|f| reason(f).contains("over the 4194304-byte limit")),
        "{found:?}"
    );

    // Layers: missing blob, oversized blob, no signature annotation, bad base64,
    // non-JSON payload, wrong payload type.
    let payload = simple::build(&d, "r", &no_annotations());
    let pd = store.put_blob(&payload);
    let big = vec![b'x'; (MAX_PAYLOAD_BYTES + 1) as usize];
    let bigd = store.put_blob(&big);
    let junk = store.put_blob(b"\xff\xfe");
    let atomic = String::from_utf8(payload.clone())
        .unwrap()
        .replace("cosign container image", "atomic container");
    let atomicd = store.put_blob(atomic.as_bytes());
    let sig = B64.encode(k.sign(&payload));
    let layer = |digest: &str, size: usize, sig: Option<&str>| {
        let mut l = json!({"mediaType": SIMPLE_SIGNING, "digest": digest, "size": size});
        if let Some(s) = sig {
            l["annotations"] = json!({ SIGNATURE_ANNOTATION: s });
        }
        l
    };
    let missing = sha256_digest(b"missing");
    let m = json!({"schemaVersion": 2, "mediaType": DOCKER_MANIFEST, "layers": [
        layer(&missing, 7, Some(&sig)),
        layer(&bigd, big.len(), Some(&sig)),
        layer(&bigd, 10, Some(&sig)),
        layer(&pd, payload.len(), None),
        layer(&pd, payload.len(), Some("%%%")),
        layer(&junk, 2, Some(&sig)),
        layer(&atomicd, atomic.len(), Some(&sig)),
        layer(&pd, payload.len() + 1, Some(&sig)),
        layer("sha256:zz", 1, Some(&sig)),
        {"mediaType": "application/octet-stream", "digest": pd, "size": 1},
        layer(&pd, payload.len(), Some(&sig)),
    ]});
    store.tamper_tag(&tag, m.to_string().as_bytes());
    store.tamper_tag(&fb, b"{}");
    let found = discover(&store, &d, &keys).unwrap();
    let reasons: Vec<String> = found
        .iter()
        .map(|f| match &f.status {
            Status::Failed { reason } => reason.clone(),
            Status::Verified { .. } => "verified".into(),
            Status::Unchecked => "unchecked".into(),
        })
        .collect();
    let want = [
        "could not fetch the payload",
        "payload is 1048577 bytes, over the",
        "could not fetch the payload",
        "layer has no dev.cosignproject.cosign/signature annotation",
        "signature annotation is not valid base64",
        "payload is not valid JSON",
        "payload type is \"atomic container signature\"",
        "payload size mismatch",
        "payload descriptor has an invalid digest",
        "verified",
    ];
    assert_eq!(reasons.len(), want.len(), "{reasons:#?}");
    for (r, w) in reasons.iter().zip(want) {
        assert!(r.starts_with(w), "{r:?} should start with {w:?}");
    }
    assert_eq!(found[9].location, format!("tag {tag}, layer 11"));

    // A fallback index listing a referrer that does not exist, one with no
    // bundle layer, one that is not a bundle (skipped) and one without digest.
    let ghost = sha256_digest(b"ghost");
    let nolayer = json!({"schemaVersion": 2, "subject": {"digest": d}, "layers": []}).to_string();
    let nl = store.put_manifest(
        &sha256_digest(nolayer.as_bytes()),
        OCI_MANIFEST,
        nolayer.as_bytes(),
    );
    let idx = json!({"manifests": [
        {"digest": ghost, "artifactType": BUNDLE_V03_MEDIA_TYPE},
        {"digest": nl, "artifactType": BUNDLE_V03_MEDIA_TYPE},
        {"digest": nl, "artifactType": "application/spdx+json"},
        {"artifactType": BUNDLE_V03_MEDIA_TYPE},
    ]});
    store.tamper_tag(&fb, idx.to_string().as_bytes());
    store.tamper_tag(&tag, b"{}");
    let found = discover(&store, &d, &keys).unwrap();
    let r: Vec<&str> = found.iter().map(reason).collect();
    assert_eq!(r.len(), 3, "{r:?}");
    assert!(
        r[0].starts_with("referrer manifest is listed but not found"),
        "{r:?}"
    );
    assert!(
        r[1].starts_with("referrer manifest has no Sigstore bundle layer"),
        "{r:?}"
    );
    assert!(
        r[2].starts_with("referrer descriptor has no digest"),
        "{r:?}"
    );
}

#[test]
fn bad_digest_arguments_are_errors() {
    let store = MemStore::new(false);
    let k = SigningKey::generate();
    for d in [
        "latest",
        "sha256:abc",
        "sha512:00",
        &format!("sha256:{}", "A".repeat(64)),
    ] {
        assert!(
            matches!(discover(&store, d, &[]), Err(SignError::Digest(_))),
            "{d}"
        );
        assert!(matches!(
            sign_plain(&store, &k, d, SignatureFormat::Legacy),
            Err(SignError::Digest(_))
        ));
    }
    // Bundle signing needs the image manifest in the repository.
    let d = sha256_digest(b"absent");
    let e = sign_plain(&store, &k, &d, SignatureFormat::Bundle).unwrap_err();
    assert!(e.to_string().contains("not in the repository"), "{e}");
}

#[test]
fn signing_refuses_to_overwrite_foreign_tags() {
    let store = MemStore::new(false);
    let d = image(&store, "v1");
    let k = SigningKey::generate();
    store.tamper_tag(&legacy_tag(&d).unwrap(), b"not json");
    let e = sign_plain(&store, &k, &d, SignatureFormat::Legacy).unwrap_err();
    assert!(matches!(e, SignError::Conflict(_)), "{e}");
    store.tamper_tag(&fallback_tag(&d).unwrap(), br#"{"manifests":"x"}"#);
    let e = sign_plain(&store, &k, &d, SignatureFormat::Bundle).unwrap_err();
    assert!(e.to_string().contains("refusing to overwrite"), "{e}");
}

#[test]
fn docker_schema2_signature_manifests_are_extended_in_kind() {
    let store = MemStore::new(false);
    let d = image(&store, "v1");
    let (k1, k2) = (SigningKey::generate(), SigningKey::generate());
    // A cosign manifest written with COSIGN_DOCKER_MEDIA_TYPES=1.
    let payload = simple::build(&d, "r", &no_annotations());
    let pd = store.put_blob(&payload);
    let m = json!({"schemaVersion": 2, "mediaType": DOCKER_MANIFEST,
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "digest": sha256_digest(b"c"), "size": 1},
        "layers": [{"mediaType": SIMPLE_SIGNING, "digest": pd, "size": payload.len(),
                    "annotations": {SIGNATURE_ANNOTATION: B64.encode(k1.sign(&payload))}}]});
    let tag = legacy_tag(&d).unwrap();
    store.put_manifest(&tag, DOCKER_MANIFEST, m.to_string().as_bytes());
    sign_plain(&store, &k2, &d, SignatureFormat::Legacy).unwrap();
    let (_, m) = sig_manifest(&store, &d);
    assert_eq!(m["mediaType"], DOCKER_MANIFEST);
    assert_eq!(
        m["config"]["mediaType"],
        "application/vnd.docker.container.image.v1+json"
    );
    let found = discover(&store, &d, &[k1.public_key(), k2.public_key()]).unwrap();
    assert_eq!(verified_by(&found[0]), k1.public_key().fingerprint());
    assert_eq!(verified_by(&found[1]), k2.public_key().fingerprint());
}

#[test]
fn a_flood_of_signatures_is_cut_off_per_format() {
    // A hostile registry lists thousands of signature layers and referrers
    // (the same payload over and over costs it nothing); each would be
    // fetched and kept in memory. At most 100 per format are checked.
    let store = MemStore::new(false);
    let d = image(&store, "v1");
    let key = SigningKey::generate();
    sign_plain(&store, &key, &d, SignatureFormat::Legacy).unwrap();
    sign_plain(&store, &key, &d, SignatureFormat::Bundle).unwrap();
    let sig_tag = legacy_tag(&d).unwrap();
    let mut sig: Value = serde_json::from_slice(&store.manifest_bytes(&sig_tag).unwrap()).unwrap();
    let layer = sig["layers"][0].clone();
    sig["layers"] = Value::Array(vec![layer; 1000]);
    store.tamper_tag(&sig_tag, sig.to_string().as_bytes());
    let (_, referrer) = only_referrer(&store, &d);
    let mut many_layers = referrer.clone();
    let bundle_layer = referrer["layers"][0].clone();
    many_layers["layers"] = Value::Array(vec![bundle_layer; 1000]);
    let mut listed = Vec::new();
    for i in 0..300 {
        let mut m = if i == 0 {
            many_layers.clone()
        } else {
            referrer.clone()
        };
        m["annotations"]["n"] = json!(i.to_string());
        let bytes = m.to_string();
        let rd = store.put_manifest(
            &sha256_digest(bytes.as_bytes()),
            OCI_MANIFEST,
            bytes.as_bytes(),
        );
        listed.push(json!({"mediaType": OCI_MANIFEST, "digest": rd, "size": bytes.len(), "artifactType": BUNDLE_V03_MEDIA_TYPE}));
    }
    let idx = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": listed});
    store.put_manifest(
        &fallback_tag(&d).unwrap(),
        OCI_INDEX,
        idx.to_string().as_bytes(),
    );

    let found = discover(&store, &d, &[key.public_key()]).unwrap();
    for format in [SignatureFormat::Bundle, SignatureFormat::Legacy] {
        let of: Vec<&FoundSignature> = found.iter().filter(|f| f.format == format).collect();
        assert_eq!(of.len(), 101, "{format:?}");
        assert!(
            of[..100]
                .iter()
                .all(|f| matches!(f.status, Status::Verified { .. })),
            "{format:?}"
        );
        assert!(
            reason(of[100]).contains("more than 100"),
            "{format:?}: {}",
            reason(of[100])
        );
    }
    // One referrer with 1000 bundle layers alone: cut off the same way.
    relist(&store, &d, &many_layers);
    let found = discover(&store, &d, &[key.public_key()]).unwrap();
    let bundles: Vec<&FoundSignature> = found
        .iter()
        .filter(|f| f.format == SignatureFormat::Bundle)
        .collect();
    assert_eq!(bundles.len(), 101);
    assert!(reason(bundles[100]).contains("more than 100"));
}
