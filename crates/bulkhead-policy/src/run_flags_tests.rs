#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use super::*;
use crate::controls;

fn spec(line: &str) -> ContainerSpec {
    parse(line).unwrap().spec
}

#[test]
fn leading_docker_run_and_image_end_flags() {
    for line in [
        "docker run --read-only nginx:1.27 nginx -g 'daemon off;'",
        "docker container run --read-only nginx:1.27 nginx -g 'daemon off;'",
        "run --read-only nginx:1.27 nginx -g 'daemon off;'",
        "--read-only nginx:1.27 nginx -g 'daemon off;'",
        "/usr/bin/docker run --read-only -- nginx:1.27 nginx -g 'daemon off;'",
    ] {
        let r = parse(line).unwrap();
        assert!(r.spec.read_only, "{line}");
        assert_eq!(r.spec.image.as_deref(), Some("nginx:1.27"), "{line}");
        assert_eq!(r.command, ["nginx", "-g", "daemon off;"], "{line}");
    }
    // Flags after the image belong to the command.
    let r = parse("docker run alpine --privileged").unwrap();
    assert!(!r.spec.privileged);
    assert_eq!(r.command, ["--privileged"]);
    assert!(parse("docker exec -it x sh").is_err());
    assert!(parse("docker").is_err());
}

#[test]
fn hostile_input_is_an_error_not_a_panic() {
    for bad in [
        "docker run 'unbalanced",
        "docker run \"unbalanced",
        "docker run trailing\\",
        "docker run --no-such-flag x",
        "docker run -Z x",
        "docker run --privileged=maybe x",
        "docker run --memory",
        "docker run -u",
        "docker run --pids-limit lots x",
        "docker run --memory -5m x",
        "docker run --cpus NaN x",
        "docker run --cpus 1e300 x",
        "docker run -p [::1:80 x",
        "docker run -p 1:2:3:4 x",
        "docker run -v a:b:c:d x",
        "docker run -v : x",
        "docker run --mount type=bind,source=/a x",
        "docker run --restart on-failure:many x",
    ] {
        let e = parse(bad).unwrap_err();
        assert!(
            e.to_string().starts_with("docker run flags: "),
            "{bad}: {e}"
        );
    }
    assert!(parse(&"x".repeat(MAX_COMMAND_LINE + 1)).is_err());
    // Odd but valid: nothing at all, only flags, unicode.
    assert_eq!(spec(""), spec("docker run"));
    assert!(spec("docker run -e ÄÖ=é ïmage").image.is_some());
}

#[test]
fn booleans() {
    assert!(spec("docker run --privileged x").privileged);
    assert!(!spec("docker run --privileged=false x").privileged);
    assert!(spec("docker run --privileged=true x").privileged);
    // A boolean flag never takes the next word: `false` is the image here.
    let r = parse("docker run --privileged false").unwrap();
    assert!(r.spec.privileged);
    assert_eq!(r.spec.image.as_deref(), Some("false"));
    assert!(spec("docker run --read-only x").read_only);
    assert!(!spec("docker run --read-only=0 x").read_only);
    assert!(spec("docker run -P x").publish_all);
    assert!(!spec("docker run -P=false x").publish_all);
    let s = spec("docker run -dit --rm x");
    assert_eq!(s.image.as_deref(), Some("x"));
}

#[test]
fn users() {
    assert_eq!(spec("docker run -u 0 x").user.as_deref(), Some("0"));
    assert_eq!(spec("docker run -u0 x").user.as_deref(), Some("0"));
    assert_eq!(spec("docker run -u=0 x").user.as_deref(), Some("0"));
    assert_eq!(
        spec("docker run --user root:root x").user.as_deref(),
        Some("root:root")
    );
    assert_eq!(
        spec("docker run --user=1000:1000 x").user.as_deref(),
        Some("1000:1000")
    );
    let s = spec("docker run -itu 0 x");
    assert_eq!(s.user.as_deref(), Some("0"));
    assert!(controls::user::check(&spec("docker run --user root:root x")).is_some());
    assert!(controls::user::check(&spec("docker run -u 10001 x")).is_none());
}

#[test]
fn capabilities_and_security_options() {
    let s = spec(
        "docker run --cap-add=ALL --cap-add cap_sys_admin --cap-drop all \
         --security-opt seccomp=unconfined --security-opt=no-new-privileges:true \
         --security-opt apparmor=unconfined x",
    );
    assert_eq!(s.cap_add, ["ALL", "SYS_ADMIN"]);
    assert_eq!(s.cap_drop, ["ALL"]);
    assert_eq!(s.seccomp(), Some("unconfined"));
    assert!(s.no_new_privileges());
    assert!(controls::seccomp::check(&s).is_some());
    assert!(controls::mac::check(&s).is_some());
    assert_eq!(
        controls::cap_add::check(&s).unwrap().values(),
        "ALL, SYS_ADMIN"
    );
}

