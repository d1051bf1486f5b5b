/**
 * Accounts import: each record is checked with the same rules as `upsertAccounts`
 * (validateAccountItems) and staged with COPY; the upsert is one set-based statement with the
 * same semantics (omitted = keep, the cluster computed by the rules in the same statement).
 * The last line of an externalId wins; an unchanged account is not rewritten (re-runs are no-ops).
 */
import type { PoolClient } from 'pg';
import { clusterCaseSql, clustersInOrder, lockClusterConfig } from '../clusters/cluster.assign';
import type { AccountInput } from '../accounts/account.inputs';
import { validateAccountItems } from '../accounts/account.validate';
import type { TenantScope } from '../shared/tenant';
import { copyField } from './copy-text';
import { LINE_PROBLEMS, headerIndexes, snakeCase } from './fields';
import type { RecordStager } from './records';

export const ACCOUNT_FIELDS = ['externalId', 'name', 'attributes', 'csmOwner', 'journeyStartedAt', 'renewalDate', 'lifecycleOutcomes'] as const;
const ATTRIBUTE_COLUMN = /^(attributes?|attr)\.(.+)$/i;
const NAME_REQUIRED = 'name is required to create an account.';

/** CSV columns `attributes.plan`, `attr.seats` … each become one attribute. */
export function isAttributeColumn(name: string): boolean {
  return ATTRIBUTE_COLUMN.test(name);
}

export function accountStagingDdl(table: string): string {
  return `CREATE UNLOGGED TABLE ${table} (line bigint NOT NULL, external_id text, name text, attributes jsonb, set_csm boolean,
    csm_owner text, journey_started_at timestamptz, set_renewal boolean, renewal_date date, lifecycle jsonb,
    problem_field text, problem_reason text)`;
}

export function accountCopySql(table: string): string {
  return `COPY ${table} (line, external_id, name, attributes, set_csm, csm_owner, journey_started_at, set_renewal, renewal_date,
    lifecycle, problem_field, problem_reason) FROM STDIN`;
}

function stageItem(line: number, item: AccountInput): string {
  const { good, rejected } = validateAccountItems([item]);
  if (!good.length) return problemRow(line, rejected[0]?.field || null, rejected[0]?.reason ?? 'Invalid account.');
  const g = good[0];
  const json = (v: unknown) => (v === null ? null : JSON.stringify(v));
  return `${line}\t${copyField(g.externalId)}\t${copyField(g.name)}\t${copyField(json(g.attributes))}\t${g.setCsmOwner ? 't' : 'f'}\t`
    + `${copyField(g.csmOwner)}\t${copyField(g.journeyStartedAt)}\t${g.setRenewalDate ? 't' : 'f'}\t${copyField(g.renewalDate)}\t`
    + `${copyField(json(g.lifecycleOutcomes))}\t\\N\t\\N\n`;
}

function problemRow(line: number, field: string | null, reason: string): string {
  return `${line}\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t${copyField(field)}\t${copyField(reason)}\n`;
}

/** A CSV cell as an attribute value: numbers and true/false typed, everything else text. */
function attributeValue(cell: string): unknown {
  if (cell === 'true' || cell === 'false') return cell === 'true';
  const n = Number(cell);
  return cell.trim() && Number.isFinite(n) ? n : cell;
}

/** A JSON-valued CSV cell; unparsable text is passed on as is, so validation reports the field. */
function jsonCell(cell: string): unknown {
  try { return JSON.parse(cell); } catch { return cell; }
}

export const accountStager: RecordStager = {
  bindCsv(header) {
    const [ie, in_, ia, ic, ij, ir, il] = headerIndexes(header, ACCOUNT_FIELDS);
    const attrCols = header.map((h, i) => [ATTRIBUTE_COLUMN.exec(h)?.[2], i] as const).filter(([k]) => k) as [string, number][];
    // In CSV an empty cell can't mean "clear": it means "not given" (keep the stored value).
    const cell = (r: string[], i: number) => (i >= 0 && r[i] !== '' ? r[i] : undefined);
    return (line, r) => {
      let attributes = cell(r, ia) !== undefined ? jsonCell(r[ia]) as Record<string, unknown> : undefined;
      if (attrCols.length) {
        attributes = { ...(attributes ?? {}) };
        for (const [k, i] of attrCols) if (r[i] !== '') attributes[k] = attributeValue(r[i]);
      }
      const lifecycle = cell(r, il);
      return stageItem(line, {
        externalId: r[ie] ?? '', name: cell(r, in_), attributes, csmOwner: cell(r, ic),
        journeyStartedAt: cell(r, ij), renewalDate: cell(r, ir),
        lifecycleOutcomes: lifecycle === undefined ? undefined : jsonCell(lifecycle) as AccountInput['lifecycleOutcomes'],
      });
    };
  },
  bindJson() {
    // Keys as in the API (camelCase) or snake_case; omitted = keep, null = clear, as in upsertAccounts.
    const pick = (o: Record<string, unknown>, f: string) => (f in o ? o[f] : o[snakeCase(f)]);
    return (line, o) => stageItem(line, {
      externalId: pick(o, 'externalId') as string, name: pick(o, 'name') as string, attributes: pick(o, 'attributes') as Record<string, unknown>,
      csmOwner: pick(o, 'csmOwner') as string, journeyStartedAt: pick(o, 'journeyStartedAt') as string,
      renewalDate: pick(o, 'renewalDate') as string, lifecycleOutcomes: pick(o, 'lifecycleOutcomes') as AccountInput['lifecycleOutcomes'],
    });
  },
  problemLine(line, code) {
    return problemRow(line, null, LINE_PROBLEMS[code] ?? code);
  },
};

