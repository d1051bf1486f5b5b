/** The one place runs and incremental rescores call the scoring engine ([S1], src/scoring/engine.ts). */
import type { TenantScope } from '../shared/tenant';
import { scoreAccounts, type ScoringResult } from './engine';
import { ScoringRunKind, type ScoringRun } from './runs.entity';

export interface ChunkInfo { runId: string; chunk: number; accountIds: string[] }

/** What one chunk of a run does inside the chunk's transaction. */
export type ChunkScorer = (tx: TenantScope, run: ScoringRun, accountIds: string[]) => Promise<ScoringResult>;

/**
 * Chunk scorers of the kinds of runs that do something else than scoring into the live tables (PREVIEW:
 * src/model/model.preview.ts), handed to `processRun` by whoever composes the job handlers (src/job-handlers.ts), so
 * that such runs get the same chunks, progress, fencing and restarts without scoring/ importing them.
 */
export type ChunkScorers = Partial<Record<ScoringRunKind, ChunkScorer>>;

/** Score a chunk of a run: with the scorer given for its kind, else (live kinds) score and persist at the run's asOf. */
export async function scoreRunChunk(tx: TenantScope, run: ScoringRun, accountIds: string[], scorers: ChunkScorers = {}): Promise<ScoringResult> {
  const custom = scorers[run.kind];
  if (custom) return await custom(tx, run, accountIds);
  // Never score another kind of run into the live tables by default.
  if (run.kind === ScoringRunKind.PREVIEW) throw new Error('No chunk scorer for PREVIEW runs was given to processRun (src/job-handlers.ts passes model.preview\'s)');
  return await scoreAndPersist(tx, accountIds, run.asOf, run.id);
}

/** Score these accounts at `asOf` and persist (snapshots + current rows) inside the caller's transaction. */
export async function scoreAndPersist(tx: TenantScope, accountIds: string[], asOf: Date, runId?: string): Promise<ScoringResult> {
  return await scoreAccounts(tx, { asOf, accountIds, persist: true, runId });
}
