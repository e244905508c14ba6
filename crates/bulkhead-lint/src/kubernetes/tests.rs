use super::*;
use crate::{lint_kubernetes, lint_kubernetes_checked};

fn path() -> &'static Path {
    Path::new("k8s.yaml")
}

/// `(id, line)` of every finding.
fn ids(text: &str) -> Vec<(&'static str, usize)> {
    lint_kubernetes(text, path())
        .iter()
        .map(|f| (f.rule.id, f.line))
        .collect()
}

fn has(text: &str, id: &str) -> bool {
    ids(text).iter().any(|(i, _)| *i == id)
}

const HARDENED: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  template:
    spec:
      securityContext:
        runAsNonRoot: true
        runAsUser: 65532
        seccompProfile:
          type: RuntimeDefault
      initContainers:
        - name: migrate
          image: example.org/web@sha256:0123
          securityContext:
            readOnlyRootFilesystem: true
            allowPrivilegeEscalation: false
            capabilities:
              drop: [ALL]
          resources:
            limits: {memory: 64Mi, cpu: 100m}
      containers:
        - name: web
          image: example.org/web@sha256:0123
          securityContext:
            readOnlyRootFilesystem: true
            allowPrivilegeEscalation: false
            capabilities:
              drop: [\"ALL\"]
          resources:
            limits:
              memory: 256Mi
              cpu: \"1\"
";

#[test]
fn a_hardened_deployment_has_no_findings() {
    assert_eq!(ids(HARDENED), vec![]);
    let m = load_str(HARDENED, path()).unwrap();
    assert_eq!(m.objects.len(), 1);
    let o = &m.objects[0];
    assert_eq!((o.kind.as_str(), o.name.as_str()), ("Deployment", "web"));
    assert_eq!(o.namespace.as_deref(), Some("shop"));
    let pod = o.pod.as_ref().unwrap();
    assert_eq!(pod.line, 9);
    let names: Vec<(&str, bool, usize)> = pod
        .containers
        .iter()
        .map(|c| (c.name.as_str(), c.init, c.line))
        .collect();
    assert_eq!(names, vec![("migrate", true, 16), ("web", false, 26)]);
    assert_eq!(pod.security.seccomp.as_ref().unwrap().line, 14);
    assert_eq!(pod.containers[1].limits.cpu.as_ref().unwrap().value, "1");
}

#[test]
fn a_bare_pod_has_each_hardening_finding_on_its_container() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: bare}\nspec:\n  containers:\n    - name: app\n      image: nginx\n";
    assert_eq!(
        ids(text),
        vec![
            ("BH-K8-002", 6),
            ("BH-K8-003", 6),
            ("BH-K8-004", 6),
            ("BH-K8-005", 6),
            ("BH-K8-007", 6),
            ("BH-K8-010", 6),
            ("BH-K8-011", 6),
        ]
    );
    let f = lint_kubernetes(text, path());
    let ro = f.iter().find(|f| f.rule.id == "BH-K8-004").unwrap();
    assert_eq!(
        ro.message,
        "Pod bare, container app: the root filesystem is writable (readOnlyRootFilesystem is not true)"
    );
}

#[test]
fn wrong_values_are_reported_on_their_key() {
    let text = "\
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: '0 3 * * *'
  jobTemplate:
    spec:
      template:
        spec:
          hostNetwork: true
          hostPID: yes
          hostIPC: false
          securityContext:
            runAsNonRoot: false
            seccompProfile: {type: Unconfined}
          volumes:
            - name: sock
              hostPath: {path: /var/run/docker.sock}
            - name: scratch
              emptyDir: {}
          containers:
            - name: job
              securityContext:
                privileged: true
                allowPrivilegeEscalation: true
                readOnlyRootFilesystem: false
                runAsUser: 0
                capabilities:
                  add: [NET_BIND_SERVICE, cap_sys_admin]
                  drop: [NET_RAW]
              resources:
                limits: {memory: 1Gi}
";
    assert_eq!(
        ids(text),
        vec![
            ("BH-K8-008", 10),
            ("BH-K8-008", 11),
            ("BH-K8-007", 15),
            ("BH-K8-009", 17),
            ("BH-K8-011", 22),
            ("BH-K8-001", 24),
            ("BH-K8-002", 25),
            ("BH-K8-004", 26),
            ("BH-K8-003", 27),
            ("BH-K8-005", 28),
            ("BH-K8-006", 29),
        ]
    );
    let f = lint_kubernetes(text, path());
    let cap = f.iter().find(|f| f.rule.id == "BH-K8-006").unwrap();
    assert_eq!(
        cap.message,
        "CronJob nightly, container job adds the capability SYS_ADMIN"
    );
}

