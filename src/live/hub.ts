/**
 * One per server instance: a dedicated PostgreSQL connection LISTENing on the health channel,
 * and the in-process subscribers of this instance. A notification names a workspace and a batch;
 * the batch is loaded once (one query, names joined in) only when this instance has subscribers
 * of that workspace, then handed to each of them after their filter. Subscribers never see
 * another workspace's events: they are registered under their caller's workspace id.
 */
import type { DataSource } from 'typeorm';
import type { PgListener } from '../shared/db/listener';
import { cursorTimeOf, cursorTimeSql, decodeTimeIdCursor, encodeTimeIdCursor, pageOf } from '../shared/connection';
import { InputError } from '../shared/errors';
import { logger } from '../shared/logger';
import { subscriberQueue } from '../shared/subscriber-queue';
import { TenantScope } from '../shared/tenant';
import type { HealthEvent, HealthEventConnection, HealthEventFilter } from './live.types';
import { HEALTH_CHANNEL } from '../health/health.events';

/** A subscriber that falls this far behind loses the oldest events (and is told in the log). */
const MAX_QUEUE = 10_000;
/** Events per page of healthEvents. */
export const MAX_EVENTS_PAGE = 1000;

interface Subscriber {
  filter: HealthEventFilter;
  push(event: HealthEvent): void;
}

export class LiveHub {
  private unlisten?: () => void;
  private readonly subscribers = new Map<string, Set<Subscriber>>();
  /** The batch being handed out (onNotification never rejects). */
  private delivering: Promise<void> = Promise.resolve();

  /** Events published while the listener is down are not pushed; clients catch up with healthEvents(since:). */
  constructor(private readonly db: DataSource, private readonly listener: PgListener) {}

  start(): void {
    // One batch after the other, in commit order: a subscriber gets events in the order they were published.
    this.unlisten ??= this.listener.on(HEALTH_CHANNEL, (payload) => { this.delivering = this.delivering.then(() => this.onNotification(payload)); });
  }

  stop(): void {
    this.unlisten?.();
    this.unlisten = undefined;
  }

  subscriberCount(workspaceId: string): number {
    return this.subscribers.get(workspaceId)?.size ?? 0;
  }

  /** Events of one workspace from now on, filtered; ends when the client unsubscribes. */
  subscribe(workspaceId: string, filter: HealthEventFilter = {}): AsyncIterableIterator<HealthEvent> {
    const set = this.subscribers.get(workspaceId) ?? new Set<Subscriber>();
    this.subscribers.set(workspaceId, set);
    const q = subscriberQueue<HealthEvent>({ maxQueue: MAX_QUEUE, onDrop: () => logger.warn({ workspaceId }, 'live: slow subscriber, dropped an event'), onEnd: () => {
      set.delete(sub);
      if (!set.size) this.subscribers.delete(workspaceId);
    } });
    const sub: Subscriber = { filter, push: q.push };
    set.add(sub);
    return q.iterator;
  }

  private async onNotification(payload: string | undefined): Promise<void> {
    let workspaceId: string;
    let batchId: string;
    try {
      const parsed = JSON.parse(payload ?? '') as { w: string; b: string };
      workspaceId = parsed.w;
      batchId = parsed.b;
    } catch {
      return;
    }
    const subs = this.subscribers.get(workspaceId);
    if (!subs?.size) return; // nobody here listens to that workspace: don't even load it
    try {
      const events = await loadBatch(TenantScope.system(this.db, workspaceId), batchId);
      for (const sub of subs) for (const e of events) if (matches(sub.filter, e)) sub.push(e);
    } catch (err) {
      logger.error({ err, workspaceId, batchId }, 'live: could not load an event batch');
    }
  }
}

function matches(f: HealthEventFilter, e: HealthEvent): boolean {
  if (f.kinds?.length && !f.kinds.includes(e.kind)) return false;
  if (f.clusterId && f.clusterId !== e.clusterId) return false;
  if (f.outcomeId && f.outcomeId !== e.outcomeId) return false;
  if (f.accountIds?.length && !f.accountIds.includes(e.accountId)) return false;
  return true;
}

