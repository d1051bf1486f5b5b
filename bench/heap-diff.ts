/**
 * `node -r @swc-node/register bench/heap-diff.ts a.heapsnapshot b.heapsnapshot [--top 30]`: what grew between two heap
 * snapshots (e.g. those `npm run bench:soak -- --snapshots 2,9` writes), by node type and constructor or string kind:
 * count and self size in each, sorted by growth. Self sizes only (no retained sizes): enough to see which kind of
 * object piles up; a heap viewer (Chrome DevTools, Memory tab) then shows who holds them.
 */
import fs from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

function summarize(file: string): Map<string, { count: number; size: number }> {
  const snap = JSON.parse(fs.readFileSync(file, 'utf8')) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const width = fields.length;
  const [iType, iName, iSize] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const out = new Map<string, { count: number; size: number }>();
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + iType]];
    let name = snap.strings[snap.nodes[i + iName]];
    // Strings, code and arrays by kind only: their names are their contents.
    if (type === 'string' || type === 'concatenated string' || type === 'sliced string') name = '';
    else if (type === 'code' || type === 'array' || type === 'number' || type === 'hidden') name = name.slice(0, 40);
    else if (type === 'closure') name = `${name.slice(0, 60)}()`;
    const key = `${type}: ${name}`;
    const e = out.get(key) ?? { count: 0, size: 0 };
    e.count++;
    e.size += snap.nodes[i + iSize];
    out.set(key, e);
  }
  return out;
}

const args = process.argv.slice(2);
const files = args.filter((a) => !a.startsWith('--') && !/^\d+$/.test(a));
const top = Number(args[args.indexOf('--top') + 1]) || 30;
if (files.length !== 2) {
  process.stderr.write('usage: heap-diff.ts a.heapsnapshot b.heapsnapshot [--top N]\n');
  process.exit(2);
}
const [a, b] = files.map(summarize);
const total = (m: Map<string, { size: number }>) => [...m.values()].reduce((s, e) => s + e.size, 0);
const rows = [...new Set([...a.keys(), ...b.keys()])].map((key) => {
  const x = a.get(key) ?? { count: 0, size: 0 };
  const y = b.get(key) ?? { count: 0, size: 0 };
  return { key, count: y.count - x.count, size: y.size - x.size, countB: y.count, sizeB: y.size };
}).sort((p, q) => q.size - p.size);
const mb = (n: number) => (n / 1024 / 1024).toFixed(2);
process.stdout.write(`self size: ${mb(total(a))} MB → ${mb(total(b))} MB\n\n| what | count Δ | self MB Δ | count in b | self MB in b |\n|---|---|---|---|---|\n`);
for (const r of rows.slice(0, top)) process.stdout.write(`| ${r.key.replace(/\|/g, '\\|').replace(/\n/g, ' ')} | ${r.count} | ${mb(r.size)} | ${r.countB} | ${mb(r.sizeB)} |\n`);
