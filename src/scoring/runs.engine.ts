/** The one place runs and incremental rescores call the scoring engine ([S1], src/scoring/engine.ts). */
import type { TenantScope } from '../shared/tenant';
import { scoreAccounts, type ScoringResult } from './engine';

export interface ChunkInfo { runId: string; chunk: number; accountIds: string[] }

/** Score these accounts at `asOf` and persist (snapshots + current rows) inside the caller's transaction. */
export async function scoreAndPersist(tx: TenantScope, accountIds: string[], asOf: Date, runId?: string): Promise<ScoringResult> {
  return await scoreAccounts(tx, { asOf, accountIds, persist: true, runId });
}
