/** The one place runs and incremental rescores call the scoring engine ([S1], src/scoring/engine.ts). */
import type { TenantScope } from '../shared/tenant';
import { scoreAccounts, type ScoringResult } from './engine';
import type { ScoringRun } from './runs.entity';

export interface ChunkInfo { runId: string; chunk: number; accountIds: string[] }

/** Score these accounts at `asOf` and persist (snapshots + current rows) inside the caller's transaction. */
/**
 * What a chunk of a run of another kind does instead of scoring and persisting (PREVIEW: src/model/model.preview.ts
 * registers it), so that such runs get the same chunks, progress, fencing and restarts.
 */
export const runChunkScorers: Partial<Record<string, (tx: TenantScope, run: ScoringRun, accountIds: string[]) => Promise<ScoringResult>>> = {};

export async function scoreRunChunk(tx: TenantScope, run: ScoringRun, accountIds: string[]): Promise<ScoringResult> {
  const custom = runChunkScorers[run.kind];
  if (custom) return await custom(tx, run, accountIds);
  // Never score another kind of run into the live tables by default.
  if (run.kind === 'PREVIEW') throw new Error('No chunk scorer for PREVIEW runs in this process: import src/model/model.preview');
  return await scoreAndPersist(tx, accountIds, run.asOf, run.id);
}

export async function scoreAndPersist(tx: TenantScope, accountIds: string[], asOf: Date, runId?: string): Promise<ScoringResult> {
  return await scoreAccounts(tx, { asOf, accountIds, persist: true, runId });
}
