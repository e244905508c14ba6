#!/usr/bin/env bash
# Regenerates tests/fixtures/rpmdb/: builds a few tiny rpms with rpmbuild,
# installs them with `rpm --justdb` into a fresh root (rpm 4.18 on Debian
# writes only the SQLite backend) and records what rpm itself reports.
#
# Needs the Debian package `rpm` (rpmbuild, rpm). Run from anywhere:
#   bash crates/bulkhead-rpmdb/scripts/make-sqlite-fixture.sh
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
out="$here/tests/fixtures/rpmdb"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out" "$work/specs"

common='%global debug_package %{nil}
%global _build_id_links none
%global __os_install_post %{nil}
%global source_date_epoch_from_changelog 0'

# 1. noarch, a few files in two directories
cat > "$work/specs/hello.spec" <<SPEC
$common
Name: hello-data
Version: 1.0
Release: 1
Summary: fixture: noarch package with a few files
License: MIT
BuildArch: noarch
%description
fixture
%install
mkdir -p %{buildroot}/usr/share/hello %{buildroot}/etc/hello
echo hi > %{buildroot}/usr/share/hello/greeting.txt
echo bye > %{buildroot}/usr/share/hello/farewell.txt
echo conf=1 > %{buildroot}/etc/hello/hello.conf
%files
%dir /usr/share/hello
/usr/share/hello/greeting.txt
/usr/share/hello/farewell.txt
%config /etc/hello/hello.conf
SPEC

# 2. arch-specific, with an epoch, a vendor and a compound licence
cat > "$work/specs/epochy.spec" <<SPEC
$common
Name: epochy
Epoch: 3
Version: 2.4.1
Release: 7.fx1
Summary: fixture: package with an epoch
License: GPL-2.0-or-later AND MIT
Vendor: Bulkhead Fixtures
%description
fixture
%install
mkdir -p %{buildroot}/usr/bin %{buildroot}/usr/lib/epochy
printf '#!/bin/sh\necho epochy\n' > %{buildroot}/usr/bin/epochy
chmod 755 %{buildroot}/usr/bin/epochy
echo lib > %{buildroot}/usr/lib/epochy/data.bin
ln -s ../bin/epochy %{buildroot}/usr/lib/epochy/link
%files
/usr/bin/epochy
/usr/lib/epochy
SPEC

# 3. a modular package (MODULARITYLABEL), no files
cat > "$work/specs/modular.spec" <<SPEC
$common
Name: modular-thing
Version: 0.9
Release: 2.module+el8.1.0+1234+abcd1234
Summary: fixture: modular package without files
License: BSD-3-Clause
ModularityLabel: thing:0.9:8010020191119214651:cdc1202b
BuildArch: noarch
%description
fixture
%files
SPEC

# 4. many long file names: a header far bigger than a BerkeleyDB page, so the
#    BerkeleyDB fixture needs overflow pages even with 64 KiB pages
cat > "$work/specs/bigfiles.spec" <<SPEC
$common
Name: bigfiles
Version: 5.0
Release: 1
Summary: fixture: package with a large header
License: Apache-2.0
BuildArch: noarch
%description
fixture
%install
for d in 1 2 3 4; do
  mkdir -p %{buildroot}/usr/share/bigfiles/directory-number-\$d-with-a-long-name
  for i in \$(seq 1 150); do
    echo "\$d \$i" > %{buildroot}/usr/share/bigfiles/directory-number-\$d-with-a-long-name/file-\$i-with-a-deliberately-long-base-name-to-grow-the-header.txt
  done
done
%files
/usr/share/bigfiles
SPEC

for s in "$work"/specs/*.spec; do
  rpmbuild -bb --quiet --define "_topdir $work/top" --define "_buildhost fixtures.invalid" "$s" >/dev/null
done

root="$work/root"
mkdir -p "$root"
rpm --root "$root" --dbpath /var/lib/rpm --initdb
rpm --root "$root" --dbpath /var/lib/rpm --justdb --nodeps --ignorearch --ignoreos -i "$work"/top/RPMS/*/*.rpm

db="$root/var/lib/rpm/rpmdb.sqlite"
# rpm checkpoints into the main file on exit and leaves an empty
# rpmdb.sqlite-wal; checkpoint once more in case an rpm version did not, so
# the committed file alone is complete. WAL mode stays set in the header
# (bytes 18/19 = 2), as in real images.
python3 - "$db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
c.close()
PY
cp "$db" "$out/rpmdb.sqlite"

q() { rpm --root "$root" --dbpath /var/lib/rpm -qa --qf "$1" | LC_ALL=C sort; }
q '%{NAME}\t%{EPOCHNUM}\t%{VERSION}\t%{RELEASE}\t%{ARCH}\t%{SOURCERPM}\t%{LICENSE}\n' > "$out/expected-qa.txt"
q '%{NAME}\t%{VENDOR}\t%{SIZE}\t%{MODULARITYLABEL}\n' > "$out/expected-extra.txt"
q '[%{=NAME}\t%{FILENAMES}\n]' > "$out/expected-files.txt"
echo "wrote $out:" >&2
ls -l "$out" >&2
cat "$out/expected-qa.txt" >&2
