// Oracle: node-semver (Debian package `node-semver`, run with NODE_PATH=/usr/share/nodejs).
// Reads "a<TAB>b" lines on stdin, prints -1/0/1 per line, or ERR when either side is
// rejected. Mode "npm" uses node-semver's default (strict) parsing; mode "crates" also
// rejects a leading "v" or "=" (crates.io versions are bare SemVer 2.0).
'use strict';
const semver = require('semver');
const mode = process.argv[2] || 'npm';
const lines = require('fs').readFileSync(0, 'utf8').split('\n');
const out = [];
for (const line of lines) {
  if (line === '') continue;
  const [a, b] = line.split('\t');
  try {
    if (mode === 'crates' && (/^[\sv=]/.test(a) || /^[\sv=]/.test(b) || /\s$/.test(a) || /\s$/.test(b))) {
      throw new Error('crates');
    }
    const va = new semver.SemVer(a);
    const vb = new semver.SemVer(b);
    out.push(String(va.compare(vb)));
  } catch (e) {
    out.push('ERR');
  }
}
process.stdout.write(out.join('\n') + '\n');