/** An event with the names a UI shows (`SELECT ${EVENT_COLUMNS} ${EVENT_FROM}`). */
const EVENT_COLUMNS = `
  e.id, e.kind, e.account_id AS "accountId", a.name AS "accountName", a.external_id AS "accountExternalId",
  a.cluster_id AS "clusterId", e.outcome_id AS "outcomeId", o.name AS "outcomeName", e.milestone_id AS "milestoneId",
  m.name AS "milestoneName", e.from_band AS "fromBand", e.to_band AS "toBand", e.score, e.previous_score AS "previousScore",
  e.days_overdue AS "daysOverdue", e.as_of AS "asOf", e.created_at AS "createdAt"`;
const EVENT_FROM = `
  FROM health_events e
  JOIN accounts a ON a.workspace_id = e.workspace_id AND a.id = e.account_id
  LEFT JOIN outcomes o ON o.workspace_id = e.workspace_id AND o.id = e.outcome_id
  LEFT JOIN milestones m ON m.workspace_id = e.workspace_id AND m.id = e.milestone_id`;

/** One published batch, with the names a UI shows (one query). */
export async function loadBatch(scope: TenantScope, batchId: string): Promise<HealthEvent[]> {
  return await scope.query<HealthEvent>(
    `SELECT ${EVENT_COLUMNS} ${EVENT_FROM} WHERE e.workspace_id = $1 AND e.batch_id = $2 ORDER BY e.created_at, e.kind, e.id`, [batchId]);
}

/** The largest uuid: (since, AFTER_EVERY_ID) is a keyset bound that lets through exactly the events after `since`. */
const AFTER_EVERY_ID = 'ffffffff-ffff-ffff-ffff-ffffffffffff';

/**
 * Events after a time (catch-up after a reconnect), oldest first, a page at a time. Keyset on (created_at, id), which
 * health_events_created_idx orders: `since` and the cursor make one lower bound (the later of the two), so a page is
 * one index range and a page after many others costs what the first one does.
 */
export async function listEvents(
  scope: TenantScope, args: { since: Date; filter: HealthEventFilter; first: number; after?: string | null },
): Promise<HealthEventConnection> {
  const { filter, first } = args;
  if (!Number.isInteger(first) || first < 1 || first > MAX_EVENTS_PAGE) throw new InputError('first', `first must be between 1 and ${MAX_EVENTS_PAGE}.`);
  const since = { at: cursorTimeOf(args.since), id: AFTER_EVERY_ID };
  const cursor = args.after ? decodeTimeIdCursor(args.after, 'healthEvents') : null;
  const bound = cursor && cursor.at > since.at ? cursor : since;
  const rows = await scope.query<HealthEvent & { cursorAt: string }>(
    `SELECT ${EVENT_COLUMNS}, ${cursorTimeSql('e.created_at')} AS "cursorAt" ${EVENT_FROM}
      WHERE e.workspace_id = $1 AND (e.created_at, e.id) > ($2::timestamptz, $3::uuid)
        AND ($4::text[] IS NULL OR e.kind = ANY($4::text[]))
        AND ($5::uuid IS NULL OR a.cluster_id = $5)
        AND ($6::uuid IS NULL OR e.outcome_id = $6)
        AND ($7::uuid[] IS NULL OR e.account_id = ANY($7::uuid[]))
      ORDER BY e.created_at, e.id LIMIT $8`,
    [bound.at, bound.id, filter.kinds?.length ? filter.kinds : null, filter.clusterId ?? null, filter.outcomeId ?? null,
      filter.accountIds?.length ? filter.accountIds : null, first + 1],
  );
  return pageOf(rows, first, ({ cursorAt, ...node }) => ({ cursor: encodeTimeIdCursor(cursorAt, node.id), node }));
}
