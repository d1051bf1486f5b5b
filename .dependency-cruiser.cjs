/**
 * Dependency rules, checked in CI (`npm run deps:check`). Type-only imports are not dependencies (they vanish when
 * compiled): that is how an entity names a relation to a folder above it (src/health/health.entity.ts).
 *
 * The layering of the data path, bottom up (docs/architecture.md "Dependency rules"): shared/ → jobs/ (the queue,
 * rescore requests) and rules/ → signals/ and configuration (clusters → outcomes, workspaces → journeys → coins) →
 * health/ (the health read model: its tables, reads, list filters, change, live-event derivation) → scoring/ (the
 * engine writes health rows) → accounts/ (the account list reads health) and model/ → analytics/, live/, backtests/,
 * discovery/, imports/, touchpoints/ → tasks/ → plays/.
 */
const folder = (name) => `^src/${name}/`;

/** [from, to, why]: imports that would close a cycle between feature folders. */
const LAYERS = [
  ['health', 'accounts', 'the account list reads health; health names Account only by type'],
  ['health', 'scoring', 'the engine writes health rows; the read model does not need the engine'],
  ['health', 'analytics', 'analysts read health, not the other way round'],
  ['health', 'live', 'live pushes the events health derives (health.events.ts)'],
  ['accounts', 'analytics', 'the list\'s health filters and sorts live in health/'],
  ['scoring', 'live', 'the engine derives events through health/, live only delivers them'],
  ['scoring', 'accounts', 'accounts/ reads scores of scoring/ (scoreAccount); scoring/ reads accounts by SQL'],
  ['scoring', 'analytics', 'analysts read what scoring wrote'],
  ['live', 'scoring', 'live delivers events; it does not score'],
];

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A file must not import itself through other files.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    ...LAYERS.map(([from, to, why]) => ({
      name: `no-${from}-to-${to}`,
      severity: 'error',
      comment: `${from}/ must not import ${to}/: ${why}.`,
      from: { path: folder(from) },
      to: { path: folder(to) },
    })),
    {
      name: 'plumbing-imports-no-feature',
      severity: 'error',
      comment: 'shared/ and jobs/ are the plumbing under every feature folder: features are handed to them (src/job-handlers.ts), never imported.',
      from: { path: '^src/(shared|jobs)/' },
      to: { path: '^src/(?!shared/|jobs/)[^/]+/' },
    },
    {
      // Relations to a folder above go by entity name with a type-only import (signal.entity.ts → Account); a
      // parent's field of a child folder's type is resolved in the child folder (ClusterOutcomesResolver); writers
      // leave rescore requests in jobs/ (src/jobs/rescore-requests.ts) rather than calling scoring/.
      name: 'folder-cycles',
      severity: 'error',
      comment: 'Feature folders must not import each other in a circle: one of them has to be the lower layer.',
      scope: 'folder',
      from: { path: '^src/[^/]+$' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // The composition root's lists and what only it starts (CLIs, seeds) import every folder: not part of the layering.
    exclude: { path: ['^src/scripts/', '^seeds/', '^src/entities\\.ts$'] },
    tsPreCompilationDeps: false,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
