#!/usr/bin/python3
"""Generate the oracle test vectors for bulkhead-versions.

Run from anywhere with Debian's Python (it needs the Debian-packaged modules):

    /usr/bin/python3 crates/bulkhead-versions/scripts/gen_vectors.py [scheme ...]

Writes crates/bulkhead-versions/tests/vectors/<scheme>.tsv (`a<TAB>b<TAB>-1|0|1`, the
oracle's answer for compare(a, b)) and <scheme>.invalid (one string per line that the
oracle rejects). The output is deterministic (fixed random seed, sorted inputs).

Oracles (Debian bookworm packages):
  dpkg      `dpkg --compare-versions` (package dpkg)
  rpm       rpm.labelCompare from python3-rpm, EVR split like rpm's parseEVR
  pep440    packaging.version.Version from python3-packaging
  npm       node-semver (package node-semver), default strict parsing
  crates    node-semver strict, without a leading "v"/"=" (SemVer 2.0 precedence)
  go        golang.org/x/mod/semver (golang-golang-x-mod-dev, built with golang-go)
  maven     ComparableVersion from maven-artifact (package maven)
  rubygems  Gem::Version (packages ruby, ruby-rubygems)
  apk       NO oracle on Debian: `apk_rules_compare` below implements the documented
            apk-tools rules and its output was hand-checked against the orderings the
            reference lists (see APK_HAND_CHECKED).

Version strings come from the reference's edge cases, from every version string in the
OSV test mirror (../shared/osv next to the repository root: events and versions[] of the
matching ecosystem), and for schemes without OSV data from synthetic strings plus the
other ecosystems' strings. Each string is paired with its neighbours in sorted order and
with a random partner; edge cases are paired with each other.
"""

import concurrent.futures
import functools
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CRATE = HERE.parent
REPO = CRATE.parent.parent
OSV = REPO.parent / "shared" / "osv"
OUT = CRATE / "tests" / "vectors"
ORACLES = HERE / "oracles"
SEED = 20240521
MAVEN_JAR = "/usr/share/maven/lib/maven-artifact-3.x.jar"


def osv_versions(folder):
    """Every version string in <folder>/all.zip (range events and versions[])."""
    path = OSV / folder / "all.zip"
    if not path.exists():
        sys.exit(f"missing {path}: the OSV test mirror must sit next to the repository")
    found = set()
    with zipfile.ZipFile(path) as z:
        for name in sorted(z.namelist()):
            rec = json.loads(z.read(name))
            for aff in rec.get("affected", []) or []:
                for rng in aff.get("ranges", []) or []:
                    if rng.get("type") == "GIT":
                        continue
                    for ev in rng.get("events", []) or []:
                        for value in ev.values():
                            found.add(value)
                for value in aff.get("versions", []) or []:
                    found.add(value)
    return sorted(s for s in found if isinstance(s, str) and tsv_safe(s))


def tsv_safe(s):
    return s != "" and not any(c in s for c in "\t\n\r")


# ---------------------------------------------------------------- oracles


def batch_pipe(cmd, pairs, env=None):
    """Run a batch oracle: stdin "a\tb" lines, stdout one answer per line."""
    data = "".join(f"{a}\t{b}\n" for a, b in pairs)
    full_env = dict(os.environ)
    full_env.update(env or {})
    res = subprocess.run(cmd, input=data.encode(), capture_output=True, env=full_env, check=True)
    out = res.stdout.decode().split("\n")
    out = [o.strip() for o in out if o.strip() != ""]
    if len(out) != len(pairs):
        sys.exit(f"oracle {cmd[0]} answered {len(out)} lines for {len(pairs)} pairs")
    return [None if o == "ERR" else int(o) for o in out]


def dpkg_one(pair):
    a, b = pair
    r = subprocess.run(["dpkg", "--compare-versions", a, "lt", b], capture_output=True)
    if b"error" in r.stderr:
        return None
    if r.returncode == 0:
        return -1
    r = subprocess.run(["dpkg", "--compare-versions", a, "gt", b], capture_output=True)
    return 1 if r.returncode == 0 else 0


