#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The registry client against Debian's `docker-registry` 2.8 (apt package
//! `docker-registry`): anonymous, htpasswd Basic auth, multi-platform
//! indexes; and against scripted servers: the Bearer token flow (the
//! Debian registry's token auth needs certificates, so the flow is served
//! by our own small server), referrers (registry 2.8 has no referrers API),
//! and hostile registries.

mod support;

use bulkhead_fixtures::{ImageBuilder, Layout, write_multi_platform};
use bulkhead_image::registry::{Authorization, Registry, RegistryOptions, referrers_tag};
use bulkhead_image::{ImageError, Platform, Reference};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use support::{LocalRegistry, Resp, TestServer, push_layout, test_options};

fn sha(b: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(b)))
}

fn image(arch: &str, marker: &str) -> ImageBuilder {
    let mut b = ImageBuilder::new().tag("t:1");
    b.layer("base")
        .file("etc/os-release", b"ID=debian\nVERSION_ID=\"12\"\n")
        .unwrap();
    b.layer("app")
        .file("app/marker", marker.as_bytes())
        .unwrap();
    b.arch(arch)
}

/// Every layer streams, and its stored bytes match its digest.
fn check_layers(img: &bulkhead_image::Image) {
    for l in &img.layers {
        let mut bytes = Vec::new();
        l.blob.open().unwrap().read_to_end(&mut bytes).unwrap();
        assert_eq!(Some(sha(&bytes)), l.digest);
        assert_eq!(bytes.len() as u64, l.size);
    }
}

#[test]
fn anonymous_pull_from_docker_registry() {
    let Some(reg) = LocalRegistry::start(None) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("oci");
    image("amd64", "one")
        .write(Layout::OciDir, &layout)
        .unwrap();
    let local = bulkhead_image::open_input(&layout, None).unwrap();
    let client = Registry::new(&reg.host, test_options()).unwrap();
    push_layout(&client, "test/app", "v1", &layout);

    let r = Reference::parse(&format!("{}/test/app:v1", reg.host)).unwrap();
    let img = bulkhead_image::registry::pull(&r, None, test_options()).unwrap();
    assert_eq!(img.diff_ids, local.diff_ids);
    assert_eq!(img.id, local.id);
    assert_eq!(img.repo_tags, vec![format!("{}/test/app:v1", reg.host)]);
    assert!(img.repo_digests[0].starts_with(&format!("{}/test/app@sha256:", reg.host)));
    check_layers(&img);

    // By digest, too.
    let digest = img.repo_digests[0].split('@').nth(1).unwrap();
    let r = Reference::parse(&format!("{}/test/app@{digest}", reg.host)).unwrap();
    assert_eq!(
        bulkhead_image::registry::pull(&r, None, test_options())
            .unwrap()
            .id,
        local.id
    );

    // Unknown tag and repository: NotFound naming the registry.
    for name in ["test/app:nope", "test/none:v1"] {
        let r = Reference::parse(&format!("{}/{name}", reg.host)).unwrap();
        match bulkhead_image::registry::pull(&r, None, test_options()) {
            Err(ImageError::NotFound(m)) => assert!(m.contains(&reg.host), "{m}"),
            other => panic!("{other:?}"),
        }
    }
    // Not reachable without plain HTTP when the host is not local.
    assert!(!Reference::parse("example.invalid/x").unwrap().is_local());
}