#[test]
fn limits() {
    let s = spec("docker run --pids-limit -1 -m 512m --cpus 1.5 x");
    assert_eq!(s.pids_limit, Some(-1));
    assert_eq!(s.pids_limited(), None);
    assert!(controls::pids_limit::check(&s).is_some());
    assert_eq!(s.memory, Some(512 << 20));
    assert_eq!(s.cpu.nano_cpus, Some(1_500_000_000));
    let s = spec("docker run --pids-limit=100 --memory=1g --cpu-shares 512 x");
    assert!(controls::pids_limit::check(&s).is_none());
    assert!(controls::memory_limit::check(&s).is_none());
    assert!(controls::cpu_limit::check(&s).is_none());
    assert!(controls::pids_limit::check(&spec("docker run --pids-limit 0 x")).is_some());
}

#[test]
fn volumes_mounts_tmpfs() {
    let s = spec(
        "docker run -v /var/run/docker.sock:/var/run/docker.sock -v /etc:/etc:ro \
         -v data:/data -v /anon -v /mnt:/mnt:ro,rshared -v=./app:/app:z \
         --mount type=bind,src=/,dst=/host,readonly \
         --mount type=tmpfs,target=/cache,tmpfs-size=1m \
         --tmpfs /tmp:rw,noexec,nosuid,size=64m --tmpfs /run x",
    );
    let m: Vec<(MountKind, &str, &str, bool)> = s
        .mounts
        .iter()
        .map(|m| (m.kind, m.source.as_str(), m.target.as_str(), m.read_only))
        .collect();
    assert_eq!(
        m,
        [
            (
                MountKind::Bind,
                "/var/run/docker.sock",
                "/var/run/docker.sock",
                false
            ),
            (MountKind::Bind, "/etc", "/etc", true),
            (MountKind::Volume, "data", "/data", false),
            (MountKind::Volume, "", "/anon", false),
            (MountKind::Bind, "/mnt", "/mnt", true),
            (MountKind::Bind, "./app", "/app", false),
            (MountKind::Bind, "/", "/host", true),
        ]
    );
    assert_eq!(s.mounts[4].propagation.as_deref(), Some("rshared"));
    assert_eq!(
        s.tmpfs
            .iter()
            .map(|t| t.target.as_str())
            .collect::<Vec<_>>(),
        ["/cache", "/tmp", "/run"]
    );
    assert!(controls::docker_socket::check(&s).is_some());
    assert_eq!(controls::sensitive_mount::check(&s).unwrap().hits.len(), 2);
    assert!(controls::propagation::check(&s).is_some());
    assert_eq!(
        controls::tmpfs_options::check(&s).unwrap().values(),
        "/cache, /run"
    );
}

#[test]
fn namespaces_ports_devices_health() {
    let s = spec(
        "docker run --network host --pid=host --ipc host --uts=host --userns host \
         -p 8080:80 -p 127.0.0.1:53:53/udp -p [::1]:443:443 -p 9000 \
         --device /dev/fuse --device=/dev/sda:/dev/xvda:r --health-cmd 'curl -f localhost' \
         --restart on-failure:3 x",
    );
    assert_eq!(
        s.host_namespaces(),
        ["network", "pid", "ipc", "uts", "userns"]
    );
    assert!(controls::host_network::check(&s).is_some());
    assert!(controls::host_pid::check(&s).is_some());
    let p: Vec<(&str, &str, &str, &str)> = s
        .ports
        .iter()
        .map(|p| {
            (
                p.host_ip.as_str(),
                p.published.as_str(),
                p.target.as_str(),
                p.protocol.as_str(),
            )
        })
        .collect();
    assert_eq!(
        p,
        [
            ("", "8080", "80", "tcp"),
            ("127.0.0.1", "53", "53", "udp"),
            ("::1", "443", "443", "tcp"),
            ("", "", "9000", "tcp"),
        ]
    );
    assert_eq!(
        controls::port_all_interfaces::check(&s).unwrap().hits.len(),
        2
    );
    assert_eq!(s.devices, ["/dev/fuse", "/dev/sda"]);
    assert!(controls::healthcheck::check(&s).is_none());
    assert_eq!(s.restart.as_ref().unwrap().max_retries, 3);
    let s = spec("docker run --net=host --no-healthcheck x");
    assert!(controls::host_network::check(&s).is_some());
    assert_eq!(
        controls::healthcheck::check(&s).unwrap().values(),
        controls::healthcheck::DISABLED
    );
}