def oracle_dpkg(pairs):
    # dpkg has no batch mode; run the pairs on a small thread pool.
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
        return list(ex.map(dpkg_one, pairs, chunksize=64))


def rpm_split(evr):
    """Split like rpm's parseEVR: leading digits + ':' is the epoch, release after the last '-'."""
    i = 0
    while i < len(evr) and evr[i].isascii() and evr[i].isdigit():
        i += 1
    epoch = None
    rest = evr
    if i < len(evr) and evr[i] == ":":
        epoch = evr[:i] or "0"
        rest = evr[i + 1:]
    if "-" in rest:
        ver, rel = rest.rsplit("-", 1)
    else:
        ver, rel = rest, None
    return (epoch, ver, rel)


def oracle_rpm(pairs):
    import rpm

    return [rpm.labelCompare(rpm_split(a), rpm_split(b)) for a, b in pairs]


def oracle_pep440(pairs):
    from packaging.version import InvalidVersion, Version

    out = []
    for a, b in pairs:
        try:
            va, vb = Version(a), Version(b)
        except InvalidVersion:
            out.append(None)
            continue
        out.append((va > vb) - (va < vb))
    return out


def oracle_node(mode):
    def run(pairs):
        return batch_pipe(["node", str(ORACLES / "npm_compare.js"), mode], pairs,
                          env={"NODE_PATH": "/usr/share/nodejs"})
    return run


def oracle_go(pairs):
    with tempfile.TemporaryDirectory() as tmp:
        exe = Path(tmp) / "go_compare"
        subprocess.run(["go", "build", "-o", str(exe), str(ORACLES / "go_compare.go")], check=True,
                       env=dict(os.environ, GOPATH="/usr/share/gocode", GO111MODULE="off",
                                GOFLAGS="", GOCACHE=str(Path(tmp) / "cache")))
        return batch_pipe([str(exe)], pairs)


def oracle_maven(pairs):
    return batch_pipe(["java", "-cp", MAVEN_JAR, str(ORACLES / "MavenCompare.java")], pairs)


def oracle_rubygems(pairs):
    return batch_pipe(["ruby", str(ORACLES / "ruby_compare.rb")], pairs)


# ------------------------------------------------- apk: rules, no oracle

APK_PRE = ["alpha", "beta", "pre", "rc"]
APK_POST = ["cvs", "svn", "git", "hg", "p"]
# token kinds, in the order used to break ties between different kinds
K_INITIAL, K_DIGIT, K_LETTER, K_SUFFIX, K_SUFFIX_NO, K_HASH, K_REV, K_END = range(8)


def apk_tokens(s):
    """Tokenise `digits{.digits}[letter]{_suffix[digits]}[~hash][-rN]`; None if invalid."""
    m = re.fullmatch(r"([0-9]+)((?:\.[0-9]+)*)([a-z]?)((?:_[a-z]+[0-9]*)*)(~[0-9a-f]+)?(-r[0-9]+)?", s)
    if not m:
        return None
    toks = [(K_INITIAL, m.group(1))]
    for d in m.group(2).split(".")[1:]:
        toks.append((K_DIGIT, d))
    if m.group(3):
        toks.append((K_LETTER, m.group(3)))
    for suf in re.findall(r"_([a-z]+)([0-9]*)", m.group(4)):
        name, num = suf
        if name in APK_PRE:
            rank = APK_PRE.index(name) - len(APK_PRE)
        elif name in APK_POST:
            rank = APK_POST.index(name) + 1
        else:
            return None
        toks.append((K_SUFFIX, rank))
        if num:
            toks.append((K_SUFFIX_NO, num))
    if m.group(5):
        toks.append((K_HASH, m.group(5)[1:]))
    if m.group(6):
        toks.append((K_REV, m.group(6)[2:]))
    toks.append((K_END, None))
    return toks


