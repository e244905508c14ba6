//! `docker-compose config` as the oracle for interpolation, `extends`, YAML
//! merge keys and profiles: run it on the corpus files in
//! tests/compose-oracle and compare the resolved service fields the
//! rules use with our [`bulkhead_lint::compose::Service`] model.
//!
//! Needs Debian's `docker-compose` package (Compose 1.29); without it the
//! test prints a loud SKIP (and fails when CI=true).
//!
//! Compose 1.29's `config` prints every service whatever `--profile` says,
//! so for profiles the oracle gives each service's resolved `profiles` list
//! and the test applies the Compose-spec activation rule (a service without
//! profiles is always on; one with profiles is on when any is active) to
//! check our `--profile` filter.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bulkhead_lint::compose::{self, LoadOptions, MountKind, Service};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};
use std::process::Command;
use yaml_rust2::{Yaml, YamlLoader};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/compose-oracle")
}

fn have_compose() -> bool {
    bulkhead_testkit::require::runs(
        "docker-compose",
        &["version"],
        "docker-compose: apt-get install docker-compose (scripts/test.sh does)",
    )
}

/// Run `docker-compose -f FILE config` with exactly `env`.
fn oracle(file: &str, env: &BTreeMap<String, String>) -> Yaml {
    oracle_files(&[file], env)
}

/// Run `docker-compose -f A -f B … config` with exactly `env`.
fn oracle_files(files: &[&str], env: &BTreeMap<String, String>) -> Yaml {
    let mut args: Vec<&str> = Vec::new();
    for f in files {
        args.extend(["-f", f]);
    }
    args.push("config");
    let out = Command::new("docker-compose")
        .current_dir(dir())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env)
        .args(&args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "docker-compose config {files:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    YamlLoader::load_from_str(&text)
        .unwrap()
        .into_iter()
        .next()
        .unwrap()
}

/// The fields compared, normalised the same way on both sides.
#[derive(Debug, PartialEq, Default)]
struct View {
    image: Option<String>,
    user: Option<String>,
    read_only: bool,
    privileged: bool,
    cap_add: BTreeSet<String>,
    cap_drop: BTreeSet<String>,
    security_opt: BTreeSet<String>,
    network_mode: Option<String>,
    pid: Option<String>,
    ipc: Option<String>,
    environment: BTreeMap<String, Option<String>>,
    /// (source, target, read_only, kind): sources absolute for binds.
    volumes: BTreeSet<(String, String, bool, String)>,
    tmpfs: BTreeSet<String>,
    devices: BTreeSet<String>,
    profiles: BTreeSet<String>,
}

fn cap(c: &str) -> String {
    let u = c.trim().to_ascii_uppercase();
    u.strip_prefix("CAP_").map(str::to_string).unwrap_or(u)
}

/// Lexically absolute path (Compose uses os.path.abspath: no symlinks).
fn absolute(base: &Path, p: &str) -> String {
    let mut out = PathBuf::new();
    for c in base.join(p).components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            c => out.push(c),
        }
    }
    out.display().to_string()
}

/// `docker-compose config` re-escapes `$` as `$$` so its output can be
/// loaded again; the value a container gets has single `$`.
fn unescape(s: &str) -> String {
    s.replace("$$", "$")
}