#[test]
fn container_settings_override_the_pod() {
    let pod = |pod_sc: &str, c_sc: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  securityContext: {pod_sc}\n  containers:\n    - name: c\n      securityContext: {c_sc}\n"
        )
    };
    // The pod says non-root; the container says otherwise.
    assert!(!has(&pod("{runAsNonRoot: true}", "{}"), "BH-K8-003"));
    assert!(has(
        &pod("{runAsNonRoot: true}", "{runAsNonRoot: false}"),
        "BH-K8-003"
    ));
    assert!(has(
        &pod("{runAsNonRoot: true}", "{runAsUser: 0}"),
        "BH-K8-003"
    ));
    assert!(has(
        &pod("{runAsNonRoot: true, runAsUser: 0}", "{}"),
        "BH-K8-003"
    ));
    assert!(!has(
        &pod("{runAsNonRoot: true, runAsUser: 0}", "{runAsUser: 1000}"),
        "BH-K8-003"
    ));
    // A non-zero user without runAsNonRoot is still reported (nothing
    // enforces it), with the reason.
    let f = lint_kubernetes(&pod("{runAsUser: 1000}", "{}"), path());
    let m = &f.iter().find(|f| f.rule.id == "BH-K8-003").unwrap().message;
    assert!(m.contains("runAsUser 1000"), "{m}");
    // Seccomp: the container's profile wins over the pod's.
    let rd = "{seccompProfile: {type: RuntimeDefault}}";
    let un = "{seccompProfile: {type: Unconfined}}";
    let lh = "{seccompProfile: {type: Localhost, localhostProfile: p.json}}";
    assert!(!has(&pod(rd, "{}"), "BH-K8-007"));
    assert!(has(&pod(rd, un), "BH-K8-007"));
    assert!(!has(&pod(un, lh), "BH-K8-007"));
    assert!(has(&pod("{}", "{}"), "BH-K8-007"));
}

#[test]
fn every_workload_kind_and_lists() {
    let c = "{containers: [{name: c}]}";
    let docs = [
        ("v1", "Pod", format!("spec: {c}")),
        (
            "v1",
            "ReplicationController",
            format!("spec: {{template: {{spec: {c}}}}}"),
        ),
        ("v1", "PodTemplate", format!("template: {{spec: {c}}}")),
        (
            "apps/v1",
            "Deployment",
            format!("spec: {{template: {{spec: {c}}}}}"),
        ),
        (
            "apps/v1",
            "StatefulSet",
            format!("spec: {{template: {{spec: {c}}}}}"),
        ),
        (
            "apps/v1",
            "DaemonSet",
            format!("spec: {{template: {{spec: {c}}}}}"),
        ),
        (
            "apps/v1",
            "ReplicaSet",
            format!("spec: {{template: {{spec: {c}}}}}"),
        ),
        (
            "extensions/v1beta1",
            "Deployment",
            format!("spec: {{template: {{spec: {c}}}}}"),
        ),
        (
            "batch/v1",
            "Job",
            format!("spec: {{template: {{spec: {c}}}}}"),
        ),
        (
            "batch/v1",
            "CronJob",
            format!("spec: {{jobTemplate: {{spec: {{template: {{spec: {c}}}}}}}}}"),
        ),
    ];
    let text: Vec<String> = docs
        .iter()
        .map(|(a, k, rest)| format!("apiVersion: {a}\nkind: {k}\nmetadata: {{name: x}}\n{rest}\n"))
        .collect();
    let m = load_str(&text.join("---\n"), path()).unwrap();
    assert_eq!(m.problems, vec![]);
    assert_eq!(m.objects.len(), docs.len());
    assert!(
        m.objects
            .iter()
            .all(|o| o.pod.as_ref().is_some_and(|p| p.containers.len() == 1))
    );
    // Not workloads: a Service, a custom resource named like a workload.
    let other = "apiVersion: v1\nkind: Service\nspec: {ports: [{port: 80}]}\n---\napiVersion: example.org/v1\nkind: Deployment\nspec: {template: {spec: {containers: [{name: c}]}}}\n";
    let m = load_str(other, path()).unwrap();
    assert!(m.objects.iter().all(|o| o.pod.is_none()));
    assert_eq!(ids(other), vec![]);
    // `kubectl get -o yaml` output: a List of objects.
    let list = "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Pod\n    metadata: {name: a}\n    spec: {containers: [{name: c}]}\n";
    let m = load_str(list, path()).unwrap();
    assert_eq!(m.objects.len(), 1);
    assert_eq!(m.objects[0].name, "a");
}