def _num_cmp(x, y):
    x, y = int(x), int(y)
    return (x > y) - (x < y)


def apk_rules_compare(a, b):
    ta, tb = apk_tokens(a), apk_tokens(b)
    if ta is None or tb is None:
        return None
    for (ka, va), (kb, vb) in zip(ta, tb):
        if ka == kb:
            if ka == K_END:
                return 0
            if ka == K_DIGIT and (va.startswith("0") or vb.startswith("0")):
                c = (va > vb) - (va < vb)
            elif ka in (K_INITIAL, K_DIGIT, K_SUFFIX_NO, K_REV):
                c = _num_cmp(va, vb)
            else:
                c = (va > vb) - (va < vb)
            if c:
                return c
            continue
        # different kinds: a pre-release suffix makes its side older
        if ka == K_SUFFIX and va < 0:
            return -1
        if kb == K_SUFFIX and vb < 0:
            return 1
        # otherwise the side whose next token ranks higher is older
        return -1 if ka > kb else 1
    return 0


# Orderings listed in the reference (osv-and-versions.md, apk), each a chain a < b < c ...
APK_HAND_CHECKED = [
    ["1.0_alpha1", "1.0_beta", "1.0_pre1", "1.0_rc1", "1.0", "1.0_cvs", "1.0_svn",
     "1.0_git", "1.0_hg", "1.0_p1"],
    ["1.0", "1.0-r0", "1.0-r1", "1.0a", "1.0.1"],
    ["1.0_rc1-r5", "1.0-r0"],
    ["1.0_p1", "1.0.1"],
    ["1.2.3-r9", "1.2.3-r10"],
    ["1.01", "1.1"],
]


def oracle_apk(pairs):
    for chain in APK_HAND_CHECKED:
        for lo, hi in zip(chain, chain[1:]):
            assert apk_rules_compare(lo, hi) == -1, (lo, hi)
            assert apk_rules_compare(hi, lo) == 1, (hi, lo)
    return [apk_rules_compare(a, b) for a, b in pairs]


# ------------------------------------------------------------ edge cases

