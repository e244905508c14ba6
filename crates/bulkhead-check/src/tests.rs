//! Known answers on synthetic workloads: the stack's "bad" service and its
//! hardened twin, every layer rule's edges, merging across scanners, the
//! risk order and the fix plan's effects.

use super::*;
use bulkhead_types::check::{FindingKind, LayerState, StackLayer, WorkloadSource};
use bulkhead_types::signature::{
    FoundSignature, KeyInfo, PolicyInfo, SignatureFormat, Status, VerifyMode, VerifyOutcome,
};
use bulkhead_types::{
    ArtifactType, CauseMetadata, Class, Cvss, Epss, IMAGE_CONFIG_TYPE, IMAGE_ENV_TARGET, KevDetail,
    LayerRef, MisconfStatus, Misconfiguration, PkgIdentifier, Report, ScanResult, Secret,
    SecurityOpt, Severity, SpecEnv, SpecMount, SpecPort, SpecSource, SpecTmpfs, Vulnerability,
};

fn sudo_cve(fixed: &str) -> Vulnerability {
    let mut v = Vulnerability {
        vulnerability_id: "CVE-2021-3156".into(),
        pkg_id: "sudo@1.8.27-1+deb10u2".into(),
        pkg_name: "sudo".into(),
        pkg_identifier: PkgIdentifier {
            purl: "pkg:deb/debian/sudo@1.8.27-1+deb10u2?distro=debian-10".into(),
        },
        installed_version: "1.8.27-1+deb10u2".into(),
        fixed_version: fixed.into(),
        severity: Severity::High,
        severity_source: "nvd".into(),
        kev: true,
        kev_detail: Some(KevDetail {
            date_added: "2022-04-06".into(),
            ransomware: false,
        }),
        epss: Some(Epss {
            score: 0.97,
            percentile: 0.99,
            date: String::new(),
        }),
        layer: Some(LayerRef {
            index: 1,
            diff_id: "sha256:aa".into(),
            ..LayerRef::default()
        }),
        ..Vulnerability::default()
    };
    v.cvss.insert(
        "nvd".into(),
        Cvss {
            v3_score: Some(7.8),
            ..Cvss::default()
        },
    );
    v.set_risk();
    v
}

fn low_cve() -> Vulnerability {
    Vulnerability {
        vulnerability_id: "CVE-2099-0001".into(),
        pkg_name: "zlib1g".into(),
        installed_version: "1:1.2.11".into(),
        severity: Severity::Low,
        ..Vulnerability::default()
    }
}

fn report(vulns: Vec<Vulnerability>) -> Report {
    let mut r = Report::new("app:1", ArtifactType::ContainerImage);
    let mut os = ScanResult::new("app:1 (debian 10)", Class::OsPkgs, "debian");
    os.vulnerabilities = vulns;
    r.results.push(os);
    r
}