#[test]
fn suppressions_apply_on_the_finding_line() {
    let text = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    # bulkhead:ignore BH-K8-010,BH-K8-011 limits come from the LimitRange\n    - name: app\n      securityContext:\n        privileged: true # bulkhead:ignore BH-K8-001 node agent\n";
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("pod.yaml");
    std::fs::write(&p, text).unwrap();
    let r = crate::lint_file(
        &p,
        crate::FileKind::Kubernetes,
        &crate::LintOptions::default(),
    )
    .unwrap();
    let got: Vec<&str> = r.findings.iter().map(|f| f.rule.id).collect();
    assert!(!got.contains(&"BH-K8-001"), "{got:?}");
    assert!(
        !got.contains(&"BH-K8-010") && !got.contains(&"BH-K8-011"),
        "{got:?}"
    );
    assert!(got.contains(&"BH-K8-004"), "{got:?}");
    assert_eq!(r.suppressed, 3);
}

#[test]
fn recognised_by_content() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        crate::detect_file(&p)
    };
    let pod = "# a pod\napiVersion: v1\nkind: Pod\n";
    assert_eq!(write("server.yaml", pod), Some(crate::FileKind::Kubernetes));
    assert_eq!(write("server.YML", pod), Some(crate::FileKind::Kubernetes));
    // Compose names win; other YAML, templates and other extensions are not manifests.
    assert_eq!(write("compose.yaml", pod), Some(crate::FileKind::Compose));
    assert_eq!(write("ci.yml", "on: push\njobs: {}\n"), None);
    assert_eq!(write("values.yaml", "kind: x\n"), None);
    // A template is recognised; reading it says what it is.
    let template = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\n";
    assert_eq!(
        write("deploy.yaml", template),
        Some(crate::FileKind::Kubernetes)
    );
    let e = lint_kubernetes_checked(template, path()).unwrap_err();
    assert!(e.message.contains("helm template"), "{e}");
    // A folder walk leaves a Helm chart's templates out, and only them.
    let chart = dir.path().join("chart");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(chart.join("Chart.yaml"), "apiVersion: v2\nname: web\n").unwrap();
    std::fs::write(chart.join("templates/deploy.yaml"), template).unwrap();
    std::fs::create_dir_all(dir.path().join("plain/templates")).unwrap();
    std::fs::write(dir.path().join("plain/templates/pod.yaml"), pod).unwrap();
    let found =
        crate::lint_paths(&[dir.path().to_path_buf()], &crate::LintOptions::default()).unwrap();
    let names: Vec<String> = found
        .iter()
        .map(|r| {
            r.path
                .strip_prefix(dir.path())
                .unwrap()
                .display()
                .to_string()
        })
        .collect();
    assert!(
        names.contains(&"plain/templates/pod.yaml".to_string()),
        "{names:?}"
    );
    assert!(!names.iter().any(|n| n.starts_with("chart/")), "{names:?}");
    assert_eq!(write("pod.json", "apiVersion: v1\nkind: Pod\n"), None);
    assert!(looks_like_manifest("---\napiVersion: v1\nkind: List\n"));
    // A FIFO with a manifest's name is not opened (that would block).
    let fifo = dir.path().join("fifo.yaml");
    match std::process::Command::new("mkfifo").arg(&fifo).status() {
        Ok(s) if s.success() => assert_eq!(crate::detect_file(&fifo), None),
        other => bulkhead_testkit::require::skip_or_fail(&format!(
            "a FIFO for its FIFO case: mkfifo (coreutils) failed with {other:?}"
        )),
    }
    assert!(!looks_like_manifest(
        "spec:\n  apiVersion: v1\n  kind: Pod\n"
    ));
}