EDGE = {
    "dpkg": """1.0~~ 1.0~~a 1.0~ 1.0 1.0a 1.0+ 1.0.1 1.0~rc1 1.0-0.1 1.0-1 1.0-1ubuntu1
        1.0-1+deb12u1 1:0.9 1.2.3-1~bpo12+1 1.2.3-1 2.36-9+deb12u4 2.36-9+deb12u10 1.01 1.1
        1.0-0 0:1.0 00:1.0 1:1.0 2:0 10:0.1 0 0.0 00 1.0-a 1.0-a~ 1.0-~ 1.0-1~ 1.0-+ 1.0-.
        1.0.~ 1:1.0-1-1 1.0-1-2 a1 a ~ ~~ + . 1: :1 1.0- -1 1:-1 1.0:1 1:1:1 2:1:1
        2147483647:1 2147483648:1 -1:1 +1:1 -0:1 +0:1 a:1 1a:1 1.0_1 1.0%1 1.0é 1.0ä
        1.0\x7f 1.0# 99999999999999999999999 99999999999999999999998 1.00000000000000000001
        1.0ubuntu0.1 1.0ubuntu0.10 1.0ubuntu0.2 1.9.2-2+squeeze1 1.9.2-2 1.9.2~rc2-1
        0.9.8g-15+lenny8 0.9.8g-15+lenny11 1.0~rc1~git1 1.0+git20200101 1.0+dfsg-1
        1.0+dfsg1-1 1.0.0+dfsg 1.0AB 1.0ab 1.0Z 1.0z 1.0a~ 1.0A""",
    "rpm": """1.0~rc1 1.0 1.0^git1 1.0.1 1.el8 1.el8_5 1.a 1.1 1.0a 1_0 1.0_ 1.0.. 1.0^ 1.0~
        1.0~~ 1.0^^ 1.0^a 1.0~a 1.0a~ 1.0-1 1.0-1.el8 1.0-1.el8_6 1.0-1.el8.1 1.0-10.el8
        1.0-2.el8 0:1.0-1 1:1.0-1 1:0.9-9 01:1.0-1 :1.0-1 1.0-1.el8_6.alma 1.0-1.module_el8.6.0+2786+d7c38b21
        1.0-1.module+el8.6.0+13342+cc67d39b 1.0 1.00 1.000001 1.01 1.001 a 1 aa ab b A Z
        1.0- 1.0-- 1.0-1- 1.0.a 1.0.A 1.0.1a 1.0.1.a 2:1 20200406-26.el9_2 9:20200406-26.el9_2
        B.02.19.2-6.el8 0-0.10.20200515gitb52ac13.el8 99999999999999999999999 99999999999999999999998
        1.0é 1.0+1 1.0+ 1.0:1 abc:1.0 1.0-1:2 ~ ^ . 0 00 0.0 1.0~rc1-1 1.0^1-1""",
    "apk": """1.0_alpha1 1.0_beta 1.0_pre1 1.0_rc1 1.0 1.0_cvs 1.0_svn 1.0_git 1.0_hg 1.0_p1
        1.0-r0 1.0-r1 1.0a 1.0.1 1.0_rc1-r5 1.2.3-r9 1.2.3-r10 1.01 1.1 1.001 1.010 1.02 1.10
        01 1 001 0 00 1.0_alpha 1.0_alpha0 1.0_alpha2 1.0_beta2 1.0_rc 1.0_p 1.0_p0 1.0_p2
        1.0_p1-r1 1.0a-r1 1.0b 1.0z 1.0.0 1.0.00 1.0_alpha_beta 1.0_beta_alpha 1.0_p1_p2
        1.0_rc1_p1 1.0~abc 1.0~abc-r1 1.0~0123456789abcdef-r1 1.0_git20200101-r0
        1.0_git20200101~deadbeef-r0 2.0_rc1 20200101 20200101.1 1.0.0_rc1 1.0A 1.0-r 1.0_foo
        1.0_ v1.0 1.0.a 1.0.-r1 a 1.0-1 1.0ab 1.0_alpha1a 1.0~ 1.0~g 99999999999999999999999
        99999999999999999999998 1.99999999999999999999999 1.0_p99999999999999999999999
        1.0-r99999999999999999999999""",
    "pep440": """1.0 1.0.0 1 v1.0 V1.0 1.0a1 1.0alpha1 1.0b1 1.0beta1 1.0rc1 1.0c1 1.0pre1
        1.0preview1 1.0.dev1 1.0a1.dev1 1.0.post1 1.0.post1.dev1 1.0-1 1.0rev1 1.0r1
        1.0+local 1.0+abc.5 1.0+abc.10 1.0+5 1.0+5.abc 1.0+ABC 1.0+abc 1.0+abc.5.1 1!0.5
        0!1.0 2!0.1 1.0a 1.0b 1.0.post 1.0.dev 1.0-dev1 1.0_a1 1.0.a1 1.0-a1 1.0a.1 1.0.post.1
        1.0-post1 1.0_post1 1.0rc1.post1 1.0rc1.post1.dev1 1.0a1.post1 1.01 1.1 1.0.0.0.0
        01.00 1.0+local.7 1.0+local-7 1.0+local_7 1.0.POST1 1.0RC1 1.0 1.0+ 1.0+. +1.0
        1.0.0-final 1.0-beta 1.0- 1.0a1a 1.0.dev1a 1!1!1 a 1.0x 1..0 1.0. .1
        99999999999999999999999 99999999999999999999998 1.0a99999999999999999999
        1.0.dev0 1.0a0 1.0.post0 1.0-0 0.0 0""",
    "npm": """1.0.0-alpha 1.0.0-alpha.1 1.0.0-alpha.beta 1.0.0-beta 1.0.0-beta.2 1.0.0-beta.11
        1.0.0-rc.1 1.0.0 1.0.1 1.1.0 2.0.0 1.0.0+build 1.0.0+build.2 1.0.0-rc.1+build v1.0.0
        =1.0.0 v=1.0.0 1.0 1 01.0.0 1.00.0 1.0.0-01 1.0.0-0 1.0.0-0a 1.0.0-a0 1.0.0--
        1.0.0-- 1.0.0-A 1.0.0-a 1.0.0-Z 1.0.0-z 1.0.0-1a 1.0.0-10 1.0.0-9 1.0.0-x.7.z.92
        1.0.0-alpha..1 1.0.0- 1.0.0+ 1.0.0-+ 0.0.0 0.0.0-0 9007199254740991.0.0
        9007199254740992.0.0 1.0.0-9007199254740991 1.0.0-9007199254740992
        1.0.0-9007199254740993 1.0.0-99999999999999999999 1.0.0-99999999999999999998
        1.0.0-alpha.9007199254740991 1.0.0-alpha.9007199254740990 1.2.3.4 1.0.0_1
        1.0.0-rc.1.2 1.0.0-rc.1.10""",
    "crates": """1.0.0-alpha 1.0.0-alpha.1 1.0.0-alpha.beta 1.0.0-beta 1.0.0-beta.2
        1.0.0-beta.11 1.0.0-rc.1 1.0.0 1.0.1 1.1.0 2.0.0 1.0.0+build 1.0.0+build.2
        1.0.0-rc.1+build v1.0.0 1.0 01.0.0 1.0.0-01 1.0.0-0 1.0.0-0a 1.0.0-A 1.0.0-a
        1.0.0-1a 1.0.0-10 1.0.0-9 1.0.0-- 1.0.0- 0.0.0 0.0.0-0 0.0.1-0 0.1.0 1.0.0-alpha.0""",
    "go": """1.0.0-alpha 1.0.0-alpha.1 1.0.0-alpha.beta 1.0.0-beta 1.0.0-beta.2 1.0.0-beta.11
        1.0.0-rc.1 1.0.0 1.0.1 1.1.0 2.0.0 1.0.0+build 2.0.0+incompatible 2.0.1+incompatible
        1 1.2 1.2.0 0 0.0.0 0.0.0-20200101000000-abcdef123456
        0.0.0-20210101000000-abcdef123456 1.2.4-0.20200101000000-abcdef123456 1.2.3
        1.2.4 1.2.4-pre.0.20200101000000-abcdef123456 1.2.4-pre 1.2.4-pre.1
        2.0.0-20200101000000-abcdef123456 2.0.0-20200101000000-abcdef123456+incompatible
        01.0.0 1.0.0-01 1.0.0- 1.0.0+ 1.2-pre 1.0.0-0 99999999999999999999.0.0
        99999999999999999999.0.1 1.0.0-99999999999999999999 1.0.0-99999999999999999998""",
    "maven": """1 1.0 1.0.0 1-0 1.0-ga 1-final 1-release 1-alpha 1-beta 1-milestone 1-rc 1-cr
        1-snapshot 1-sp 1.1 1-foo2 1-foo10 1.0a1 1.0-alpha-1 1.0b1 1.0m1 1.0a 1.0-a
        1.0-alpha1 1-alpha-1 1-1 1.1-1 1-sp-1 1-abc 1-xyz 1-a1 1-b1 1-m1 1-rc1 1-ga-1
        1.0.0.0.0.1 1..1 1--1 1-.1 .1 -1 1. 1- 1.0.0-SNAPSHOT 1.0-SNAPSHOT 1.0-RC1 1.0-CR1
        1.0.RELEASE 1.0.Final 1.0.GA 1.0.SP1 1.0-sp-1 2.0.0.RELEASE 1.0-1-alpha
        1-0.alpha 1-0-alpha 1.0.0-alpha.1 1.0.0-alpha.beta 999999999 1000000000
        999999999999999999 1000000000000000000 0000000000000000000000 00000000000 000 5
        1.2147483648 1.9223372036854775808 1x 1x2 x1 abc 1.abc 1-abc.def 1.0.0.Beta1
        1.0.0.beta-1 1.0.0-beta.1 2.0-rc1-SNAPSHOT 1.0-20200101.120000-1""",
    "rubygems": """1.0.a 1.0.b1 1.0.pre.rc1 1.0-rc1 1.0 1.0.1 1 1.0.0 1.a 1.A 1.b 1.0.0.a 1.0.a.0
        1.0a 1.0a1 1.0.a1 1.0.a.1 1.0.a10 1.0.a.10 1.0-1 1.0.pre 1.0.pre1 1.0.rc1 1.0.RC1
        1.0.beta 1.0.beta.2 1.0.beta.10 0 0.0 00 01 1.01 1.1 2 10 99999999999999999999999
        99999999999999999999998 1.0-- 1.0-a-b 1.0-a.b 1.0. .1 a 1.0+1 1.0_1 1..0 1.0-
        1.0.0.0.0.1 1.a.a 1.a.b 1.0.pre.pre 1.1.a 3.2.pre1 3.2.0.pre1 3.2.0""",
}