fn severities() -> BTreeMap<String, Severity> {
    [
        ("BH-CO-001", Severity::High),
        ("BH-CO-003", Severity::Medium),
        ("BH-CO-004", Severity::Medium),
        ("BH-CO-005", Severity::High),
        ("BH-CO-007", Severity::Medium),
        ("BH-CO-008", Severity::High),
        ("BH-CO-020", Severity::High),
        ("BH-CO-027", Severity::Low),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

fn unsigned() -> Trust {
    Trust::Checked(Box::new(VerifyOutcome {
        image: "registry.test/app:1".into(),
        reference: "registry.test/app@sha256:11".into(),
        digest: "sha256:11".into(),
        mode: VerifyMode::List,
        verified: true,
        policy: None,
        keys: Vec::new(),
        signatures: Vec::new(),
        failure: None,
        note: None,
    }))
}

fn verified() -> Trust {
    Trust::Checked(Box::new(VerifyOutcome {
        image: "registry.test/app:1".into(),
        reference: "registry.test/app@sha256:11".into(),
        digest: "sha256:11".into(),
        mode: VerifyMode::Policy,
        verified: true,
        policy: Some(PolicyInfo {
            file: "bulkhead.toml".into(),
            rule: Some("app".into()),
            pattern: Some("registry.test/app".into()),
        }),
        keys: vec![KeyInfo {
            path: "cosign.pub".into(),
            fingerprint: "sha256:ff".into(),
        }],
        signatures: vec![FoundSignature {
            format: SignatureFormat::Bundle,
            location: "referrer sha256:22".into(),
            key_hint: None,
            claims: None,
            status: Status::Verified {
                key: "sha256:ff".into(),
            },
        }],
        failure: None,
        note: None,
    }))
}

/// The stack's "bad" service: root, writable root, NET_RAW kept (Docker's
/// default set), a secret in the environment, seccomp=unconfined, a port
/// on every interface.
fn bad_spec() -> ContainerSpec {
    ContainerSpec {
        name: "api".into(),
        source: SpecSource::Compose,
        image: Some("registry.test/app:1".into()),
        env: vec![SpecEnv {
            name: "DB_PASSWORD".into(),
            value: Some("supersecret".into()),
            line: 7,
            from_host: false,
        }],
        security_opt: vec![SecurityOpt::parse("seccomp:unconfined")],
        ports: vec![SpecPort {
            published: "8080".into(),
            target: "8080".into(),
            protocol: "tcp".into(),
            ..SpecPort::default()
        }],
        ..ContainerSpec::default()
    }
}

/// The hardened twin: numeric user, read-only root with a hardened /tmp,
/// cap_drop ALL + NET_BIND_SERVICE, default seccomp, secrets as files.
fn good_spec() -> ContainerSpec {
    ContainerSpec {
        name: "api".into(),
        source: SpecSource::Compose,
        image: Some("registry.test/app@sha256:11".into()),
        user: Some("1001:1001".into()),
        read_only: true,
        tmpfs: vec![SpecTmpfs {
            target: "/tmp".into(),
            options: vec![
                "rw".into(),
                "noexec".into(),
                "nosuid".into(),
                "size=64m".into(),
            ],
        }],
        cap_drop: vec!["ALL".into()],
        cap_add: vec!["NET_BIND_SERVICE".into()],
        security_opt: vec![SecurityOpt::parse("no-new-privileges:true")],
        env: vec![SpecEnv {
            name: "DB_PASSWORD_FILE".into(),
            value: Some("/run/secrets/db_password".into()),
            line: 9,
            from_host: false,
        }],
        secrets: vec!["db_password".into()],
        ports: vec![SpecPort {
            host_ip: "127.0.0.1".into(),
            published: "8080".into(),
            target: "8080".into(),
            protocol: "tcp".into(),
            ..SpecPort::default()
        }],
        pids_limit: Some(128),
        memory: Some(256 << 20),
        ..ContainerSpec::default()
    }
}

fn input(spec: ContainerSpec, trust: Trust, vulns: Vec<Vulnerability>) -> CheckInput {
    CheckInput {
        workload: CheckWorkload {
            image: "registry.test/app:1".into(),
            source: WorkloadSource::Compose,
            name: "api".into(),
            files: vec!["compose.yaml".into()],
        },
        spec,
        spec_origin: "compose.yaml (service api)".into(),
        spec_lines: true,
        passwd: None,
        report: report(vulns),
        scanners: ScannersRun {
            vuln: true,
            secret: true,
            misconfig: true,
        },
        dockerfile: None,
        trust,
        rule_severity: severities(),
        harden: None,
        warnings: Vec::new(),
    }
}

fn states(r: &CheckReport) -> Vec<(StackLayer, LayerState)> {
    r.scoreboard.iter().map(|v| (v.layer, v.state)).collect()
}

fn finding<'a>(r: &'a CheckReport, ref_id: &str) -> &'a CheckFinding {
    r.findings
        .iter()
        .find(|f| f.ref_id == ref_id)
        .unwrap_or_else(|| {
            panic!(
                "no {ref_id} in {:?}",
                r.findings.iter().map(|f| &f.ref_id).collect::<Vec<_>>()
            )
        })
}

