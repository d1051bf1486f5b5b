/** The backtest job, added to the worker's handlers in main.ts (the job plumbing imports no feature). */
import type { DataSource } from 'typeorm';
import type { JobHandlers } from '../jobs/worker';
import { processBacktest, recoverBacktests, STALE_AFTER_MS } from './backtest.service';

export function withBacktestJobs(db: DataSource, handlers: JobHandlers, opts: { staleAfterMs?: number } = {}): JobHandlers {
  const staleAfterMs = opts.staleAfterMs ?? STALE_AFTER_MS;
  return {
    ...handlers,
    backtest: async ({ workspaceId, backtestId }, signal) => ({ outcome: await processBacktest(db, workspaceId, backtestId, { staleAfterMs, signal }) }),
    sweep: async () => {
      await handlers.sweep();
      await recoverBacktests(db, { staleAfterMs });
    },
  };
}