#[test]
fn basic_auth_with_htpasswd() {
    let hash = bcrypt::hash("s3cret-pw", 4).unwrap();
    let Some(reg) = LocalRegistry::start(Some(&format!("alice:{hash}"))) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("oci");
    image("amd64", "auth")
        .write(Layout::OciDir, &layout)
        .unwrap();
    let cfg = support::docker_config(dir.path(), &reg.host, "alice", "s3cret-pw");
    let opts = RegistryOptions {
        docker_config: Some(cfg),
        ..test_options()
    };
    let client = Registry::new(&reg.host, opts.clone()).unwrap();
    assert!(client.has_credentials());
    push_layout(&client, "private/app", "v1", &layout);
    let r = Reference::parse(&format!("{}/private/app:v1", reg.host)).unwrap();
    let img = bulkhead_image::registry::pull(&r, None, opts).unwrap();
    check_layers(&img);

    // Anonymous: a clear auth error that says to log in.
    match bulkhead_image::registry::pull(&r, None, test_options()) {
        Err(ImageError::Auth(m)) => assert!(m.contains("docker login"), "{m}"),
        other => panic!("{other:?}"),
    }
    // Wrong password: refused, and the password is not in the message.
    let bad = support::docker_config(dir.path(), &reg.host, "alice", "wrong-pw-123");
    match bulkhead_image::registry::pull(
        &r,
        None,
        RegistryOptions {
            docker_config: Some(bad),
            ..test_options()
        },
    ) {
        Err(ImageError::Auth(m)) => assert!(!m.contains("wrong-pw-123"), "{m}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn multi_platform_index() {
    let Some(reg) = LocalRegistry::start(None) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("multi");
    write_multi_platform(
        vec![
            ("amd64".into(), image("amd64", "x86")),
            ("arm64".into(), image("arm64", "arm")),
        ],
        false,
        &layout,
    )
    .unwrap();
    let client = Registry::new(&reg.host, test_options()).unwrap();
    push_layout(&client, "test/multi", "v1", &layout);
    let r = Reference::parse(&format!("{}/test/multi:v1", reg.host)).unwrap();
    let amd = bulkhead_image::registry::pull(
        &r,
        Some(&Platform::parse("linux/amd64").unwrap()),
        test_options(),
    )
    .unwrap();
    let arm = bulkhead_image::registry::pull(
        &r,
        Some(&Platform::parse("linux/arm64").unwrap()),
        test_options(),
    )
    .unwrap();
    assert_eq!(amd.platform.arch, "amd64");
    assert_eq!(arm.platform.arch, "arm64");
    assert_ne!(amd.id, arm.id);
    assert_eq!(amd.diff_ids[0], arm.diff_ids[0]);
    check_layers(&arm);
    match bulkhead_image::registry::pull(
        &r,
        Some(&Platform::parse("linux/s390x").unwrap()),
        test_options(),
    ) {
        Err(ImageError::NoPlatform { available, .. }) => {
            assert!(
                available.contains("linux/amd64") && available.contains("linux/arm64"),
                "{available}"
            )
        }
        other => panic!("{other:?}"),
    }
}

/// A scripted registry serving one image, optionally behind a Bearer token.
fn scripted(token_required: bool, hits: Arc<AtomicUsize>) -> (TestServer, Vec<u8>) {
    let config =
        br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#
            .to_vec();
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha(&config), "size": config.len()},
        "layers": []
    }))
    .unwrap();
    let (m2, c2) = (manifest.clone(), config.clone());
    let server = TestServer::start(move |req, host| {
        if req.path.starts_with("/token") {
            hits.fetch_add(1, Ordering::SeqCst);
            assert!(
                req.path.contains("scope=repository%3Aa%2Fb%3Apull")
                    || req.path.contains("scope=repository:a/b:pull"),
                "{}",
                req.path
            );
            assert!(req.path.contains("service=test-svc"));
            return Resp::ok(
                r#"{"token":"tok-123"}"#,
                &[("Content-Type", "application/json")],
            );
        }
        let authed = req.headers.get("authorization").map(String::as_str) == Some("Bearer tok-123");
        if token_required && !authed {
            let ch = format!(
                r#"Bearer realm="http://{host}/token",service="test-svc",scope="repository:a/b:pull""#
            );
            return Resp::status(401, &[("WWW-Authenticate", &ch)]);
        }
        if req.path == "/v2/" {
            return Resp::ok("{}", &[]);
        }
        if req.path.starts_with("/v2/a/b/manifests/") {
            return Resp::ok(
                m2.clone(),
                &[("Content-Type", "application/vnd.oci.image.manifest.v1+json")],
            );
        }
        if req.path.starts_with("/v2/a/b/blobs/") {
            return Resp::ok(c2.clone(), &[]);
        }
        Resp::status(404, &[])
    });
    (server, manifest)
}