use bulkhead_types::check::CheckFinding;

#[test]
fn bad_service_scoreboard() {
    let r = build(input(
        bad_spec(),
        unsigned(),
        vec![sudo_cve("1.8.27-1+deb10u3")],
    ));
    use LayerState::*;
    use StackLayer::*;
    assert_eq!(
        states(&r),
        vec![
            (ImageContents, Missing),
            (UserPrivileges, Missing),
            (Filesystem, Missing),
            (SystemCalls, Missing),
            (MandatoryAccess, InPlace),
            (Capabilities, Missing),
            (Secrets, Missing),
            (Trust, Missing),
        ]
    );
    let ev = &r.verdict(ImageContents).unwrap().evidence;
    assert!(
        ev.iter()
            .any(|e| e.contains("KEV") && e.contains("CVE-2021-3156@sudo")),
        "{ev:?}"
    );
    let caps = &r.verdict(Capabilities).unwrap().evidence;
    assert!(caps[0].contains("NET_RAW kept"), "{caps:?}");
    assert_eq!(r.counts.layers_missing, 7);
    // The trust layer has its finding.
    let sig = finding(&r, "signature");
    assert_eq!(sig.kind, FindingKind::Trust);
    assert_eq!(sig.title, "Image is not signed");
}

#[test]
fn hardened_service_scoreboard_and_lower_rank() {
    let bad = build(input(
        bad_spec(),
        unsigned(),
        vec![sudo_cve("1.8.27-1+deb10u3")],
    ));
    let good = build(input(
        good_spec(),
        verified(),
        vec![sudo_cve("1.8.27-1+deb10u3")],
    ));
    for v in &good.scoreboard {
        let want = if v.layer == StackLayer::ImageContents {
            LayerState::Missing
        } else {
            LayerState::InPlace
        };
        assert_eq!(v.state, want, "{:?}: {:?}", v.layer, v.evidence);
    }
    let a = finding(&bad, "CVE-2021-3156@sudo");
    let b = finding(&good, "CVE-2021-3156@sudo");
    assert!(a.risk > b.risk, "{} vs {}", a.risk, b.risk);
    // The same rating: the exposure makes the difference, and says so.
    assert_eq!(
        a.rating.as_ref().unwrap().risk,
        b.rating.as_ref().unwrap().risk
    );
    assert!(a.reasons.iter().any(|r| r == "KEV"), "{:?}", a.reasons);
    assert!(
        a.reasons.iter().any(|r| r == "EPSS 0.97"),
        "{:?}",
        a.reasons
    );
    assert!(
        a.reasons.iter().any(|r| r == "runs as root"),
        "{:?}",
        a.reasons
    );
    assert!(
        a.reasons
            .iter()
            .any(|r| r == "port 8080 published on all interfaces"),
        "{:?}",
        a.reasons
    );
    assert!(
        !b.reasons.iter().any(|r| r == "runs as root"),
        "{:?}",
        b.reasons
    );
    assert!(
        b.reasons
            .iter()
            .any(|r| r.contains("runs as 1001") && r.contains("read-only root")),
        "{:?}",
        b.reasons
    );
    // Exposure: root 0.15 + port 0.15 + writable 0.10 + no seccomp 0.10.
    assert_eq!(bad.exposure.score, 0.5);
    assert_eq!(bad.exposure.multiplier, 0.75);
    assert_eq!(good.exposure.score, 0.05);
    // Risk = rating risk × multiplier.
    let base = a.rating.as_ref().unwrap().risk;
    assert_eq!(a.risk, ((base * 0.75) * 10.0).round() / 10.0);
    // Highest risk first in both.
    assert!(bad.findings.windows(2).all(|w| w[0].risk >= w[1].risk));
    assert_eq!(bad.findings[0].ref_id, "CVE-2021-3156@sudo");
}

