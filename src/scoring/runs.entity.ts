/**
 * Scoring runs: a full or scoped recompute, processed in chunks by the job worker, whose progress
 * a client polls. (The rescore requests that ingestion leaves for the incremental rescore job: src/jobs/rescore-requests.ts.)
 */
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Column, Entity, Index } from 'typeorm';
import { BackgroundJob, JobState, progressOf } from '../shared/background-job';

/** The background-job states (src/shared/background-job.ts), as runs and backtests show them. */
export const ScoringRunState = JobState;
export type ScoringRunState = JobState;
registerEnumType(ScoringRunState, {
  name: 'ScoringRunState',
  description: 'QUEUED → RUNNING → SUCCEEDED | FAILED | CANCELLED.',
  valuesConfig: {
    QUEUED: { description: 'Waiting for a worker.' },
    RUNNING: { description: 'A worker scores its chunks; `done` grows after each chunk.' },
    SUCCEEDED: { description: 'Every account of the scope was scored.' },
    FAILED: { description: 'A chunk failed (see `error`); chunks already done are kept; `restartScoringRun` resumes.' },
    CANCELLED: { description: 'Stopped by `cancelScoringRun`; `restartScoringRun` resumes.' },
  },
});

export enum ScoringRunKind {
  MANUAL = 'MANUAL',
  DAILY = 'DAILY',
  CLI = 'CLI',
  PREVIEW = 'PREVIEW',
}
registerEnumType(ScoringRunKind, {
  name: 'ScoringRunKind',
  description: 'What started the run: recomputeHealth (MANUAL), the daily full rescore (DAILY), `npm run rescore` (CLI), or previewModel (PREVIEW: scores a draft beside the live model, writes no live scores).',
  valuesConfig: {
    MANUAL: { description: 'recomputeHealth.' },
    DAILY: { description: 'The daily full rescore (02:00 UTC).' },
    CLI: { description: '`npm run rescore`.' },
    PREVIEW: { description: 'previewModel: a draft model scored beside the live one; writes no live scores.' },
  },
});

/** Which accounts a run scores; the conditions combine (AND). Empty = every account of the workspace. */
@ObjectType('ScoringRunScope', { simpleResolvers: true, description: 'Which accounts a run (or backtest) covers; the conditions combine (AND). All null = every account of the workspace. A value: no id.' })
export class RunScope {
  @Field(() => ID, { nullable: true, description: 'Only the accounts of this persona cluster; null for no such condition.' }) clusterId?: string | null;
  @Field(() => ID, { nullable: true, description: 'The accounts of the cluster this outcome belongs to.' }) outcomeId?: string | null;
  @Field(() => [ID], { nullable: true, description: 'Only these accounts; null for no such condition.' }) accountIds?: string[] | null;
}

@ObjectType({ simpleResolvers: true, description: 'A recompute of health scores, processed in chunks; poll it for progress.' })
@Entity('scoring_runs')
@Index('scoring_runs_created_idx', ['workspaceId', 'createdAt'])
// The recovery sweep looks across workspaces for runs no worker is processing.
@Index('scoring_runs_open_idx', ['state', 'heartbeatAt'], { where: `"state" IN ('QUEUED', 'RUNNING')` })
export class ScoringRun extends BackgroundJob {
  @Field(() => ScoringRunKind, { description: 'What started the run (see ScoringRunKind).' })
  @Column('text', { default: ScoringRunKind.MANUAL })
  kind: ScoringRunKind;

  @Field(() => RunScope, { description: 'Which accounts the run scores.' })
  @Column('jsonb', { default: () => "'{}'" })
  scope: RunScope;

  @Field(() => ScoringRunState, { description: 'QUEUED → RUNNING → SUCCEEDED, FAILED or CANCELLED; poll until it is one of the last three.' })
  @Column('text', { default: ScoringRunState.QUEUED })
  state: ScoringRunState;

  @Field(() => Int, { description: 'Accounts in the scope when the run was created.' })
  @Column('int', { default: 0 })
  total: number;

  @Field(() => Int, { description: 'Accounts scored so far (completed chunks).' })
  @Column('int', { default: 0 })
  done: number;

  @Field({ description: 'The fixed time every account of this run is scored at.' })
  @Column('timestamptz')
  asOf: Date;

  /**
   * Every account id <= cursor is scored (chunks go in id order): a restarted run resumes after it. Chunks scored in
   * parallel can commit out of order: a chunk committed beyond the cursor is kept in `doneRanges` until the chunks
   * before it have committed too.
   */
  @Column('uuid', { nullable: true })
  cursor: string | null;

  /** Committed chunks beyond `cursor`: [lo, hi] = the account ids lo < id <= hi (lo null: from the first id). */
  @Column('jsonb', { default: () => "'[]'" })
  doneRanges: Array<[string | null, string]>;

  @Column('int', { default: 5000 })
  chunkSize: number;

  @Field(() => Float, { description: 'done / total in [0, 1] (1 for a finished empty run).' })
  get progress(): number {
    return progressOf(this);
  }
}