# Synthetic strings for schemes without (or with little) OSV data.


def synth_npm(rng, n):
    ids = ["alpha", "beta", "rc", "0", "1", "2", "10", "a1", "x-y", "A", "Z", "-", "01"]
    out = set()
    while len(out) < n:
        core = ".".join(str(rng.choice([0, 0, 1, 1, 2, 3, 10, 11])) for _ in range(3))
        if rng.random() < 0.6:
            core += "-" + ".".join(rng.choice(ids) for _ in range(rng.randint(1, 3)))
        if rng.random() < 0.15:
            core += "+" + rng.choice(["build", "1", "sha.5114f85", "x-y"])
        out.add(core)
    return sorted(out)


def synth_maven(rng, n):
    toks = ["1", "0", "00", "2", "10", "010", "alpha", "a", "b", "m", "beta", "milestone", "rc",
            "cr", "snapshot", "SNAPSHOT", "ga", "final", "release", "sp", "foo", "x", "RC", "Final"]
    seps = [".", "-", "", ".", "-"]
    out = set()
    while len(out) < n:
        s = rng.choice(["1", "2", "0", "1.0", "10"])
        for _ in range(rng.randint(0, 4)):
            s += rng.choice(seps) + rng.choice(toks)
        out.add(s)
    return sorted(out)


