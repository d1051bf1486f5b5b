/**
 * The one place runs and incremental rescores call the scoring engine ([S1], src/scoring/engine.ts).
 * Also a test seam: `runHooks.afterChunkScored` runs inside a chunk's transaction, after the engine
 * wrote its scores and before the chunk commits (tests use it to kill a worker mid-chunk).
 */
import type { TenantScope } from '../shared/tenant';
import { scoreAccounts, type ScoringResult } from './engine';

export interface ChunkInfo { runId: string; chunk: number; accountIds: string[] }

export const runHooks: { afterChunkScored?: (info: ChunkInfo) => Promise<void> | void } = {};

/** Score these accounts at `asOf` and persist (snapshots + current rows) inside the caller's transaction. */
export async function scoreAndPersist(tx: TenantScope, accountIds: string[], asOf: Date, runId?: string): Promise<ScoringResult> {
  return await scoreAccounts(tx, { asOf, accountIds, persist: true, runId });
}
