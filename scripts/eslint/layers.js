// Local ESLint plugin: the import direction of DESIGN.md §3 and a ban on import cycles.
// Layers are folders under src/; each may import only the layers listed for it.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';

/** Which src/ layers each layer may import (itself is always allowed). */
const ALLOWED = {
  util: [],
  config: ['util'],
  'sip/message': ['util', 'sip/parser'],
  'sip/parser': ['util', 'sip/message'],
  'sip/auth': ['util', 'sip/message', 'sip/parser'],
  'sip/transport': ['util', 'sip/message', 'sip/parser'],
  'sip/transaction': ['util', 'sip/message', 'sip/parser', 'sip/transport'],
  'sip/dialog': ['util', 'sip/message', 'sip/parser', 'sip/transport', 'sip/transaction'],
  'sip/core': ['util', 'sip/message', 'sip/parser', 'sip/transport', 'sip/transaction', 'sip/dialog', 'sip/auth'],
  store: ['util'],
  events: ['util', 'sip', 'store'],
  presence: ['util', 'sip', 'events', 'store'],
  rls: ['util', 'sip', 'events', 'store'],
  proxy: ['util', 'sip', 'events', 'hss', 'store'],
  agents: ['util', 'sip', 'events', 'store'],
  xcap: ['util', 'store'],
  hss: ['util', 'store'],
  charging: ['util', 'store'],
  api: ['util', 'sip', 'events', 'presence', 'rls', 'xcap', 'hss', 'store', 'config'],
  'server.ts': ['util', 'sip', 'events', 'presence', 'rls', 'proxy', 'agents', 'xcap', 'hss', 'charging', 'api', 'store', 'config', 'server'],
  // The composition root's parts (src/server/*.ts), used only by server.ts.
  server: ['util', 'sip', 'events', 'presence', 'rls', 'proxy', 'agents', 'xcap', 'hss', 'charging', 'api', 'store', 'config'],
  cli: ['util', 'sip', 'events', 'presence', 'rls', 'proxy', 'agents', 'xcap', 'hss', 'charging', 'api', 'store', 'config', 'server.ts'],
};

const SRC = resolve(process.cwd(), 'src');

/** The layer a file under src/ belongs to: 'sip/parser', 'events', 'server.ts', … or null outside src. */
function layerOf(file) {
  const rel = relative(SRC, file);
  if (rel.startsWith('..')) return null;
  const parts = rel.split(sep);
  if (parts[0] === 'sip' && parts.length > 2) return `sip/${parts[1]}`;
  if (parts.length === 1) return parts[0].replace(/\.js$/, '.ts');
  return parts[0];
}

function allowed(from, to) {
  if (from === to) return true;
  const list = ALLOWED[from];
  if (!list) return false;
  return list.some((l) => l === to || to.startsWith(`${l}/`));
}

const IMPORT_RE = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]|(?:^|\n)\s*import\s*['"](\.[^'"]+)['"]/g;

function resolveTs(fromFile, spec) {
  const base = resolve(dirname(fromFile), spec);
  const ts = base.replace(/\.js$/, '.ts');
  return existsSync(ts) ? ts : null;
}

const edgeCache = new Map();
function edges(file) {
  let out = edgeCache.get(file);
  if (out) return out;
  out = [];
  let text = '';
  try { text = readFileSync(file, 'utf8'); } catch { /* unreadable: no edges */ }
  for (const m of text.matchAll(IMPORT_RE)) {
    const target = resolveTs(file, m[1] ?? m[2]);
    if (target) out.push(target);
  }
  edgeCache.set(file, out);
  return out;
}

/** A path from `start` back to `target`, or null. */
function findPath(start, target) {
  const seen = new Set();
  const stack = [[start, [start]]];
  while (stack.length) {
    const [node, path] = stack.pop();
    if (node === target) return path;
    if (seen.has(node)) continue;
    seen.add(node);
    for (const next of edges(node)) stack.push([next, [...path, next]]);
  }
  return null;
}

const layering = {
  meta: { type: 'problem', schema: [], messages: { up: "layer '{{from}}' may not import layer '{{to}}' (DESIGN.md §3)" } },
  create(context) {
    const file = context.filename;
    const from = layerOf(file);
    if (!from) return {};
    const check = (node) => {
      const spec = node.source?.value;
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const to = layerOf(resolve(dirname(file), spec));
      if (to && !allowed(from, to)) context.report({ node, messageId: 'up', data: { from, to } });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check };
  },
};

const noCycle = {
  meta: { type: 'problem', schema: [], messages: { cycle: 'import cycle: {{path}}' } },
  create(context) {
    const file = context.filename;
    return {
      ImportDeclaration(node) {
        if (node.importKind === 'type') return;
        const spec = node.source.value;
        if (typeof spec !== 'string' || !spec.startsWith('.')) return;
        const target = resolveTs(file, spec);
        if (!target) return;
        const path = findPath(target, file);
        if (path) context.report({ node, messageId: 'cycle', data: { path: [file, ...path].map((p) => relative(process.cwd(), p)).join(' -> ') } });
      },
    };
  },
};

export default { rules: { layering, 'no-cycle': noCycle } };
