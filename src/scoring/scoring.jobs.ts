/**
 * What the background worker does, in scoring's words: main.ts hands these handlers to
 * `startWorker` (src/jobs/worker.ts), so the job plumbing never imports scoring.
 */
import type { DataSource } from 'typeorm';
import { enqueue, JOBS, type RecomputeRunJob, type RescoreAccountsJob } from '../jobs/queue';
import type { JobHandlers } from '../jobs/worker';
import { drainRescoreRequests, workspacesWithPendingRequests, type DrainResult } from './rescore';
import type { ChunkScorers } from './runs.engine';
import { processRun, recoverRuns, startDailyRuns, STALE_AFTER_MS } from './runs.service';

export interface ScoringJobHandlers extends Pick<JobHandlers, 'dailyRescore' | 'sweep'> {
  rescoreAccounts(job: RescoreAccountsJob): Promise<DrainResult>;
  recomputeRun(job: RecomputeRunJob, signal: AbortSignal): Promise<{ outcome: Awaited<ReturnType<typeof processRun>> }>;
}

export interface ScoringJobOptions {
  staleAfterMs?: number;
  /** Chunk scorers of runs that don't score into the live tables (PREVIEW: src/model/model.preview.ts). */
  chunkScorers?: ChunkScorers;
}

export function scoringJobHandlers(db: DataSource, opts: ScoringJobOptions = {}): ScoringJobHandlers {
  const { staleAfterMs = STALE_AFTER_MS, chunkScorers } = opts;
  return {
    rescoreAccounts: async ({ workspaceId }) => await drainRescoreRequests(db, workspaceId),
    recomputeRun: async ({ workspaceId, runId }, signal) => ({ outcome: await processRun(db, workspaceId, runId, { staleAfterMs, signal, chunkScorers }) }),
    dailyRescore: async () => ({ runs: (await startDailyRuns(db)).length }),
    sweep: async () => {
      await recoverRuns(db, { staleAfterMs });
      for (const workspaceId of await workspacesWithPendingRequests(db, 2_000)) {
        await enqueue(db, JOBS.RESCORE_ACCOUNTS, { workspaceId }, { singletonKey: workspaceId });
      }
    },
  };
}