def synth_rubygems(rng, n):
    toks = ["0", "1", "2", "10", "01", "a", "b", "pre", "rc", "beta", "alpha", "A", "rc1", "a1"]
    out = set()
    while len(out) < n:
        s = rng.choice(["0", "1", "2", "1.0", "10"])
        for _ in range(rng.randint(0, 4)):
            s += rng.choice([".", ".", "-"]) + rng.choice(toks)
        out.add(s)
    return sorted(out)


def synth_apk(rng, n):
    out = set()
    while len(out) < n:
        s = ".".join(rng.choice(["0", "1", "2", "10", "01", "002"]) for _ in range(rng.randint(1, 3)))
        if rng.random() < 0.2:
            s += rng.choice("abz")
        for _ in range(rng.choice([0, 0, 1, 1, 2])):
            s += "_" + rng.choice(APK_PRE + APK_POST) + rng.choice(["", "0", "1", "2", "10"])
        if rng.random() < 0.1:
            s += "~" + rng.choice(["abc", "0f", "deadbeef"])
        if rng.random() < 0.7:
            s += "-r" + rng.choice(["0", "1", "2", "10"])
        out.add(s)
    return sorted(out)


# ------------------------------------------------------------- pairing


def build_pairs(edge, corpus, rng, all_edge_pairs=True):
    pairs = []
    seen = set()

    def add(a, b):
        if a == b:
            return
        key = (a, b) if a < b else (b, a)
        if key in seen:
            return
        seen.add(key)
        pairs.append((a, b))

    if all_edge_pairs:
        for i, a in enumerate(edge):
            for b in edge[i + 1:]:
                add(a, b)
    everything = sorted(set(edge) | set(corpus))
    for i, a in enumerate(everything):
        for step in (1, 3):
            if i + step < len(everything):
                add(a, everything[i + step])
    for a in everything:
        add(a, rng.choice(everything))
    # every edge case also against a few corpus strings
    if corpus:
        for a in edge:
            for _ in range(3):
                add(a, rng.choice(corpus))
    return pairs


