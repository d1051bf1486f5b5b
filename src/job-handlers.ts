/**
 * Every feature's background work, composed for the worker (src/jobs/worker.ts), which imports no feature:
 * main.ts and the tests hand it these handlers.
 */
import type { DataSource } from 'typeorm';
import { backtestJobHandlers } from './backtests/backtest.jobs';
import { discoveryJobHandlers } from './discovery/discovery.jobs';
import type { JobHandlers } from './jobs/worker';
import { scoringJobHandlers } from './scoring/scoring.jobs';

export function jobHandlers(db: DataSource, opts: { staleAfterMs?: number } = {}): JobHandlers {
  const scoring = scoringJobHandlers(db, opts);
  const backtests = backtestJobHandlers(db, opts);
  const discovery = discoveryJobHandlers(db);
  return {
    ...scoring,
    ...backtests,
    ...discovery,
    sweep: async () => {
      await scoring.sweep();
      await backtests.sweep();
      await discovery.sweep();
    },
  };
}