fn scalar(y: &Yaml) -> Option<String> {
    match y {
        Yaml::String(s) => Some(unescape(s)),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Real(r) => Some(r.clone()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

fn strings(y: &Yaml) -> Vec<String> {
    match y {
        Yaml::Array(a) => a.iter().filter_map(scalar).collect(),
        Yaml::BadValue => Vec::new(),
        other => scalar(other).into_iter().collect(),
    }
}

fn view_of_oracle(s: &Yaml) -> View {
    let g = |k: &str| &s[k];
    let mut v = View {
        image: scalar(g("image")),
        user: scalar(g("user")),
        read_only: g("read_only").as_bool().unwrap_or(false),
        privileged: g("privileged").as_bool().unwrap_or(false),
        cap_add: strings(g("cap_add")).iter().map(|c| cap(c)).collect(),
        cap_drop: strings(g("cap_drop")).iter().map(|c| cap(c)).collect(),
        security_opt: strings(g("security_opt")).into_iter().collect(),
        network_mode: scalar(g("network_mode")),
        pid: scalar(g("pid")),
        ipc: scalar(g("ipc")),
        tmpfs: strings(g("tmpfs")).into_iter().collect(),
        devices: strings(g("devices")).into_iter().collect(),
        profiles: strings(g("profiles")).into_iter().collect(),
        ..View::default()
    };
    if let Yaml::Hash(h) = g("environment") {
        for (k, val) in h {
            v.environment
                .insert(scalar(k).unwrap(), scalar(val).filter(|_| !val.is_null()));
        }
    }
    if let Yaml::Array(a) = g("volumes") {
        for m in a {
            let entry = match m {
                Yaml::String(t) => {
                    let parts: Vec<&str> = t.split(':').collect();
                    let (src, dst, mode) = match parts.as_slice() {
                        [d] => ("", *d, "rw"),
                        [s, d] => (*s, *d, "rw"),
                        [s, d, m, ..] => (*s, *d, *m),
                        [] => ("", "", ""),
                    };
                    let kind = if src.starts_with('/') {
                        "bind"
                    } else {
                        "volume"
                    };
                    (
                        src.to_string(),
                        dst.to_string(),
                        mode.split(',').any(|x| x == "ro"),
                        kind.to_string(),
                    )
                }
                other => (
                    scalar(&other["source"]).unwrap_or_default(),
                    scalar(&other["target"]).unwrap_or_default(),
                    other["read_only"].as_bool().unwrap_or(false),
                    scalar(&other["type"]).unwrap_or_default(),
                ),
            };
            v.volumes.insert(entry);
        }
    }
    v
}

fn view_of_ours(s: &Service, base: &Path) -> View {
    View {
        image: s.image.clone(),
        user: s.user.clone(),
        read_only: s.read_only,
        privileged: s.privileged,
        cap_add: s.cap_add.iter().cloned().collect(),
        cap_drop: s.cap_drop.iter().cloned().collect(),
        security_opt: s
            .security_opt
            .iter()
            .map(|o| {
                // Our model splits `key:value` / `key=value`; compare with
                // the original separator the oracle keeps.
                o.key.clone()
            })
            .collect(),
        network_mode: s.network_mode.clone(),
        pid: s.pid.clone(),
        ipc: s.ipc.clone(),
        environment: s
            .env
            .iter()
            .map(|e| (e.name.clone(), e.value.clone()))
            .collect(),
        volumes: s
            .mounts
            .iter()
            .map(|m| {
                let kind = match m.kind {
                    MountKind::Bind => "bind",
                    MountKind::Volume => "volume",
                    MountKind::Tmpfs => "tmpfs",
                    MountKind::Other => "other",
                };
                let src = if m.kind == MountKind::Bind && !m.source.starts_with('/') {
                    absolute(base, &m.source)
                } else {
                    m.source.clone()
                };
                (src, m.target.clone(), m.read_only, kind.to_string())
            })
            .collect(),
        tmpfs: s
            .tmpfs
            .iter()
            .map(|t| {
                if t.options.is_empty() {
                    t.target.clone()
                } else {
                    format!("{}:{}", t.target, t.options.join(","))
                }
            })
            .collect(),
        devices: s.devices.iter().cloned().collect(),
        profiles: s.profiles.iter().cloned().collect(),
    }
}

/// security_opt keys of the oracle view, to compare with our parsed keys.
fn opt_keys(v: &mut View) {
    v.security_opt = v
        .security_opt
        .iter()
        .map(|o| {
            o.split_once([':', '='])
                .map(|(k, _)| k)
                .unwrap_or(o)
                .trim()
                .to_ascii_lowercase()
        })
        .collect();
}

/// The fields that differ, one line each.
fn field_diff(w: &View, o: &View) -> String {
    let mut out = String::new();
    macro_rules! f {
        ($($name:ident),*) => {$(
            if w.$name != o.$name {
                out.push_str(&format!(
                    "  {}: oracle {:?}\n  {}  ours   {:?}\n",
                    stringify!($name), w.$name, " ".repeat(stringify!($name).len()), o.$name
                ));
            }
        )*};
    }
    f!(
        image,
        user,
        read_only,
        privileged,
        cap_add,
        cap_drop,
        security_opt,
        network_mode,
        pid,
        ipc,
        environment,
        volumes,
        tmpfs,
        devices,
        profiles
    );
    out
}

/// Variables for a case; QUEUE_NAME is always set (the oracle file
/// requires it with `${QUEUE_NAME:?…}`).
fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    let mut m: BTreeMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    m.entry("QUEUE_NAME".into())
        .or_insert_with(|| "jobs".into());
    m
}

fn compare(file: &str, vars: &BTreeMap<String, String>) -> usize {
    compare_files(&[file], vars)
}

/// `docker-compose -f A -f B … config` against our `load_files`.
fn compare_files(files: &[&str], vars: &BTreeMap<String, String>) -> usize {
    let file = files.join(" + ");
    let want = oracle_files(files, vars);
    let paths: Vec<PathBuf> = files.iter().map(|f| dir().join(f)).collect();
    let ours = compose::load_files(
        &paths,
        &LoadOptions {
            env: Some(vars.clone()),
            profiles: None,
        },
    )
    .unwrap();
    let Yaml::Hash(services) = &want["services"] else {
        panic!("no services in the oracle output for {file}");
    };
    let mut diffs = Vec::new();
    let names: BTreeSet<String> = services.keys().filter_map(scalar).collect();
    assert_eq!(
        names,
        compose::service_names(&ours),
        "{file}: service names"
    );
    for (name, s) in services {
        let name = scalar(name).unwrap();
        let mut w = view_of_oracle(s);
        opt_keys(&mut w);
        let svc = ours.services.iter().find(|x| x.name == name).unwrap();
        let mut o = view_of_ours(svc, &dir());
        // A pass-through variable (`- NAME`) keeps `value: None` in our
        // model on purpose: its value is not written in the file, so the
        // secrets rule must not judge it. Compose fills it from the
        // environment at run time, which is what the oracle prints.
        for (k, v) in o.environment.iter_mut() {
            if v.is_none() {
                *v = vars.get(k).cloned();
            }
        }
        if w != o {
            diffs.push(format!(
                "{file} service {name} with {vars:?}:\n{}",
                field_diff(&w, &o)
            ));
        }
        // Values (not only keys) of security_opt, through our helpers.
        for opt in strings(&s["security_opt"]) {
            let (k, v) = opt.split_once([':', '=']).unwrap_or((&opt, ""));
            assert!(
                svc.has_security_opt(&k.to_ascii_lowercase(), Some(v)),
                "{file} {name}: security_opt {opt}"
            );
        }
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
    services.len()
}

#[test]
fn resolved_services_match_docker_compose_config() {
    if !have_compose() {
        return;
    }
    let cases = [
        env(&[]),
        env(&[("TAG", "1.2.3"), ("PASSTHROUGH", "hello")]),
        env(&[
            ("TAG", ""),
            ("APP_UID", ""),
            ("DB_PASSWORD", "s3cr$t"),
            ("NET_MODE", "host"),
            ("IPC_MODE", "host"),
            ("BASE_TAG", "9"),
            ("APP_GID", "0"),
            ("EXTRA_VALUE", "x y"),
            ("WORKER_PASSWORD", "w"),
        ]),
    ];
    let mut checked = 0;
    for vars in &cases {
        checked += compare("compose.oracle.yml", vars);
        checked += compare("compose.base.yml", vars);
        // `-f a -f b`: a hardening override merged onto the file.
        checked += compare_files(&["compose.oracle.yml", "compose.override.yml"], vars);
    }
    assert!(checked >= 36, "{checked}");
}

#[test]
fn profiles_follow_the_compose_rule() {
    if !have_compose() {
        return;
    }
    let want = oracle("compose.oracle.yml", &env(&[]));
    let Yaml::Hash(services) = &want["services"] else {
        panic!("no services");
    };
    for active in [vec![], vec!["debug"], vec!["ops"], vec!["other"]] {
        let expected: BTreeSet<String> = services
            .iter()
            .filter(|(_, s)| {
                let p = strings(&s["profiles"]);
                p.is_empty() || p.iter().any(|x| active.contains(&x.as_str()))
            })
            .filter_map(|(n, _)| scalar(n))
            .collect();
        let ours = compose::load_file(
            &dir().join("compose.oracle.yml"),
            &LoadOptions {
                env: Some(env(&[])),
                profiles: Some(active.iter().map(|s| s.to_string()).collect()),
            },
        )
        .unwrap();
        assert_eq!(
            compose::service_names(&ours),
            expected,
            "profiles {active:?}"
        );
    }
}

#[test]
fn missing_required_variable_fails_like_compose() {
    if !have_compose() {
        return;
    }
    let file = "../corpus/compose/compose.required-var.yml";
    let out = Command::new("docker-compose")
        .current_dir(dir())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .args(["-f", file, "config"])
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "docker-compose accepts a missing ${{VAR?}}"
    );
    let err = compose::load_file(
        &dir().join(file),
        &LoadOptions {
            env: Some(BTreeMap::new()),
            profiles: None,
        },
    )
    .unwrap_err();
    assert!(err.message.contains("NGINX_TAG"), "{err}");
    // With the variable set both accept it and agree on the image.
    let vars = env(&[("NGINX_TAG", "1.27.0")]);
    let want = oracle(file, &vars);
    let ours = compose::load_file(
        &dir().join(file),
        &LoadOptions {
            env: Some(vars),
            profiles: None,
        },
    )
    .unwrap();
    assert_eq!(
        scalar(&want["services"]["web"]["image"]),
        ours.services[0].image
    );
}