#[test]
fn image_contents_partial_for_low_or_unfixed() {
    let mut unfixed = sudo_cve("");
    unfixed.kev = false;
    let r = build(input(good_spec(), verified(), vec![unfixed, low_cve()]));
    assert_eq!(r.state(StackLayer::ImageContents), LayerState::Partial);
    let r = build(input(good_spec(), verified(), vec![]));
    assert_eq!(r.state(StackLayer::ImageContents), LayerState::InPlace);
    let mut i = input(good_spec(), verified(), vec![]);
    i.scanners.vuln = false;
    assert_eq!(
        build(i).state(StackLayer::ImageContents),
        LayerState::Partial
    );
}

#[test]
fn user_rules() {
    let judge = |user: Option<&str>, image_user: Option<&str>, passwd: Option<Vec<PasswdEntry>>| {
        let mut s = good_spec();
        s.user = user.map(String::from);
        s.image_user = image_user.map(String::from);
        let mut i = input(s, verified(), vec![]);
        i.passwd = passwd;
        build(i).state(StackLayer::UserPrivileges)
    };
    let pw = |name: &str, uid: u32| PasswdEntry {
        name: name.into(),
        uid,
        gid: uid,
        home: "/".into(),
        shell: "/bin/sh".into(),
    };
    assert_eq!(judge(Some("1001"), None, None), LayerState::InPlace);
    assert_eq!(judge(None, Some("1001:1001"), None), LayerState::InPlace);
    assert_eq!(judge(Some("app"), None, None), LayerState::Partial);
    assert_eq!(
        judge(Some("app"), None, Some(vec![pw("app", 1001)])),
        LayerState::Partial
    );
    assert_eq!(
        judge(Some("toor"), None, Some(vec![pw("toor", 0)])),
        LayerState::Missing
    );
    assert_eq!(judge(Some("0:0"), None, None), LayerState::Missing);
    assert_eq!(judge(Some("root"), Some("1001"), None), LayerState::Missing);
    assert_eq!(judge(None, None, None), LayerState::Missing);
}

#[test]
fn filesystem_rules() {
    let judge = |f: &dyn Fn(&mut ContainerSpec)| {
        let mut s = good_spec();
        f(&mut s);
        let r = build(input(s, verified(), vec![]));
        (
            r.state(StackLayer::Filesystem),
            r.verdict(StackLayer::Filesystem).unwrap().evidence.clone(),
        )
    };
    assert_eq!(judge(&|_| {}).0, LayerState::InPlace);
    let (st, ev) = judge(&|s| s.tmpfs.clear());
    assert_eq!(st, LayerState::Partial);
    assert!(ev.iter().any(|e| e.contains("no tmpfs at /tmp")), "{ev:?}");
    let (st, ev) = judge(&|s| s.tmpfs[0].options = vec!["size=1m".into()]);
    assert_eq!(st, LayerState::Partial);
    assert!(
        ev.iter().any(|e| e.contains("lacks noexec,nosuid")),
        "{ev:?}"
    );
    assert_eq!(judge(&|s| s.read_only = false).0, LayerState::Missing);
    let (st, ev) = judge(&|s| {
        s.mounts.push(SpecMount {
            kind: bulkhead_types::MountKind::Bind,
            source: "/var/run/docker.sock".into(),
            target: "/var/run/docker.sock".into(),
            ..SpecMount::default()
        })
    });
    assert_eq!(st, LayerState::Missing);
    assert!(ev.iter().any(|e| e.contains("Docker API socket")), "{ev:?}");
}

