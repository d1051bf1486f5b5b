/**
 * Every feature's background work, composed for the worker (src/jobs/worker.ts), which imports no feature:
 * main.ts and the tests hand it these handlers.
 */
import type { DataSource } from 'typeorm';
import { backtestJobHandlers } from './backtests/backtest.jobs';
import { discoveryJobHandlers } from './discovery/discovery.jobs';
import type { JobHandlers } from './jobs/worker';
import { previewChunkScorers } from './model/model.preview';
import { evaluatePlaysAfterScoring } from './plays/play.evaluate';
import { purgePlayHistory } from './plays/play.retention';
import { scoringJobHandlers } from './scoring/scoring.jobs';
import { webhookJobHandlers, type WebhookJobsOptions } from './webhooks/webhook.jobs';
import { purgeDeliveries } from './webhooks/webhook.retention';

export interface JobHandlerOptions {
  staleAfterMs?: number;
  /** Webhook delivery options (tests: retry timing, loopback receivers). */
  webhooks?: WebhookJobsOptions;
}

export function jobHandlers(db: DataSource, opts: JobHandlerOptions = {}): JobHandlers {
  // Preview runs get the same chunks, progress and restarts as live runs; their chunks score beside the live model.
  const scoring = scoringJobHandlers(db, { staleAfterMs: opts.staleAfterMs, chunkScorers: previewChunkScorers });
  const backtests = backtestJobHandlers(db, opts);
  const discovery = discoveryJobHandlers(db);
  const webhooks = webhookJobHandlers(db, opts.webhooks);
  return {
    ...backtests,
    ...discovery,
    ...webhooks,
    // Plays over the accounts just rescored (src/plays): tasks and webhooks when a condition starts to hold.
    rescoreAccounts: async (job) => {
      const scoredSince = new Date();
      const drained = await scoring.rescoreAccounts(job);
      if (drained.rounds) await evaluatePlaysAfterScoring(db, job.workspaceId, { scoredSince });
      return drained;
    },
    // After a full or daily run, every play over every account (time alone moves renewal and touchpoint windows).
    recomputeRun: async (job, signal) => {
      const result = await scoring.recomputeRun(job, signal);
      if (result.outcome === 'SUCCEEDED') await evaluatePlaysAfterScoring(db, job.workspaceId);
      return result;
    },
    // The daily job also bounds the history plays leave behind (firings, closed tasks, the webhook delivery log).
    dailyRescore: async () => {
      const started = await scoring.dailyRescore();
      const purged = { ...(await purgePlayHistory(db)), ...(await purgeDeliveries(db)) };
      return { rescore: started, purged };
    },
    sweep: async () => {
      await scoring.sweep();
      await backtests.sweep();
      await webhooks.sweep();
      await discovery.sweep();
    },
  };
}
