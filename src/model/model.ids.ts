/**
 * Database ids of the entities of a document. The document has keys only; scoring (ModelConfig) and snapshots use
 * ids. An entity keeps the id of the live row with its key path; one the live model does not have gets the id it had
 * in the version the draft came from (a revert brings back the same ids, hence the same model hash), else a
 * deterministic uuid v5 of the workspace and its path. Publishing creates rows with exactly these ids, so a preview
 * scores with the ids the published model will have.
 */
import { createHash } from 'node:crypto';
import type { ModelDocument } from './model.document';

/** `cluster:<key>`, `outcome:<key>`, `stage|milestone|component:<outcome key>/<key>`. */
export type EntityPath = string;
export type IdMap = Record<EntityPath, string>;

export function documentPaths(doc: ModelDocument): EntityPath[] {
  return [
    ...doc.clusters.map((c) => `cluster:${c.key}`),
    ...doc.outcomes.map((o) => `outcome:${o.key}`),
    ...doc.journeys.flatMap((j) => j.stages.flatMap((s) => [`stage:${j.outcome}/${s.key}`, ...s.milestones.map((m) => `milestone:${j.outcome}/${m.key}`)])),
    ...doc.coins.flatMap((c) => c.components.map((k) => `component:${c.outcome}/${k.key}`)),
  ];
}

/** RFC 4122 version 5 (SHA-1, name-based) uuid of `name` in the namespace uuid `namespace`. */
export function uuidV5(namespace: string, name: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const h = createHash('sha1').update(ns).update(name, 'utf8').digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function assignIds(workspaceId: string, doc: ModelDocument, live: IdMap, hints: IdMap = {}): IdMap {
  const liveIds = new Set(Object.values(live));
  const out: IdMap = {};
  for (const path of documentPaths(doc)) {
    const hint = hints[path];
    out[path] = live[path] ?? (hint && !liveIds.has(hint) ? hint : uuidV5(workspaceId, path));
  }
  return out;
}
