/**
 * Relay connections (edges { cursor node }, pageInfo): the page info every connection shares, and the keyset cursor of
 * the lists ordered by a time and then the id (health events, scoring runs). Keyset, not OFFSET: a page costs the
 * same at the end of the list as at its start, and rows added meanwhile neither repeat nor go missing.
 */
import { Field, ObjectType } from 'type-graphql';
import { InputError } from './errors';
import { isUuid } from './tenant';

@ObjectType({ simpleResolvers: true, description: 'Where a page of a connection ends.' })
export class PageInfo {
  @Field({ description: 'Whether there are more items after this page: pass `endCursor` as `after` to get them.' })
  hasNextPage: boolean;

  @Field(() => String, { nullable: true, description: 'The cursor of the last item of the page; null when the page is empty.' })
  endCursor: string | null;
}

/**
 * SQL of a timestamptz column as the text a cursor keeps: UTC with all its microseconds (a JavaScript Date keeps
 * milliseconds only, which would repeat or skip rows written in the same millisecond).
 */
export const cursorTimeSql = (column: string): string => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** A JavaScript time as a cursor keeps times (text of the same width, so cursor times compare as strings). */
export function cursorTimeOf(t: Date): string {
  const iso = t.toISOString();
  if (!/^\d{4}-.*\.\d{3}Z$/.test(iso)) throw new InputError('since', 'The time must be between the years 0 and 9999.');
  return `${iso.slice(0, -1)}000Z`;
}

/**
 * A keyset cursor, opaque to clients: the values a row is ordered by (its id last), and for a list with a choice of
 * orderings the ordering too. Every connection's cursors are made here and read back by `decodeCursor`.
 */
export function encodeCursor(values: ReadonlyArray<string | null>): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/**
 * The values of a cursor made by `encodeCursor`, when `valid` accepts them; BAD_USER_INPUT on `after` with
 * `message` for anything else (not base64url JSON, another list's cursor, a tampered one).
 */
export function decodeCursor<T extends Array<string | null>>(after: string, valid: (values: unknown[]) => values is T, message: string): T {
  try {
    const v = JSON.parse(Buffer.from(after, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && valid(v)) return v;
  } catch { /* reported below */ }
  throw new InputError('after', message);
}

/** A (time, id) keyset cursor. */
export function encodeTimeIdCursor(at: string, id: string): string {
  return encodeCursor([at, id]);
}

/** The (time, id) of a cursor made by `encodeTimeIdCursor`; BAD_USER_INPUT on `after` for anything else. */
export function decodeTimeIdCursor(after: string, list: string): { at: string; id: string } {
  const [at, id] = decodeCursor(after, (v): v is [string, string] => v.length === 2 && typeof v[0] === 'string' && CURSOR_TIME.test(v[0])
    && !Number.isNaN(Date.parse(v[0])) && typeof v[1] === 'string' && isUuid(v[1]), cursorMessage(list));
  return { at, id };
}

/** What a client is told about a cursor that is not one of `list`'s. */
export const cursorMessage = (list: string): string => `after must be a cursor returned by ${list} (edges.cursor or pageInfo.endCursor).`;

/** The page of a connection from `first + 1` rows fetched in order (the extra row only tells that there is more). */
export function pageOf<R, N>(rows: R[], first: number, edge: (row: R) => { cursor: string; node: N }): { edges: Array<{ cursor: string; node: N }>; pageInfo: PageInfo } {
  const edges = rows.slice(0, first).map(edge);
  return { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
}
