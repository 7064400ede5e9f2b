#!/usr/bin/env node
// The native source list, shared by binding.gyp and CMakeLists.txt so the two builds cannot
// drift apart. Files are grouped by name: `*_avx2.cc`, `*_avx512.cc` and `*_neon.cc` are compiled
// with their instruction set's flags; every other `.cc` under native/ (tests excluded) is common.
// Usage: node scripts/native-sources.cjs common|avx2|avx512|neon [--lines]
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const GROUPS = ['common', 'avx2', 'avx512', 'neon'];

function walk(dir, out) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'tests') walk(full, out);
    } else if (entry.name.endsWith('.cc')) {
      out.push(path.relative(root, full).split(path.sep).join('/'));
    }
  }
  return out;
}

function groupOf(file) {
  const m = /_(avx2|avx512|neon)\.cc$/.exec(file);
  return m ? m[1] : 'common';
}

function sources(group) {
  return walk(path.join(root, 'native'), []).filter((f) => groupOf(f) === group).sort();
}

module.exports = { sources, GROUPS };

if (require.main === module) {
  const group = process.argv[2];
  if (!GROUPS.includes(group)) {
    process.stderr.write(`usage: native-sources.cjs ${GROUPS.join('|')} [--lines]\n`);
    process.exit(2);
  }
  process.stdout.write(sources(group).join(process.argv.includes('--lines') ? '\n' : ' '));
}
