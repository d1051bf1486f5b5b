/**
 * The one call every configuration mutation makes at the end of its transaction: "the live model may have
 * changed". src/model/ records a model version there (who, when, the whole document); the configuration
 * features call this hook rather than src/model/ itself, which reads their tables (no import cycle).
 * test/model-versions.test.ts runs every configuration mutation of the schema and fails on one that forgets.
 */
import type { TenantScope } from './tenant';

type Recorder = (tx: TenantScope) => Promise<unknown>;
let recorder: Recorder | null = null;

export function onModelChanged(r: Recorder): void {
  recorder = r;
}

/** Call inside the mutation's transaction, after its last write. */
export async function modelChanged(tx: TenantScope): Promise<void> {
  if (!tx.inTransaction) throw new Error('modelChanged must run inside the transaction that changed the model');
  if (recorder) await recorder(tx);
}
