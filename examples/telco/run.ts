/**
 * `npm run example:telco`: the Telco example from end to end, in a new workspace of the database the other CLIs use
 * (the running embedded PostgreSQL, or DATABASE_URL):
 *   convert the CSV → import accounts and signals → the hand-written model (model.json) → backtest it (90-day horizon)
 *   → suggested weights, 5-fold cross-validated, alone and with learned scoring → print the figures.
 */
import 'reflect-metadata';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { processBacktest, runBacktest, getBacktest } from '../../src/backtests/backtest.service';
import { suggestWeights } from '../../src/backtests/suggest.service';
import { defineCoin } from '../../src/coins/coin.service';
import { runImport } from '../../src/imports/import.service';
import { createOutcome } from '../../src/outcomes/outcome.service';
import { fail, withDatabase } from '../../src/scripts/cli';
import { TenantScope } from '../../src/shared/tenant';
import { createWorkspace } from '../../src/workspaces/workspace.service';
import { convert, HORIZON_DAYS } from './convert';

const out = (s: string) => process.stdout.write(`${s}\n`);
const f3 = (x: number | null | undefined) => (x === null || x === undefined ? '—' : x.toFixed(3));

withDatabase(async ({ db }) => {
  const t0 = Date.now();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'telco-'));
  try {
    const files = await convert(path.join(__dirname, 'telco-customer-churn.csv'), dir);
    out(`Converted ${files.customers} customers (${files.churned} churned) and ${files.signalCount} signals.`);
    const { workspace } = await createWorkspace(db, `Telco example ${new Date().toISOString()}`);
    const scope = TenantScope.system(db, workspace.id);
    for (const file of [files.accounts, files.signals]) {
      const r = await runImport({ db, workspaceId: workspace.id, file, rejectsPath: path.join(dir, 'rejected.ndjson') });
      out(`Imported ${r.kind}: ${r.stored} stored, ${r.rejected} rejected (${r.seconds.toFixed(1)} s).`);
    }
    // Fresh statistics after a bulk load: without them the planner scans every signal of a type for a handful of
    // accounts (one as-of date: 1 s instead of 50 ms).
    await db.query('ANALYZE signals');
    await db.query('ANALYZE accounts');
    const model = JSON.parse(readFileSync(path.join(__dirname, 'model.json'), 'utf8'));
    const [{ id: clusterId }] = await scope.query<{ id: string }>(`SELECT id FROM clusters WHERE workspace_id = $1 AND is_default`);
    const outcome = await createOutcome(scope, { clusterId, name: model.outcome });
    await defineCoin(scope, outcome.id, model.coin);

    const created = await runBacktest(scope, { horizonDays: HORIZON_DAYS });
    const tb = Date.now();
    await processBacktest(db, workspace.id, created.id);
    const bt = await getBacktest(scope, created.id);
    const r = bt.report!;
    out(`\nWorkspace ${workspace.id}, backtest ${bt.id}: ${bt.total} cases, ${bt.asOfDates} as-of dates, ${((Date.now() - tb) / 1000).toFixed(1)} s`);
    out(`Hand-written model (model.json): AUC ${f3(r.auc)} [95 % CI ${f3(r.aucLow)}–${f3(r.aucHigh)}], n ${r.n}, churners ${r.churners}, top-decile lift ${f3(r.topDecileLift)}`);
    out(`  churn per band: ${r.bands.map((b) => `${b.band} ${b.churners}/${b.n} (${b.churnRate === null ? '—' : (100 * b.churnRate).toFixed(1)} %)`).join(', ')}`);
    out(`  calibration (churn % per tenth of the score): ${r.calibration.map((c) => (c.churnRate === null ? '—' : (100 * c.churnRate).toFixed(0))).join(' ')}`);
    out('  per component (own AUC, missing share, mean score churned / retained):');
    for (const c of r.components) out(`    ${c.key.padEnd(15)} AUC ${f3(c.auc)}  missing ${f3(c.missingShare)}  ${c.meanScoreChurned?.toFixed(1)} / ${c.meanScoreRetained?.toFixed(1)}`);
    for (const w of r.warnings) out(`  warning: ${w}`);

    for (const learnScoring of [false, true]) {
      const s = await suggestWeights(scope, bt.id, outcome.id, { folds: 5, learnScoring });
      out(`\nSuggested weights${learnScoring ? ' with learned scoring (BANDS / categories)' : ''}: 5-fold AUC ${f3(s.cvAuc)} (folds ${s.cvAucPerFold.map(f3).join(', ')}), current weights on the same folds ${f3(s.cvAucCurrent)}`);
      out(`  ${s.components.map((c) => `${c.key} ${c.currentWeight}→${c.suggestedWeight}${c.noEvidence ? ' (no evidence)' : ''}`).join(', ')}`);
      for (const w of s.warnings) out(`  warning: ${w}`);
    }
    out(`\nDone in ${((Date.now() - t0) / 1000).toFixed(0)} s.`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}).catch((err) => fail(`Telco example failed: ${err?.stack ?? err}`));