#[test]
fn system_calls_and_mandatory_access_rules() {
    let judge = |f: &dyn Fn(&mut ContainerSpec)| {
        let mut s = good_spec();
        f(&mut s);
        let r = build(input(s, verified(), vec![]));
        (
            r.state(StackLayer::SystemCalls),
            r.state(StackLayer::MandatoryAccess),
        )
    };
    use LayerState::*;
    assert_eq!(judge(&|_| {}), (InPlace, InPlace));
    assert_eq!(
        judge(&|s| s
            .security_opt
            .push(SecurityOpt::parse("seccomp=unconfined"))),
        (Missing, InPlace)
    );
    assert_eq!(
        judge(&|s| s
            .security_opt
            .push(SecurityOpt::parse("seccomp=profile.json"))),
        (InPlace, InPlace)
    );
    // The last seccomp option wins, as in Docker.
    assert_eq!(
        judge(&|s| {
            s.security_opt
                .push(SecurityOpt::parse("seccomp:unconfined"));
            s.security_opt
                .push(SecurityOpt::parse("seccomp:default.json"));
        }),
        (InPlace, InPlace)
    );
    assert_eq!(
        judge(&|s| s
            .security_opt
            .push(SecurityOpt::parse("apparmor=unconfined"))),
        (InPlace, Missing)
    );
    assert_eq!(
        judge(&|s| s.security_opt.push(SecurityOpt::parse("label=disable"))),
        (InPlace, Missing)
    );
    assert_eq!(judge(&|s| s.privileged = true), (Missing, Missing));
    // A running container under no AppArmor profile: the host has none.
    assert_eq!(
        judge(&|s| s.source = SpecSource::Inspect),
        (InPlace, Partial)
    );
    assert_eq!(
        judge(&|s| {
            s.source = SpecSource::Inspect;
            s.apparmor_profile = Some("docker-default".into());
        }),
        (InPlace, InPlace)
    );
}

#[test]
fn capability_rules() {
    let judge = |f: &dyn Fn(&mut ContainerSpec)| {
        let mut s = good_spec();
        f(&mut s);
        build(input(s, verified(), vec![])).state(StackLayer::Capabilities)
    };
    use LayerState::*;
    assert_eq!(judge(&|_| {}), InPlace);
    // Docker's default set as a non-root user: partial.
    assert_eq!(
        judge(&|s| {
            s.cap_drop.clear();
            s.cap_add.clear();
        }),
        Partial
    );
    // … as root: NET_RAW is in its effective set.
    assert_eq!(
        judge(&|s| {
            s.cap_drop.clear();
            s.user = None;
        }),
        Missing
    );
    // Root with NET_RAW dropped: partial.
    assert_eq!(
        judge(&|s| {
            s.cap_drop = vec!["NET_RAW".into()];
            s.user = None;
        }),
        Partial
    );
    assert_eq!(judge(&|s| s.cap_add.push("SYS_ADMIN".into())), Missing);
    assert_eq!(judge(&|s| s.cap_add.push("NET_RAW".into())), Missing);
    assert_eq!(judge(&|s| s.privileged = true), Missing);
}

#[test]
fn secret_rules() {
    let judge = |f: &dyn Fn(&mut ContainerSpec)| {
        let mut s = good_spec();
        f(&mut s);
        build(input(s, verified(), vec![])).state(StackLayer::Secrets)
    };
    use LayerState::*;
    assert_eq!(judge(&|_| {}), InPlace);
    assert_eq!(
        judge(&|s| s.env.push(SpecEnv {
            name: "API_TOKEN".into(),
            value: Some("abcd1234".into()),
            ..SpecEnv::default()
        })),
        Missing
    );
    // No value in the settings (the fix plan's way to unset a variable an
    // override cannot delete): nothing exposed by the settings.
    assert_eq!(
        judge(&|s| s.env.push(SpecEnv {
            name: "API_TOKEN".into(),
            value: None,
            from_host: true,
            ..SpecEnv::default()
        })),
        InPlace
    );
    // Files not searched: partial.
    let mut i = input(good_spec(), verified(), vec![]);
    i.scanners.secret = false;
    assert_eq!(build(i).state(StackLayer::Secrets), Partial);
    // No secret anywhere and none mounted: nothing exposed.
    assert_eq!(
        judge(&|s| {
            s.secrets.clear();
            s.env.clear();
        }),
        InPlace
    );
}