/** `COPY … TO STDOUT` of rejected rows: `line \t field \t reason`, in line order. */
export function accountRejectsCopySql(table: string, workspaceId: string, client: PoolClient): string {
  return `COPY (SELECT s.line, CASE WHEN s.problem_reason IS NOT NULL THEN s.problem_field ELSE 'name' END,
                      coalesce(s.problem_reason, ${client.escapeLiteral(NAME_REQUIRED)})
                 FROM ${table} s LEFT JOIN accounts a ON a.workspace_id = ${client.escapeLiteral(workspaceId)}::uuid AND a.external_id = s.external_id
                WHERE s.problem_reason IS NOT NULL OR (s.name IS NULL AND a.id IS NULL)
                ORDER BY s.line) TO STDOUT`;
}

export interface AccountMoveResult {
  created: number;
  updated: number;
  /** New, changed or re-clustered accounts (to rescore). */
  accountIds: string[];
}

export async function moveAccounts(scope: TenantScope, table: string): Promise<AccountMoveResult> {
  await lockClusterConfig(scope, 'shared'); // not while the cluster rules are being replaced
  const clusters = await clustersInOrder(scope);
  const params: unknown[] = [];
  const clusterSql = clusterCaseSql(clusters, 'm', params, 1);
  const rows = await scope.query<{ id: string; inserted: boolean }>(
    `WITH src AS (
       SELECT DISTINCT ON (s.external_id) s.*
         FROM ${table} s
        WHERE s.problem_reason IS NULL
          AND (s.name IS NOT NULL OR EXISTS (SELECT 1 FROM accounts x WHERE x.workspace_id = $1 AND x.external_id = s.external_id))
        ORDER BY s.external_id, s.line DESC
     ), merged AS (
       SELECT i.external_id, a.id AS old_id, a.cluster_id AS old_cluster_id,
              COALESCE(i.name, a.name) AS name,
              COALESCE(i.attributes, a.attributes, '{}'::jsonb) AS attributes,
              CASE WHEN i.set_csm THEN i.csm_owner ELSE a.csm_owner END AS csm_owner,
              COALESCE(i.journey_started_at, a.journey_started_at, now()) AS journey_started_at,
              CASE WHEN i.set_renewal THEN i.renewal_date ELSE a.renewal_date END AS renewal_date,
              (a.name, a.attributes, a.csm_owner, a.journey_started_at, a.renewal_date) AS old_values
         FROM src i LEFT JOIN accounts a ON a.workspace_id = $1 AND a.external_id = i.external_id
     ), changed AS (
       SELECT m.*, ${clusterSql} AS cluster_id FROM merged m
     )
     INSERT INTO accounts AS acc (workspace_id, external_id, name, attributes, csm_owner, journey_started_at, renewal_date, cluster_id)
     SELECT $1, c.external_id, c.name, c.attributes, c.csm_owner, c.journey_started_at, c.renewal_date, c.cluster_id
       FROM changed c
      WHERE c.old_id IS NULL
         OR c.cluster_id IS DISTINCT FROM c.old_cluster_id
         OR (c.name, c.attributes, c.csm_owner, c.journey_started_at, c.renewal_date) IS DISTINCT FROM c.old_values
     ON CONFLICT (workspace_id, external_id) DO UPDATE
       SET name = EXCLUDED.name, attributes = EXCLUDED.attributes, csm_owner = EXCLUDED.csm_owner,
           journey_started_at = EXCLUDED.journey_started_at, renewal_date = EXCLUDED.renewal_date,
           cluster_id = EXCLUDED.cluster_id, updated_at = now()
     RETURNING acc.id, (acc.xmax = 0) AS inserted`,
    params);
  await replaceLifecycleOutcomes(scope, table);
  const created = rows.filter((r) => r.inserted).length;
  return { created, updated: rows.length - created, accountIds: rows.map((r) => r.id) };
}

/** Lifecycle outcomes given on the winning line of an account replace its recorded set. */
async function replaceLifecycleOutcomes(scope: TenantScope, table: string): Promise<void> {
  const given = `SELECT DISTINCT ON (s.external_id) s.external_id, s.lifecycle FROM ${table} s
                  WHERE s.problem_reason IS NULL ORDER BY s.external_id, s.line DESC`;
  await scope.query(
    `WITH given AS (${given}), gone AS (
       DELETE FROM lifecycle_outcomes l USING accounts a, given g
        WHERE l.workspace_id = $1 AND a.workspace_id = $1 AND l.account_id = a.id AND a.external_id = g.external_id
          AND g.lifecycle IS NOT NULL
       RETURNING 1)
     SELECT count(*) FROM gone`);
  await scope.query(
    `WITH given AS (${given}), ins AS (
       INSERT INTO lifecycle_outcomes (workspace_id, account_id, kind, occurred_on)
       SELECT DISTINCT a.workspace_id, a.id, lo->>'kind', (lo->>'date')::date
         FROM given g JOIN accounts a ON a.workspace_id = $1 AND a.external_id = g.external_id
              CROSS JOIN LATERAL jsonb_array_elements(g.lifecycle) lo
        WHERE g.lifecycle IS NOT NULL
       RETURNING 1)
     SELECT count(*) FROM ins`);
}

