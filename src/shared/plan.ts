/**
 * Page plans: the one mechanism of the read path.
 *
 * A list (the account list) looks ahead at what the query asks of its items and compiles it into a plan: for each
 * relation of an item it can read (an account's health, its outcomes with their drivers, outcome and next milestone,
 * its cluster), the fields asked for. The list's own SQL statement then builds, per item, those relations as JSON
 * objects whose keys are the GraphQL field names, and hands them to the item as `planned`. A planned relation
 * answers with that value (`answerPlannedRelations`); any other object reaches the relation through its resolver and
 * DataLoader, as always. So a page costs one statement, node parses only what the page returns, and a planned
 * relation costs a property lookup: no loader, no row objects, no copies, no call into type-graphql.
 *
 * A relation is planned only when every field asked below it is one the plan can read (a stored column, or a
 * relation it plans too); otherwise it is left to its resolver, whole. Both ways give the same answer
 * (test/page-plan.test.ts and test/n-plus-one.test.ts compare a page with `account(id)`).
 */
import type { GraphQLObjectType, GraphQLResolveInfo, GraphQLSchema } from 'graphql';
import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import { jsonKindOf } from './tenant';

/** The field names a plan reads of an object (GraphQL names; `__typename` needs nothing). */
export type PlannedFields = readonly string[];

/** `json_build_object('k', v, …)` of (GraphQL field name, SQL) pairs: an object shaped as its GraphQL type. */
export function jsonObject(pairs: ReadonlyArray<readonly [string, string]>): string {
  return `json_build_object(${pairs.map(([key, sql]) => `'${key}', ${sql}`).join(', ')})`;
}

/** A timestamptz as `Date#toISOString` writes it (UTC, milliseconds), so that a planned value equals a loaded one. */
export const isoSql = (expr: string) => `to_char(${expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The fields of an entity's GraphQL type a plan can read: every field asked for is a stored column under the same
 * name and has no resolver of its own. Null when one is not (then the relation is loaded, not planned).
 */
export function plannableEntityFields(
  info: GraphQLResolveInfo, db: DataSource, entity: EntityTarget<ObjectLiteral>, typeName: string, asked: Iterable<string>,
): PlannedFields | null {
  const type = info.schema.getType(typeName) as GraphQLObjectType;
  const meta = db.getMetadata(entity);
  const fields: string[] = [];
  for (const name of asked) {
    if (name === '__typename') continue;
    const field = type.getFields()[name];
    if (!field || field.resolve || !meta.findColumnWithPropertyName(name)) return null;
    fields.push(name);
  }
  return fields;
}

/**
 * The SQL of an entity's planned object over row alias `alias`, valued as node-postgres reads the column (timestamps
 * as ISO text, dates and big numbers as text), so that a field serializes to the same answer either way.
 */
export function entityObjectSql(db: DataSource, entity: EntityTarget<ObjectLiteral>, fields: PlannedFields, alias: string): string {
  const meta = db.getMetadata(entity);
  return jsonObject(fields.map((name) => {
    const column = meta.findColumnWithPropertyName(name)!;
    const sql = `${alias}."${column.databaseName}"`;
    const kind = jsonKindOf(column);
    return [name, kind === 'timestamp' ? isoSql(sql) : kind === 'text' ? `${sql}::text` : sql] as const;
  }));
}

/** A relation a page plan may read along: `[type, field]`, its value on the parent's `planned` under the field name. */
export type PlannedRelation = readonly [typeName: string, fieldName: string];

/**
 * Where the plan meets the resolvers, applied once to the built schema for the relations the plans read (and only
 * those): such a field answers with the parent's `planned` value when the page read it (null included), and runs its
 * own resolver (through its DataLoader) otherwise. A planned object therefore never reaches a resolver of
 * type-graphql: the plan reads a relation only when it can read everything asked below it.
 */
export function answerPlannedRelations(schema: GraphQLSchema, relations: Iterable<PlannedRelation>): void {
  for (const [typeName, fieldName] of relations) {
    const field = (schema.getType(typeName) as GraphQLObjectType | undefined)?.getFields()[fieldName];
    const load = field?.resolve;
    if (!field || !load) throw new Error(`A planned relation must be a field with a resolver: ${typeName}.${fieldName}`);
    field.resolve = (parent: { planned?: Record<string, unknown> }, args, context, info) => {
      const value = parent.planned?.[fieldName];
      return value !== undefined ? value : load(parent, args, context, info);
    };
  }
}