def run_scheme(name, oracle, edge, corpus, rng):
    edge = [s for s in dict.fromkeys(edge) if tsv_safe(s)]
    corpus = [s for s in dict.fromkeys(corpus) if tsv_safe(s)]
    strings = sorted(set(edge) | set(corpus))
    validity = oracle([(s, s) for s in strings])
    valid = {s for s, v in zip(strings, validity) if v is not None}
    invalid = sorted(set(strings) - valid)
    pairs = build_pairs([s for s in edge if s in valid], [s for s in corpus if s in valid], rng)
    answers = oracle(pairs)
    rows = [(a, b, r) for (a, b), r in zip(pairs, answers) if r is not None]
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / f"{name}.tsv", "w", encoding="utf-8", newline="\n") as f:
        for a, b, r in rows:
            f.write(f"{a}\t{b}\t{r}\n")
    with open(OUT / f"{name}.invalid", "w", encoding="utf-8", newline="\n") as f:
        for s in invalid:
            f.write(s + "\n")
    print(f"{name}: {len(strings)} strings, {len(invalid)} invalid, {len(rows)} vectors", flush=True)


def main():
    wanted = set(sys.argv[1:])
    rng = random.Random(SEED)
    edge = {k: v.split() for k, v in EDGE.items()}
    debian = osv_versions("Debian")
    alpine = osv_versions("Alpine")
    alma = osv_versions("AlmaLinux")
    pypi = osv_versions("PyPI")
    crates = osv_versions("crates.io")
    golang = osv_versions("Go")
    other = sorted(set(pypi) | set(crates) | set(golang))
    sample = lambda xs, n: sorted(random.Random(SEED + len(xs)).sample(xs, min(n, len(xs))))
    plan = [
        # dpkg reads an argument starting with '-' as an option, so such strings cannot
        # be put to the oracle at all; they are left out (the unit tests cover them).
        ("dpkg", oracle_dpkg, [s for s in edge["dpkg"] if not s.startswith("-")], debian),
        ("rpm", oracle_rpm, edge["rpm"], alma),
        ("apk", oracle_apk, edge["apk"], alpine + synth_apk(rng, 1500)),
        ("pep440", oracle_pep440, edge["pep440"], pypi),
        ("npm", oracle_node("npm"), edge["npm"], synth_npm(rng, 2000) + crates + sample(golang, 1000)),
        ("crates", oracle_node("crates"), edge["crates"], crates + synth_npm(rng, 1000)),
        ("go", oracle_go, edge["go"], golang),
        ("maven", oracle_maven, edge["maven"], synth_maven(rng, 3000) + sample(other, 3000)),
        ("rubygems", oracle_rubygems, edge["rubygems"], synth_rubygems(rng, 3000) + sample(other, 3000)),
    ]
    for name, oracle, e, corpus in plan:
        if wanted and name not in wanted:
            continue
        run_scheme(name, oracle, e, corpus, random.Random(f"{SEED}-{name}"))


if __name__ == "__main__":
    main()
