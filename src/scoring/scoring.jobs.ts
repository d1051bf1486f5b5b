/**
 * What the background worker does, in scoring's words: main.ts hands these handlers to
 * `startWorker` (src/jobs/worker.ts), so the job plumbing never imports scoring.
 */
import type { DataSource } from 'typeorm';
import { enqueue, JOBS, type RecomputeRunJob, type RescoreAccountsJob } from '../jobs/queue';
import type { JobHandlers } from '../jobs/worker';
import { drainRescoreRequests, workspacesWithPendingRequests, type DrainResult } from './rescore';
import { processRun, recoverRuns, startDailyRuns, STALE_AFTER_MS } from './runs.service';

export interface ScoringJobHandlers extends Pick<JobHandlers, 'dailyRescore' | 'sweep'> {
  rescoreAccounts(job: RescoreAccountsJob): Promise<DrainResult>;
  recomputeRun(job: RecomputeRunJob, signal: AbortSignal): Promise<{ outcome: Awaited<ReturnType<typeof processRun>> }>;
}

export function scoringJobHandlers(db: DataSource, opts: { staleAfterMs?: number } = {}): ScoringJobHandlers {
  const staleAfterMs = opts.staleAfterMs ?? STALE_AFTER_MS;
  return {
    rescoreAccounts: async ({ workspaceId }) => await drainRescoreRequests(db, workspaceId),
    recomputeRun: async ({ workspaceId, runId }, signal) => ({ outcome: await processRun(db, workspaceId, runId, { staleAfterMs, signal }) }),
    dailyRescore: async () => ({ runs: (await startDailyRuns(db)).length }),
    sweep: async () => {
      await recoverRuns(db, { staleAfterMs });
      for (const workspaceId of await workspacesWithPendingRequests(db, 2_000)) {
        await enqueue(db, JOBS.RESCORE_ACCOUNTS, { workspaceId }, { singletonKey: workspaceId });
      }
    },
  };
}
