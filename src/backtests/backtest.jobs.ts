/** What the background worker does for backtests (main.ts composes it with the other features' handlers). */
import type { DataSource } from 'typeorm';
import type { JobHandlers } from '../jobs/worker';
import { STALE_AFTER_MS } from '../scoring/runs.service';
import { processBacktest, recoverBacktests } from './backtest.service';

export function backtestJobHandlers(db: DataSource, opts: { staleAfterMs?: number } = {}): Pick<JobHandlers, 'backtest' | 'sweep'> {
  const staleAfterMs = opts.staleAfterMs ?? STALE_AFTER_MS;
  return {
    backtest: async ({ workspaceId, backtestId }, signal) => ({ outcome: await processBacktest(db, workspaceId, backtestId, { staleAfterMs, signal }) }),
    sweep: async () => { await recoverBacktests(db, { staleAfterMs }); },
  };
}