#[test]
fn bearer_token_flow() {
    let hits = Arc::new(AtomicUsize::new(0));
    let (server, _) = scripted(true, hits.clone());
    let r = Reference::parse(&format!("{}/a/b:v1", server.host)).unwrap();
    let img = bulkhead_image::registry::pull(&r, None, test_options()).unwrap();
    assert!(img.layers.is_empty());
    // One token for the repository, reused for the config blob.
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

#[test]
fn referrers_api_and_fallback_tag() {
    let subject = format!("sha256:{}", "ab".repeat(32));
    let sig = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [
            {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": format!("sha256:{}", "cd".repeat(32)), "size": 10, "artifactType": "application/vnd.dev.sigstore.bundle.v0.3+json"},
            {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": format!("sha256:{}", "ef".repeat(32)), "size": 10, "artifactType": "application/spdx+json"}
        ]
    })
    .to_string();
    let s2 = subject.clone();
    let server = TestServer::start(move |req, _| {
        if req.path == "/v2/" {
            Resp::ok("{}", &[])
        } else if req
            .path
            .starts_with(&format!("/v2/has/refs/referrers/{s2}"))
        {
            Resp::ok(
                sig.clone(),
                &[("Content-Type", "application/vnd.oci.image.index.v1+json")],
            )
        } else {
            Resp::status(404, &[])
        }
    });
    let client = Registry::new(&server.host, test_options()).unwrap();
    let all = client
        .referrers("has/refs", &subject, None)
        .unwrap()
        .unwrap();
    assert_eq!(all.manifests().len(), 2);
    let sigs = client
        .referrers(
            "has/refs",
            &subject,
            Some("application/vnd.dev.sigstore.bundle.v0.3+json"),
        )
        .unwrap()
        .unwrap();
    assert_eq!(sigs.manifests().len(), 1);
    // No referrers API (404): None, and the fallback tag schema.
    assert!(
        client
            .referrers("none/here", &subject, None)
            .unwrap()
            .is_none()
    );
    assert_eq!(
        referrers_tag(&subject),
        format!("sha256-{}", "ab".repeat(32))
    );
}

fn pull_err(host: &str, name: &str, opts: RegistryOptions) -> (ImageError, Duration) {
    let start = Instant::now();
    let r = Reference::parse(&format!("{host}/{name}")).unwrap();
    let e = bulkhead_image::registry::pull(&r, None, opts)
        .map(|_| ())
        .unwrap_err();
    (e, start.elapsed())
}

#[test]
fn hostile_wrong_manifest_digest() {
    let server = TestServer::start(|req, _| {
        if req.path.starts_with("/v2/a/b/manifests/") {
            Resp::ok(
                r#"{"schemaVersion":2,"config":{"mediaType":"x","digest":"sha256:00","size":1},"layers":[]}"#,
                &[(
                    "Docker-Content-Digest",
                    "sha256:0000000000000000000000000000000000000000000000000000000000000000",
                )],
            )
        } else {
            Resp::ok("{}", &[])
        }
    });
    let (e, _) = pull_err(&server.host, "a/b:v1", test_options());
    assert!(matches!(e, ImageError::DigestMismatch { .. }), "{e}");
    // By digest: the body must hash to it whatever the headers say.
    let (e, _) = pull_err(
        &server.host,
        &format!("a/b@sha256:{}", "1".repeat(64)),
        test_options(),
    );
    assert!(matches!(e, ImageError::DigestMismatch { .. }), "{e}");
}

#[test]
fn hostile_wrong_config_digest() {
    let hits = Arc::new(AtomicUsize::new(0));
    let bad_config = b"{\"not\":\"the config\"}".to_vec();
    let server = TestServer::start(move |req, _| {
        if req.path.starts_with("/v2/a/b/manifests/") {
            Resp::ok(serde_json::to_vec(&serde_json::json!({
                "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": format!("sha256:{}", "2".repeat(64)), "size": 5},
                "layers": []})).unwrap(), &[])
        } else if req.path.starts_with("/v2/a/b/blobs/") {
            Resp::ok(bad_config.clone(), &[])
        } else {
            Resp::ok("{}", &[])
        }
    });
    let _ = hits;
    let (e, _) = pull_err(&server.host, "a/b:v1", test_options());
    assert!(matches!(e, ImageError::DigestMismatch { .. }), "{e}");
}