#[test]
fn trust_rules() {
    let judge = |t: Trust| {
        let r = build(input(good_spec(), t, vec![]));
        (
            r.state(StackLayer::Trust),
            r.findings.iter().any(|f| f.ref_id == "signature"),
        )
    };
    use LayerState::*;
    assert_eq!(judge(verified()), (InPlace, false));
    assert_eq!(judge(unsigned()), (Missing, true));
    assert_eq!(
        judge(Trust::NotChecked("an image file".into())),
        (Missing, true)
    );
    assert_eq!(
        judge(Trust::Failed("registry down".into())),
        (Missing, true)
    );
    // Signatures, no policy: partial.
    let Trust::Checked(mut o) = verified() else {
        unreachable!()
    };
    o.mode = VerifyMode::List;
    o.policy = None;
    o.signatures[0].status = Status::Unchecked;
    assert_eq!(judge(Trust::Checked(o.clone())), (Partial, true));
    // The policy not met by the signature found: partial; by none: missing.
    o.mode = VerifyMode::Policy;
    o.verified = false;
    o.failure = Some("policy rule \"app\" requires a signature by cosign.pub".into());
    assert_eq!(judge(Trust::Checked(o.clone())), (Partial, true));
    o.signatures.clear();
    assert_eq!(judge(Trust::Checked(o.clone())), (Missing, true));
    // A policy that exempts the image: nothing verified.
    o.verified = true;
    o.failure = None;
    assert_eq!(judge(Trust::Checked(o)), (Partial, true));
}

fn misconf(
    id: &str,
    sev: Severity,
    message: &str,
    evidence: &str,
    line: Option<usize>,
) -> Misconfiguration {
    Misconfiguration {
        id: id.into(),
        mappings: Default::default(),
        title: format!("{id} title"),
        description: String::new(),
        message: message.into(),
        resolution: String::new(),
        severity: sev,
        status: MisconfStatus::Fail,
        cause_metadata: CauseMetadata {
            start_line: line,
            end_line: line,
            evidence: evidence.into(),
        },
    }
}

/// A secret in the image's ENV, seen by the secret scanner, the
/// image-config check, the runtime control (inspect keeps names only) and
/// the Dockerfile rule: one finding, four sources.
#[test]
fn one_secret_many_scanners() {
    let mut spec = good_spec();
    spec.source = SpecSource::Inspect;
    spec.env.push(SpecEnv {
        name: "DB_PASSWORD".into(),
        value: None,
        line: 0,
        from_host: false,
    });
    let mut i = input(spec, verified(), vec![]);
    i.workload.source = WorkloadSource::Container;
    let mut sec = ScanResult::new(IMAGE_ENV_TARGET, Class::Secret, "");
    sec.secrets.push(Secret {
        rule_id: "generic-password".into(),
        category: "generic".into(),
        severity: Severity::High,
        title: "Password".into(),
        start_line: 0,
        end_line: 0,
        match_text: "DB_PASSWORD=su*****".into(),
        layer: None,
        removed_in: None,
    });
    i.report.results.push(sec);
    let mut img = ScanResult::new("image config", Class::Config, IMAGE_CONFIG_TYPE);
    img.misconfigurations.push(misconf(
        "BH-IM-004",
        Severity::High,
        "Env DB_PASSWORD holds a secret (by its name)",
        "DB_PASSWORD=<redacted>",
        None,
    ));
    img.misconfigurations.push(misconf(
        "BH-IM-001",
        Severity::High,
        "no User is set",
        "User=",
        None,
    ));
    i.report.results.push(img);
    i.dockerfile = Some(DockerfileInput {
        path: "Dockerfile".into(),
        findings: vec![
            misconf(
                "BH-DF-004",
                Severity::High,
                "ENV DB_PASSWORD looks like a secret",
                "ENV DB_PASSWORD",
                Some(4),
            ),
            misconf(
                "BH-DF-005",
                Severity::Critical,
                "ENV contains a credential-shaped value (ghp_…)",
                "ENV ghp_…",
                Some(4),
            ),
            misconf(
                "BH-DF-001",
                Severity::High,
                "final stage runs as root",
                "",
                Some(1),
            ),
        ],
    });
    let r = build(i);
    let secrets: Vec<&CheckFinding> = r
        .findings
        .iter()
        .filter(|f| f.layer == StackLayer::Secrets)
        .collect();
    assert_eq!(secrets.len(), 1, "{secrets:#?}");
    let s = secrets[0];
    assert_eq!(s.ref_id, "env-secret:DB_PASSWORD");
    assert_eq!(s.kind, FindingKind::Secret);
    assert_eq!(s.severity, Severity::Critical);
    assert_eq!(
        s.sources,
        vec![
            "runtime:env-secrets",
            "image-config:BH-IM-004",
            "dockerfile:BH-DF-004",
            "dockerfile:BH-DF-005",
            "secret:generic-password",
        ]
    );
    assert_eq!(s.id, "env-secrets");
    assert!(s.aliases.contains(&"BH-IM-004".to_string()));
    // The image's root user (BH-IM-001) and the Dockerfile's (BH-DF-001)
    // are one finding; the runtime runs as 1001, so its control is silent.
    let u = finding(&r, "user");
    assert_eq!(
        u.sources,
        vec!["image-config:BH-IM-001", "dockerfile:BH-DF-001"]
    );
    assert_eq!(u.layer, StackLayer::UserPrivileges);
    assert_eq!(r.state(StackLayer::Secrets), LayerState::Missing);
    // Both extra results reach the underlying report.
    assert!(r.report.results.iter().any(|x| x.kind == "dockerfile"));
    assert!(r.report.results.iter().any(|x| x.kind == "container"));
}