/// Hostile manifests: every one is an error or findings, never a panic,
/// and each stays within the loader's budgets.
#[test]
fn hostile_manifests() {
    // An alias bomb over several documents.
    let mut bomb = String::from(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\na: &a [x, x, x, x, x, x, x, x, x, x]\n",
    );
    let mut prev = 'a';
    for c in 'b'..='k' {
        bomb.push_str(&format!("{c}: &{c} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        prev = c;
    }
    let e = lint_kubernetes_checked(&bomb, path()).unwrap_err();
    assert!(e.message.contains("alias bomb"), "{e}");
    assert_eq!(ids(&bomb), vec![("BH-K8-012", e.line)]);
    // Deep nesting, flow and block.
    let deep = format!(
        "apiVersion: v1\nkind: Pod\nspec: {}{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    // The YAML parser's own recursion limit stops this one; ours (64
    // levels) stops a shallower one.
    let e = lint_kubernetes_checked(&deep, path()).unwrap_err();
    assert!(e.message.contains("recursion limit"), "{e}");
    let deep = format!(
        "apiVersion: v1\nkind: Pod\nspec: {}{}\n",
        "[".repeat(100),
        "]".repeat(100)
    );
    let e = lint_kubernetes_checked(&deep, path()).unwrap_err();
    assert!(e.message.contains("deeper than 64"), "{e}");
    let mut block = String::from("apiVersion: v1\nkind: Pod\nspec:\n");
    for i in 0..200 {
        block.push_str(&format!("{}k{i}:\n", "  ".repeat(i + 1)));
    }
    assert!(lint_kubernetes_checked(&block, path()).is_err());
    // Too many nodes.
    let wide = format!(
        "apiVersion: v1\nkind: List\nitems: [{}]\n",
        vec!["{}"; 300_000].join(",")
    );
    assert!(
        lint_kubernetes_checked(&wide, path())
            .unwrap_err()
            .message
            .contains("more than")
    );
    // Malformed YAML and binary junk.
    for junk in [
        "apiVersion: v1\nkind: Pod\nspec: {containers: [\n",
        "\u{0}\u{1}\u{ff}apiVersion:\n\t- :\n",
        "kind: [\n---\n]\n",
        "? [a, b]\n: c\n",
        "apiVersion: v1\nkind: Pod\nspec:\n  containers: *nope\n",
    ] {
        let f = lint_kubernetes(junk, path());
        assert!(
            f.iter().all(|f| f.rule.id == "BH-K8-012"),
            "{junk:?}: {f:?}"
        );
    }
    // Lists inside lists stop at a depth.
    let mut nested = String::from("apiVersion: v1\nkind: Pod\nspec: {containers: [{name: c}]}\n");
    for _ in 0..10 {
        nested = format!(
            "apiVersion: v1\nkind: List\nitems:\n{}",
            indent_item(&nested)
        );
    }
    let m = load_str(&nested, path()).unwrap();
    assert!(m.objects.is_empty());
    assert!(
        m.problems.iter().any(|(_, p)| p.contains("nested deeper")),
        "{:?}",
        m.problems
    );
    // Many objects: capped, with one message.
    let pods = "apiVersion: v1\nkind: Pod\nspec: {containers: []}\n---\n".repeat(MAX_OBJECTS + 5);
    let m = load_str(&pods, path()).unwrap();
    assert_eq!(m.objects.len(), MAX_OBJECTS);
    assert!(m.truncated);
    assert_eq!(m.problems.len(), 1, "{:?}", m.problems.first());
}

fn indent_item(doc: &str) -> String {
    let mut out = String::new();
    for (i, l) in doc.lines().enumerate() {
        out.push_str(if i == 0 { "  - " } else { "    " });
        out.push_str(l);
        out.push('\n');
    }
    out
}

#[test]
fn wrong_types_are_findings_and_read_as_unset() {
    let text = "\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  hostNetwork: \"true\"
  securityContext: [runAsNonRoot]
  containers:
    - name: app
      securityContext:
        privileged: 'yes'
        runAsUser: root
        readOnlyRootFilesystem: true
        capabilities: {drop: ALL, add: [{x: 1}]}
      resources: {limits: [memory]}
    - just a string
---
- a list document
---
kind: Pod
";
    let m = load_str(text, path()).unwrap();
    let lines: Vec<usize> = m.problems.iter().map(|(l, _)| *l).collect();
    assert_eq!(
        lines,
        vec![5, 6, 10, 11, 13, 13, 14, 15, 17, 19],
        "{:?}",
        m.problems
    );
    assert!(
        m.problems[2]
            .1
            .contains("privileged is a quoted string, not a boolean"),
        "{:?}",
        m.problems[2]
    );
    let f = ids(text);
    // The quoted booleans are unset: not privileged, host network not shared.
    assert!(
        !f.iter()
            .any(|(i, _)| *i == "BH-K8-001" || *i == "BH-K8-008"),
        "{f:?}"
    );
    assert!(f.contains(&("BH-K8-005", 13)), "{f:?}");
    assert_eq!(f.iter().filter(|(i, _)| *i == "BH-K8-012").count(), 10);
}
