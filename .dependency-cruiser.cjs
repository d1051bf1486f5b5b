/**
 * Dependency rules, checked in CI (`npm run deps:check`). Type-only imports are not dependencies (they vanish when
 * compiled): that is how an entity names a relation to a folder above it (src/health/health.entity.ts).
 *
 * The layering of the data path, bottom up: configuration (clusters, outcomes, journeys, coins) and signals →
 * health/ (the health read model: its tables, reads, list filters, change, live-event derivation) → scoring/ (the
 * engine writes health rows) and accounts/ (the account list reads health) → analytics/ and live/ (read both).
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
  ['scoring', 'accounts', 'accounts request rescores of scoring/'],
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
      name: 'folder-cycles',
      severity: 'warn',
      comment: 'Folder cycles still to untangle: entity relations both ways (clusters/outcomes/workspaces, coins/journeys), '
        + 'rescore requests from configuration folders into scoring/, jobs/ ↔ scoring/ (handlers to be injected from main.ts).',
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