fn harden_plan() -> HardenPlan {
    HardenPlan {
        kind: SnippetKind::ComposeOverride,
        text: "services:\n  api:\n    read_only: true\n".into(),
        settings: Hardened {
            user: "65532:65532".into(),
            read_only: true,
            tmpfs: vec![SpecTmpfs {
                target: "/tmp".into(),
                options: vec![
                    "rw".into(),
                    "noexec".into(),
                    "nosuid".into(),
                    "size=64m".into(),
                ],
            }],
            cap_drop: vec!["ALL".into()],
            cap_add: Vec::new(),
            no_new_privileges: true,
            seccomp: Some("api-seccomp.json".into()),
            pids_limit: 128,
            memory: 256 << 20,
            unprivileged: false,
        },
        warnings: vec!["the base file sets seccomp:unconfined".into()],
        files: vec![FixFile {
            path: "api-seccomp.json".into(),
            content: "{}".into(),
        }],
    }
}

#[test]
fn fix_plan_steps_and_their_effects() {
    let mut i = input(
        bad_spec(),
        unsigned(),
        vec![sudo_cve("1.8.27-1+deb10u3"), low_cve()],
    );
    i.harden = Some(harden_plan());
    let r = build(i);
    let titles: Vec<&str> = r.fix_plan.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(r.fix_plan.len(), 4, "{titles:?}");
    let harden = &r.fix_plan[0];
    assert_eq!(harden.step, 1);
    assert_eq!(harden.kind, SnippetKind::ComposeOverride);
    assert_eq!(harden.save_as, "compose.hardened.yml");
    for gone in [
        "user",
        "read-only-rootfs",
        "cap-drop-all",
        "seccomp",
        "no-new-privileges",
    ] {
        assert!(
            harden.removes.iter().any(|x| x == gone),
            "{gone}: {harden:#?}"
        );
    }
    // The vulnerability stays, its risk lower: defused.
    assert!(harden.defuses.iter().any(|x| x == "CVE-2021-3156@sudo"));
    assert!(harden.layers.contains(&StackLayer::SystemCalls));
    assert_eq!(harden.files.len(), 1);
    let secrets = &r.fix_plan[1];
    assert_eq!(secrets.layer, StackLayer::Secrets);
    assert_eq!(secrets.removes, vec!["env-secret:DB_PASSWORD"]);
    assert!(
        secrets
            .snippet
            .contains("DB_PASSWORD_FILE: \"/run/secrets/db_password\"")
    );
    assert!(secrets.snippet.contains("      DB_PASSWORD:\n"));
    assert!(
        secrets
            .snippet
            .contains("file: \"./secrets/db_password.txt\"")
    );
    assert!(
        secrets
            .notes
            .iter()
            .any(|n| n.contains("-f compose.yaml -f compose.hardened.yml -f compose.secrets.yml")),
        "{:?}",
        secrets.notes
    );
    let upgrade = &r.fix_plan[2];
    assert_eq!(upgrade.removes, vec!["CVE-2021-3156@sudo"]);
    assert!(
        upgrade.snippet.contains("--only-upgrade sudo"),
        "{}",
        upgrade.snippet
    );
    let sign = &r.fix_plan[3];
    assert_eq!(sign.removes, vec!["signature"]);
    assert!(
        sign.snippet
            .contains("bulkhead sign --key cosign.key registry.test/app:1")
    );
    assert!(sign.snippet.contains("# match = \"registry.test/app\""));
}

