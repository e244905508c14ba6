//! Independent checks of the formats: openssl verifies Bulkhead's signatures
//! (legacy payloads, and DSSE PAE bytes recomputed here), Bulkhead verifies
//! openssl's signatures stored in cosign's legacy layout (assembled here with
//! serde_json, not with the crate's builder), and Python (hashlib.scrypt +
//! PyNaCl's SecretBox) reads and writes cosign's encrypted key envelope.
//!
//! cosign itself cannot be installed here; these tools are the reference.
//! Missing tools skip loudly, and fail under CI=true.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use bulkhead_sign::{
    MemStore, PublicKey, SignError, SignRequest, SignatureFormat, SigningKey, Status, discover,
    sha256_digest, sign,
};
use bulkhead_testkit::require;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

fn have_openssl() -> bool {
    require::tool("openssl", "openssl")
}

fn have_python_nacl() -> bool {
    require::runs(
        "python3",
        &["-c", "import hashlib, nacl.secret; hashlib.scrypt"],
        "python3 with PyNaCl: python3 -m pip install pynacl (scripts/test.sh does it)",
    )
}

/// Run a command that must succeed; returns stdout.
fn run(cmd: &str, args: &[&str], dir: &Path) -> Vec<u8> {
    let out = Command::new(cmd)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{cmd} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn openssl_verify(dir: &Path, pub_pem: &str, msg: &[u8], sig: &[u8]) -> bool {
    std::fs::write(dir.join("pub.pem"), pub_pem).unwrap();
    std::fs::write(dir.join("msg"), msg).unwrap();
    std::fs::write(dir.join("sig.der"), sig).unwrap();
    let out = Command::new("openssl")
        .args([
            "dgst",
            "-sha256",
            "-verify",
            "pub.pem",
            "-signature",
            "sig.der",
            "msg",
        ])
        .current_dir(dir)
        .output()
        .unwrap();
    out.status.success() && String::from_utf8_lossy(&out.stdout).contains("Verified OK")
}

/// A repository with one image; returns its digest.
fn image(store: &MemStore) -> String {
    let m = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": sha256_digest(b"{}"), "size": 2},
        "layers": []})
    .to_string();
    store.put_manifest(
        "v1",
        "application/vnd.oci.image.manifest.v1+json",
        m.as_bytes(),
    )
}

fn sign_image(store: &MemStore, key: &SigningKey, digest: &str, format: SignatureFormat) {
    let annotations = BTreeMap::from([("env".to_string(), "prod".to_string())]);
    let req = SignRequest {
        digest,
        docker_reference: "registry.example/app",
        annotations: &annotations,
        format,
    };
    sign(store, key, &req).unwrap();
}

fn json_of(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap()
}