#[test]
fn hostile_oversized_manifest() {
    let server = TestServer::start(|req, _| {
        if req.path.starts_with("/v2/a/b/manifests/") {
            Resp::ok(vec![b' '; 5 * 1024 * 1024], &[])
        } else {
            Resp::ok("{}", &[])
        }
    });
    let (e, _) = pull_err(&server.host, "a/b:v1", test_options());
    assert!(matches!(e, ImageError::TooLarge { .. }), "{e}");
}

#[test]
fn hostile_redirect_loop() {
    let server = TestServer::start(|req, host| {
        if req.path.starts_with("/v2/a/b/manifests/") {
            let loc = format!("http://{host}/v2/a/b/manifests/again");
            Resp::status(302, &[("Location", &loc)])
        } else {
            Resp::ok("{}", &[])
        }
    });
    let (e, _) = pull_err(&server.host, "a/b:v1", test_options());
    assert!(e.to_string().contains("redirect"), "{e}");
}

#[test]
fn hostile_endless_401() {
    let tokens = Arc::new(AtomicUsize::new(0));
    let t2 = tokens.clone();
    let server = TestServer::start(move |req, host| {
        if req.path.starts_with("/token") {
            t2.fetch_add(1, Ordering::SeqCst);
            return Resp::ok(r#"{"token":"t"}"#, &[]);
        }
        let ch = format!(r#"Bearer realm="http://{host}/token",service="s""#);
        if req.path == "/v2/" {
            return Resp::status(401, &[("WWW-Authenticate", &ch)]);
        }
        Resp::status(401, &[("WWW-Authenticate", &ch)])
    });
    let (e, took) = pull_err(&server.host, "a/b:v1", test_options());
    assert!(matches!(e, ImageError::Auth(_)), "{e}");
    assert_eq!(
        tokens.load(Ordering::SeqCst),
        1,
        "one token attempt, no loop"
    );
    assert!(took < Duration::from_secs(20));
}

#[test]
fn hostile_stall_mid_blob() {
    let server = TestServer::start(|req, _| {
        if req.path.starts_with("/v2/a/b/blobs/") {
            Resp::Stall {
                declared: 10 * 1024 * 1024,
                sent: vec![0x1f, 0x8b, 0, 0, 0],
            }
        } else {
            Resp::ok("{}", &[])
        }
    });
    let opts = RegistryOptions {
        read_timeout: Duration::from_secs(1),
        ..test_options()
    };
    let client = Registry::new(&server.host, opts).unwrap();
    let start = Instant::now();
    let mut r = client
        .open_blob(
            "a/b",
            &format!("sha256:{}", "3".repeat(64)),
            10 * 1024 * 1024,
        )
        .unwrap();
    let mut sink = Vec::new();
    let err = r.read_to_end(&mut sink).unwrap_err();
    assert!(
        start.elapsed() < Duration::from_secs(15),
        "{:?}",
        start.elapsed()
    );
    assert!(sink.len() < 1024, "read {}", sink.len());
    eprintln!("stall error: {err}");
    // The same through a small blob read (the config path): a clear error.
    let e = client
        .small_blob("a/b", &format!("sha256:{}", "3".repeat(64)), 16 << 20)
        .unwrap_err();
    assert!(
        matches!(e, ImageError::Remote(_) | ImageError::TooLarge { .. }),
        "{e}"
    );
}

#[test]
fn server_errors_are_retried_then_reported() {
    let calls = Arc::new(AtomicUsize::new(0));
    let c2 = calls.clone();
    let server = TestServer::start(move |req, _| {
        if req.path.starts_with("/v2/a/b/manifests/") {
            c2.fetch_add(1, Ordering::SeqCst);
            Resp::status(503, &[])
        } else {
            Resp::ok("{}", &[])
        }
    });
    let opts = RegistryOptions {
        retries: 2,
        ..test_options()
    };
    let (e, _) = pull_err(&server.host, "a/b:v1", opts);
    assert!(e.to_string().contains("failed 3 times"), "{e}");
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

#[test]
fn unreachable_registry_is_reported() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (e, _) = pull_err(&format!("127.0.0.1:{port}"), "a/b:v1", test_options());
    assert!(matches!(e, ImageError::Unreachable(_)), "{e}");
}

#[test]
fn tags_list_with_pagination() {
    let Some(reg) = LocalRegistry::start(None) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let client = Registry::new(&reg.host, test_options()).unwrap();
    for tag in ["12.1", "12.2", "12.3", "latest"] {
        let layout = dir.path().join(tag);
        image("amd64", tag).write(Layout::OciDir, &layout).unwrap();
        push_layout(&client, "lib/base", tag, &layout);
    }
    // Two per page: docker-registry sends a Link header to the next page
    // (all four arrive only if it was followed; the order is the registry's).
    let mut list = client.tags_paged("lib/base", 2).unwrap();
    list.tags.sort();
    assert_eq!(list.tags, ["12.1", "12.2", "12.3", "latest"]);
    assert!(list.complete);
    assert_eq!(client.tags("lib/base").unwrap().tags.len(), 4);
    match client.tags("lib/none") {
        Err(ImageError::NotFound(m)) => assert!(m.contains("lib/none"), "{m}"),
        other => panic!("{other:?}"),
    }
}

/// A scripted tag list: `pages(n)` answers page n's JSON and Link header.
fn tag_server(
    page: impl Fn(usize, &str) -> (String, Option<String>) + Send + Sync + 'static,
) -> TestServer {
    TestServer::start(move |req, host| {
        if req.path == "/v2/" {
            return Resp::ok("{}", &[]);
        }
        let n: usize = req
            .path
            .split("page=")
            .nth(1)
            .and_then(|p| p.split('&').next())
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        let (body, link) = page(n, host);
        match link {
            Some(l) => Resp::ok(body, &[("Link", &l)]),
            None => Resp::ok(body, &[]),
        }
    })
}

#[test]
fn hostile_tag_lists() {
    // A Link back to the first page: refused as a loop.
    let s = tag_server(|_, _| {
        (
            r#"{"tags":["a"]}"#.into(),
            Some(r#"</v2/r/tags/list?n=1000>; rel="next""#.into()),
        )
    });
    let c = Registry::new(&s.host, test_options()).unwrap();
    match c.tags("r") {
        Err(ImageError::Remote(m)) => assert!(m.contains("loop"), "{m}"),
        other => panic!("{other:?}"),
    }
    // A Link to another host: refused.
    let s = tag_server(|_, _| {
        (
            r#"{"tags":["a"]}"#.into(),
            Some(r#"<http://evil.example/v2/r/tags/list?page=1>; rel="next""#.into()),
        )
    });
    let c = Registry::new(&s.host, test_options()).unwrap();
    match c.tags("r") {
        Err(ImageError::Remote(m)) => assert!(m.contains("not on this registry"), "{m}"),
        other => panic!("{other:?}"),
    }
    // Endless distinct pages (absolute links on the same host): stops at the
    // page cap and says the list is incomplete.
    let s = tag_server(|n, host| {
        (
            format!(r#"{{"tags":["t{n}", "bad tag", "-x", 7]}}"#),
            Some(format!(
                r#"<http://{host}/v2/r/tags/list?page={}>; rel="next""#,
                n + 1
            )),
        )
    });
    let c = Registry::new(&s.host, test_options()).unwrap();
    let list = c.tags("r").unwrap();
    assert!(!list.complete);
    assert_eq!(list.tags.len(), bulkhead_image::registry::MAX_TAG_PAGES);
    assert_eq!(list.tags[1], "t1");
    // A repository without tags (`null`), and a malformed list.
    let s = tag_server(|_, _| (r#"{"name":"r","tags":null}"#.into(), None));
    let c = Registry::new(&s.host, test_options()).unwrap();
    assert!(c.tags("r").unwrap().tags.is_empty());
    let s = tag_server(|_, _| (r#"{"tags":"12.1"}"#.into(), None));
    let c = Registry::new(&s.host, test_options()).unwrap();
    assert!(matches!(c.tags("r"), Err(ImageError::Malformed(_))));
    let s = tag_server(|_, _| (r#"{"tags":["a""#.into(), None));
    let c = Registry::new(&s.host, test_options()).unwrap();
    assert!(c.tags("r").is_err());
}

#[test]
fn one_huge_tag_page_is_capped() {
    // A single page (no next link) with more tags than the cap: the list
    // is cut at the cap and says it is incomplete.
    let max = bulkhead_image::registry::MAX_TAGS;
    let s = tag_server(move |_, _| {
        let tags: Vec<String> = (0..max + 5).map(|i| format!("t{i}")).collect();
        (serde_json::json!({ "tags": tags }).to_string(), None)
    });
    let c = Registry::new(&s.host, test_options()).unwrap();
    let list = c.tags("r").unwrap();
    assert_eq!(list.tags.len(), max);
    assert!(!list.complete);
}

#[test]
fn link_header_parsing() {
    use bulkhead_image::registry::{is_tag, link_next};
    assert_eq!(
        link_next(r#"</v2/r/tags/list?n=2&last=b>; rel="next""#).as_deref(),
        Some("/v2/r/tags/list?n=2&last=b")
    );
    assert_eq!(
        link_next(r#"<https://x/prev>; rel="prev", <https://x/next>; REL=next"#).as_deref(),
        Some("https://x/next")
    );
    for bad in [
        "",
        "<>; rel=next",
        "/v2/x; rel=next",
        "<a b>; rel=next",
        "<a>; rel=prev",
        "<a",
    ] {
        assert_eq!(link_next(bad), None, "{bad}");
    }
    assert!(is_tag("12.1-slim") && is_tag("_x") && is_tag(&"a".repeat(128)));
    assert!(
        !is_tag("")
            && !is_tag("-a")
            && !is_tag(".a")
            && !is_tag("a/b")
            && !is_tag(&"a".repeat(129))
    );
}

#[test]
fn catalog_with_pagination_and_a_given_basic_login() {
    let hash = bcrypt::hash("s3cret-pw", 4).unwrap();
    let Some(reg) = LocalRegistry::start(Some(&format!("alice:{hash}"))) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // The login comes with the request (as Harbor gives it), not from a
    // Docker config.
    let given = |pw: &str| {
        use base64::Engine as _;
        let v = base64::engine::general_purpose::STANDARD.encode(format!("alice:{pw}"));
        RegistryOptions {
            authorization: Some(Authorization::parse(&format!("Basic {v}")).unwrap()),
            ..test_options()
        }
    };
    let client = Registry::new(&reg.host, given("s3cret-pw")).unwrap();
    assert!(client.has_credentials());
    for repo in ["lib/base", "app/one", "app/two"] {
        let layout = dir.path().join(repo.replace('/', "-"));
        image("amd64", repo).write(Layout::OciDir, &layout).unwrap();
        push_layout(&client, repo, "v1", &layout);
    }
    let mut list = client.catalog_paged(2).unwrap();
    list.tags.sort();
    assert_eq!(list.tags, ["app/one", "app/two", "lib/base"]);
    assert!(list.complete);
    let r = Reference::parse(&format!("{}/app/one:v1", reg.host)).unwrap();
    check_layers(&bulkhead_image::registry::pull(&r, None, given("s3cret-pw")).unwrap());
    // A wrong given login: refused, and neither it nor its base64 is shown.
    match bulkhead_image::registry::pull(&r, None, given("wrong-pw-123")) {
        Err(ImageError::Auth(m)) => {
            assert!(
                !m.contains("wrong-pw-123") && !m.contains("d3JvbmctcHctMTIz"),
                "{m}"
            );
            assert!(m.contains("credentials given"), "{m}");
        }
        other => panic!("{other:?}"),
    }
    // Anonymous: the catalog needs the login too.
    let anon = Registry::new(&reg.host, test_options()).unwrap();
    assert!(matches!(anon.catalog(), Err(ImageError::Auth(_))));
}

#[test]
fn a_given_bearer_token_is_sent_as_is() {
    let hits = Arc::new(AtomicUsize::new(0));
    let (server, _) = scripted(true, hits.clone());
    let r = Reference::parse(&format!("{}/a/b:v1", server.host)).unwrap();
    let opts = RegistryOptions {
        authorization: Some(Authorization::parse("Bearer tok-123").unwrap()),
        ..test_options()
    };
    let img = bulkhead_image::registry::pull(&r, None, opts).unwrap();
    assert!(img.layers.is_empty());
    // No token fetched: the given one was good.
    assert_eq!(hits.load(Ordering::SeqCst), 0);
    // A token the registry refuses: an auth error that does not repeat it.
    let opts = RegistryOptions {
        authorization: Some(Authorization::parse("Bearer expired-tok-456").unwrap()),
        ..test_options()
    };
    match bulkhead_image::registry::pull(&r, None, opts) {
        Err(ImageError::Auth(m)) => {
            assert!(!m.contains("expired-tok-456"), "{m}");
            assert!(m.contains("bearer token"), "{m}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(hits.load(Ordering::SeqCst), 0);
}

#[test]
fn hostile_catalogs() {
    // Invalid names are dropped; pages are capped like tag lists.
    let s = tag_server(|n, host| {
        (
            format!(
                r#"{{"repositories":["ok/r{n}", "UPPER/x", "../up", "a//b", "-x", "", 7, "{}"]}}"#,
                "a".repeat(300)
            ),
            Some(format!(
                r#"<http://{host}/v2/_catalog?page={}>; rel="next""#,
                n + 1
            )),
        )
    });
    let c = Registry::new(&s.host, test_options()).unwrap();
    let list = c.catalog().unwrap();
    assert!(!list.complete);
    assert_eq!(list.tags.len(), bulkhead_image::registry::MAX_TAG_PAGES);
    assert_eq!(list.tags[1], "ok/r1");
    // A registry without the catalog API says so.
    let s = TestServer::start(|req, _| {
        if req.path == "/v2/" {
            return Resp::ok("{}", &[]);
        }
        Resp::status(404, &[])
    });
    let c = Registry::new(&s.host, test_options()).unwrap();
    match c.catalog() {
        Err(ImageError::NotFound(m)) => assert!(m.contains("no catalog API"), "{m}"),
        other => panic!("{other:?}"),
    }
    // Malformed.
    let s = tag_server(|_, _| (r#"{"repositories":"x"}"#.into(), None));
    let c = Registry::new(&s.host, test_options()).unwrap();
    assert!(matches!(c.catalog(), Err(ImageError::Malformed(_))));
}

#[test]
fn repository_names() {
    use bulkhead_image::registry::is_repository;
    for ok in ["a", "lib/base", "my-org/app.v2/x_y", "a__b"] {
        assert!(is_repository(ok), "{ok}");
    }
    for bad in [
        "", "A", "a/", "/a", "a//b", "-a", "a-", "a/../b", "a b", "ä",
    ] {
        assert!(!is_repository(bad), "{bad}");
    }
    assert!(!is_repository(&"a".repeat(256)));
}