#[test]
fn fix_plan_for_run_flags_and_build_secrets() {
    let mut spec = bad_spec();
    spec.source = SpecSource::RunFlags;
    let mut i = input(spec, unsigned(), vec![]);
    i.workload.source = WorkloadSource::Run;
    i.spec_lines = false;
    let mut h = harden_plan();
    h.kind = SnippetKind::RunFlags;
    i.harden = Some(h);
    i.dockerfile = Some(DockerfileInput {
        path: "Dockerfile".into(),
        findings: vec![misconf(
            "BH-DF-004",
            Severity::High,
            "ARG NPM_TOKEN looks like a secret",
            "ARG NPM_TOKEN",
            Some(3),
        )],
    });
    let r = build(i);
    let secrets = r
        .fix_plan
        .iter()
        .find(|s| s.title.starts_with("Move"))
        .unwrap();
    assert_eq!(secrets.kind, SnippetKind::RunFlags);
    assert!(
        secrets
            .snippet
            .contains("-e DB_PASSWORD -e DB_PASSWORD_FILE=/run/secrets/db_password -v"),
        "{}",
        secrets.snippet
    );
    let build_step = r
        .fix_plan
        .iter()
        .find(|s| s.kind == SnippetKind::Dockerfile)
        .unwrap();
    assert!(
        build_step
            .snippet
            .contains("RUN --mount=type=secret,id=npm_token"),
        "{}",
        build_step.snippet
    );
    assert_eq!(build_step.removes, vec!["env-secret:NPM_TOKEN"]);
    // Locations of runtime findings carry no line for run flags.
    assert_eq!(
        finding(&r, "read-only-rootfs").location,
        "compose.yaml (service api)"
    );
}

#[test]
fn hostile_text_stays_data() {
    let mut spec = bad_spec();
    spec.name = "a\u{1b}]0;x\u{7}\"b".into();
    spec.env[0].name = "X\u{202e}_TOKEN".into();
    let mut i = input(spec, unsigned(), vec![]);
    i.harden = Some(harden_plan());
    let r = build(i);
    let s = r
        .fix_plan
        .iter()
        .find(|s| s.title.starts_with("Move"))
        .unwrap();
    // Keys are JSON-quoted: no raw control character in the snippet.
    assert!(
        !s.snippet.chars().any(|c| c.is_control() && c != '\n'),
        "{:?}",
        s.snippet
    );
    assert!(s.snippet.contains("\\u001b"), "{}", s.snippet);
    assert!(!s.snippet.contains('\u{202e}'));
}

#[test]
fn empty_input_is_fine() {
    let mut i = input(
        ContainerSpec::default(),
        Trust::NotChecked("x".into()),
        vec![],
    );
    i.report = Report::new("", ArtifactType::ContainerImage);
    i.rule_severity.clear();
    let r = build(i);
    assert_eq!(r.scoreboard.len(), 8);
    assert!(r.findings.windows(2).all(|w| w[0].risk >= w[1].risk));
    let json = serde_json_round_trip(&r);
    assert_eq!(json.scoreboard.len(), 8);
}

fn serde_json_round_trip(r: &CheckReport) -> CheckReport {
    let s = serde_json::to_string(r).unwrap();
    serde_json::from_str(&s).unwrap()
}