#[test]
fn openssl_verifies_bulkhead_legacy_signatures() {
    if !have_openssl() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let store = MemStore::new(false);
    let digest = image(&store);
    let key = SigningKey::generate();
    sign_image(&store, &key, &digest, SignatureFormat::Legacy);

    let tag = format!("sha256-{}.sig", &digest[7..]);
    let m = json_of(&store.manifest_bytes(&tag).unwrap());
    let layer = &m["layers"][0];
    assert_eq!(
        layer["mediaType"],
        "application/vnd.dev.cosign.simplesigning.v1+json"
    );
    let payload = store.blob_bytes(layer["digest"].as_str().unwrap()).unwrap();
    let sig = B64
        .decode(
            layer["annotations"]["dev.cosignproject.cosign/signature"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
    let p = json_of(&payload);
    assert_eq!(
        p["critical"]["image"]["docker-manifest-digest"],
        digest.as_str()
    );
    assert_eq!(p["critical"]["type"], "cosign container image signature");

    let pub_pem = key.public_key().to_pem();
    assert!(openssl_verify(dir.path(), &pub_pem, &payload, &sig));
    // The check discriminates: one changed byte and openssl refuses.
    let mut altered = payload.clone();
    altered[10] ^= 1;
    assert!(!openssl_verify(dir.path(), &pub_pem, &altered, &sig));
}

#[test]
fn openssl_verifies_bulkhead_bundles_over_recomputed_pae() {
    if !have_openssl() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let store = MemStore::new(false);
    let digest = image(&store);
    let key = SigningKey::generate();
    sign_image(&store, &key, &digest, SignatureFormat::Bundle);

    // Fallback index → referrer manifest → bundle layer, read by hand.
    let idx = json_of(
        &store
            .manifest_bytes(&format!("sha256-{}", &digest[7..]))
            .unwrap(),
    );
    assert_eq!(idx["mediaType"], "application/vnd.oci.image.index.v1+json");
    let entry = &idx["manifests"][0];
    assert_eq!(
        entry["artifactType"],
        "application/vnd.dev.sigstore.bundle.v0.3+json"
    );
    let m = json_of(
        &store
            .manifest_bytes(entry["digest"].as_str().unwrap())
            .unwrap(),
    );
    assert_eq!(m["subject"]["digest"], digest.as_str());
    let bundle = json_of(
        &store
            .blob_bytes(m["layers"][0]["digest"].as_str().unwrap())
            .unwrap(),
    );
    assert_eq!(
        bundle["mediaType"],
        "application/vnd.dev.sigstore.bundle.v0.3+json"
    );
    let env = &bundle["dsseEnvelope"];
    let payload_type = env["payloadType"].as_str().unwrap();
    assert_eq!(payload_type, "application/vnd.in-toto+json");
    let payload = B64.decode(env["payload"].as_str().unwrap()).unwrap();
    let sig = B64
        .decode(env["signatures"][0]["sig"].as_str().unwrap())
        .unwrap();
    let statement = json_of(&payload);
    assert_eq!(statement["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(
        statement["predicateType"],
        "https://sigstore.dev/cosign/sign/v1"
    );
    assert_eq!(statement["subject"][0]["digest"]["sha256"], &digest[7..]);
    assert_eq!(statement["subject"][0]["annotations"]["env"], "prod");

    // DSSE v1 PAE, written out here from the DSSE spec, not by the crate.
    let mut pae = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    )
    .into_bytes();
    pae.extend_from_slice(&payload);
    let pub_pem = key.public_key().to_pem();
    assert!(openssl_verify(dir.path(), &pub_pem, &pae, &sig));
    assert!(!openssl_verify(dir.path(), &pub_pem, &payload, &sig));
}

#[test]
fn openssl_signatures_in_cosign_layout_verify_with_bulkhead() {
    if !have_openssl() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run(
        "openssl",
        &[
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-out",
            "key.pem",
        ],
        d,
    );
    run(
        "openssl",
        &["ec", "-in", "key.pem", "-pubout", "-out", "pub.pem"],
        d,
    );
    let public = PublicKey::from_pem(&std::fs::read_to_string(d.join("pub.pem")).unwrap()).unwrap();
    // openssl's SEC1 private key reads too, and is the same key.
    let private =
        SigningKey::from_pem(&std::fs::read_to_string(d.join("key.pem")).unwrap(), None).unwrap();
    assert_eq!(private.public_key(), public);

    let store = MemStore::new(false);
    let digest = image(&store);
    // A simple-signing payload as cosign documents it (older capitalised key).
    let payload = json!({
        "critical": {"identity": {"docker-reference": "registry.example/app"},
                     "image": {"Docker-manifest-digest": digest},
                     "type": "cosign container image signature"},
        "optional": {"signed-by": "openssl"}})
    .to_string();
    std::fs::write(d.join("payload"), &payload).unwrap();
    run(
        "openssl",
        &[
            "dgst", "-sha256", "-sign", "key.pem", "-out", "sig.der", "payload",
        ],
        d,
    );
    let sig = std::fs::read(d.join("sig.der")).unwrap();
    public.verify(payload.as_bytes(), &sig).unwrap();
    assert!(public.verify(b"other", &sig).is_err());

    // cosign's legacy layout, assembled by hand.
    let payload_digest = store.put_blob(payload.as_bytes());
    let config = json!({"architecture": "", "os": "", "config": {},
        "rootfs": {"type": "layers", "diff_ids": [payload_digest]}})
    .to_string();
    let config_digest = store.put_blob(config.as_bytes());
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": config_digest, "size": config.len()},
        "layers": [{"mediaType": "application/vnd.dev.cosign.simplesigning.v1+json",
                    "digest": payload_digest, "size": payload.len(),
                    "annotations": {"dev.cosignproject.cosign/signature": B64.encode(&sig)}}]})
    .to_string();
    let tag = format!("sha256-{}.sig", &digest[7..]);
    store.put_manifest(
        &tag,
        "application/vnd.oci.image.manifest.v1+json",
        manifest.as_bytes(),
    );

    let found = discover(&store, &digest, std::slice::from_ref(&public)).unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    match &found[0].status {
        Status::Verified { key } => assert_eq!(key, &public.fingerprint()),
        other => panic!("{other:?}"),
    }
    let claims = found[0].claims.as_ref().unwrap();
    assert_eq!(claims.image_digest, digest);
    assert_eq!(claims.annotations["signed-by"], "openssl");
    // With a Bulkhead key instead, the openssl signature is rejected.
    let found = discover(&store, &digest, &[SigningKey::generate().public_key()]).unwrap();
    assert!(matches!(found[0].status, Status::Failed { .. }));
}

const PY_DECRYPT: &str = r#"
import base64, hashlib, json, sys, nacl.secret
pem = open(sys.argv[1]).read().strip().splitlines()
assert pem[0] == "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----", pem[0]
env = json.loads(base64.b64decode("".join(pem[1:-1])))
assert env["kdf"]["name"] == "scrypt" and env["cipher"]["name"] == "nacl/secretbox"
p = env["kdf"]["params"]
key = hashlib.scrypt(sys.argv[2].encode(), salt=base64.b64decode(env["kdf"]["salt"]),
                     n=p["N"], r=p["r"], p=p["p"], maxmem=256 * 1024 * 1024, dklen=32)
der = nacl.secret.SecretBox(key).decrypt(base64.b64decode(env["ciphertext"]),
                                          base64.b64decode(env["cipher"]["nonce"]))
open(sys.argv[3], "wb").write(der)
"#;

const PY_ENCRYPT: &str = r#"
import base64, hashlib, json, os, sys, nacl.secret
der = open(sys.argv[1], "rb").read()
n = int(sys.argv[4])
salt, nonce = os.urandom(32), os.urandom(24)
key = hashlib.scrypt(sys.argv[2].encode(), salt=salt, n=n, r=8, p=1,
                     maxmem=256 * 1024 * 1024, dklen=32)
box = nacl.secret.SecretBox(key).encrypt(der, nonce)
env = {"kdf": {"name": "scrypt", "params": {"N": n, "r": 8, "p": 1},
               "salt": base64.b64encode(salt).decode()},
       "cipher": {"name": "nacl/secretbox", "nonce": base64.b64encode(nonce).decode()},
       "ciphertext": base64.b64encode(box.ciphertext).decode()}
body = base64.b64encode(json.dumps(env).encode()).decode()
lines = [body[i:i + 64] for i in range(0, len(body), 64)]
open(sys.argv[3], "w").write("\n".join(["-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----"]
                                       + lines + ["-----END ENCRYPTED SIGSTORE PRIVATE KEY-----", ""]))
"#;

#[test]
fn python_decrypts_bulkhead_key_files() {
    if !have_openssl() || !have_python_nacl() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let key = SigningKey::generate();
    std::fs::write(
        d.join("cosign.key"),
        key.to_encrypted_pem(b"pass phrase").unwrap(),
    )
    .unwrap();
    std::fs::write(d.join("decrypt.py"), PY_DECRYPT).unwrap();
    run(
        "python3",
        &["decrypt.py", "cosign.key", "pass phrase", "key.der"],
        d,
    );
    let public = run(
        "openssl",
        &["pkey", "-inform", "DER", "-in", "key.der", "-pubout"],
        d,
    );
    assert_eq!(
        String::from_utf8(public).unwrap(),
        key.public_key().to_pem()
    );
    // PyNaCl refuses the wrong passphrase too.
    let out = Command::new("python3")
        .args(["decrypt.py", "cosign.key", "wrong", "bad.der"])
        .current_dir(d)
        .output()
        .unwrap();
    assert!(!out.status.success());
}

#[test]
fn bulkhead_reads_python_encrypted_key_files() {
    if !have_openssl() || !have_python_nacl() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run(
        "openssl",
        &[
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-out",
            "sec1.pem",
        ],
        d,
    );
    // PKCS#8 DER, as cosign encrypts it (x509.MarshalPKCS8PrivateKey).
    run(
        "openssl",
        &[
            "pkcs8", "-topk8", "-nocrypt", "-in", "sec1.pem", "-outform", "DER", "-out", "key.der",
        ],
        d,
    );
    let public_pem = run(
        "openssl",
        &["pkey", "-inform", "DER", "-in", "key.der", "-pubout"],
        d,
    );
    let public = PublicKey::from_pem(&String::from_utf8(public_pem).unwrap()).unwrap();
    std::fs::write(d.join("encrypt.py"), PY_ENCRYPT).unwrap();
    // cosign's N, and a stronger N read from the file.
    for n in ["32768", "65536"] {
        run(
            "python3",
            &["encrypt.py", "key.der", "s3cret", "py.key", n],
            d,
        );
        let pem = std::fs::read_to_string(d.join("py.key")).unwrap();
        let key = SigningKey::from_pem(&pem, Some(b"s3cret")).unwrap();
        assert_eq!(key.public_key(), public);
        let sig = key.sign(b"hello");
        public.verify(b"hello", &sig).unwrap();
        assert!(matches!(
            SigningKey::from_pem(&pem, Some(b"S3cret")),
            Err(SignError::WrongPassphrase)
        ));
    }
}
