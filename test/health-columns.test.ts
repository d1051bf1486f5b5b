/**
 * The health GraphQL types take their column fields from the column tables (src/health/health.columns.ts): each
 * column that carries a field shows on its type under its field name, with its description and nullability, and
 * the type's constructor copies its value; a column added to a table shows without another edit. (In-process.)
 */
import 'reflect-metadata';
import { getNullableType, isNonNullType, isObjectType, printType, type GraphQLSchema } from 'graphql';
import { buildSchema, Field, ID, Int, ObjectType, Query, Resolver } from 'type-graphql';
import { getSchema } from '../src/schema';
import {
  CURRENT_ACCOUNT_HEALTH_COLUMNS, declareFields, fieldValues, HISTORY_POINT_COLUMNS, OUTCOME_JOURNEY_COLUMNS, OUTCOME_SCORE_COLUMNS,
  type HealthColumn,
} from '../src/health/health.columns';
import { AccountHealth, HealthBand, JourneyHealth, JourneyStatus, OutcomeHealth } from '../src/health/health.types';
import type { StoredOutcomeRow } from '../src/health/health.loaders';

const TABLES: Array<[string, Record<string, HealthColumn<unknown>>]> = [
  ['AccountHealth', CURRENT_ACCOUNT_HEALTH_COLUMNS], ['OutcomeHealth', OUTCOME_SCORE_COLUMNS],
  ['JourneyHealth', OUTCOME_JOURNEY_COLUMNS], ['HealthPoint', HISTORY_POINT_COLUMNS],
];

function fieldOf(schema: GraphQLSchema, type: string, name: string) {
  const t = schema.getType(type);
  if (!isObjectType(t)) throw new Error(`${type} is not an object type`);
  return t.getFields()[name];
}

describe('health GraphQL types from the column tables', () => {
  it('every column with a field shows on its type, typed, described and nullable as declared', async () => {
    const schema = await getSchema();
    let checked = 0;
    for (const [type, columns] of TABLES) {
      for (const [property, c] of Object.entries(columns)) {
        if (!c.field) continue;
        const name = c.field.name ?? property;
        const f = fieldOf(schema, type, name);
        expect([type, name, !!f]).toEqual([type, name, true]);
        expect([type, name, isNonNullType(f.type)]).toEqual([type, name, !(c.field.nullable ?? !!c.options.nullable)]);
        const expected = c.field.type === HealthBand ? 'HealthBand' : c.field.type === JourneyStatus ? 'JourneyStatus' : (c.field.type as { name: string }).name;
        expect([type, name, String(getNullableType(f.type))]).toEqual([type, name, expected]);
        if (type !== 'HealthPoint') expect([type, name, f.description]).toEqual([type, name, c.field.description]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(13);
    // Renamed columns keep the schema's names; columns without a field stay out.
    expect(fieldOf(await getSchema(), 'OutcomeHealth', 'day')).toBeDefined();
    expect(fieldOf(await getSchema(), 'OutcomeHealth', 'journeyDay')).toBeUndefined();
    expect(fieldOf(await getSchema(), 'OutcomeHealth', 'stageId')).toBeUndefined();
    expect(fieldOf(await getSchema(), 'JourneyHealth', 'status')).toBeDefined();
    expect(fieldOf(await getSchema(), 'JourneyHealth', 'overdueCount')).toBeUndefined();
  });

  it('the types copy each column field from the row, under its field name', () => {
    const row = {
      accountId: 'a', outcomeId: 'o', asOf: new Date('2026-01-02T00:00:00Z'), modelVersionId: null, score: 61.25, band: 'YELLOW', proactive: 50.5,
      reactive: 72, coverage: 0.75, stageId: 's', journeyDay: 12, journeyStatus: 'BEHIND', overdueCount: 1, nextMilestoneId: 'm', daysUntilDue: 3,
    } as StoredOutcomeRow;
    const oh = OutcomeHealth.from(row);
    expect({ ...oh, row: undefined }).toMatchObject({
      id: 'a:o@2026-01-02T00:00:00.000Z', outcomeId: 'o', score: 61.25, band: 'YELLOW', proactive: 50.5, reactive: 72, coverage: 0.75, day: 12,
    });
    expect(new JourneyHealth(row)).toMatchObject({ status: 'BEHIND', nextMilestoneId: 'm', daysUntilDue: 3 });
    expect(AccountHealth.from({ accountId: 'a', asOf: row.asOf, score: 40.5, band: 'YELLOW', coverage: 0.5, worstJourneyStatus: 'STUCK' }, 'a'))
      .toMatchObject({ score: 40.5, band: 'YELLOW', coverage: 0.5, worstJourneyStatus: 'STUCK', asOf: row.asOf });
    expect(AccountHealth.from(null, 'a')).toMatchObject({ id: 'a@never', score: null, band: 'UNKNOWN', coverage: null, worstJourneyStatus: null, asOf: null });
  });

  it('a column added to a table shows as a field without another edit', async () => {
    @ObjectType({ description: 'A type for this test.' })
    class Probe {
      @Field(() => ID, { description: 'Its id.' }) id: string;
    }
    const table = {
      renewalRisk: { type: 'int', options: { nullable: true }, field: { type: Int, description: 'Risk 0-10; null when unknown.' } },
      internal: { type: 'int', options: {} },
      daysLeft: { type: 'int', options: {}, field: { type: Int, description: 'Days left.', name: 'left' } },
    } satisfies Record<string, HealthColumn<number | null>>;
    declareFields(Probe, table);
    @Resolver()
    class ProbeResolver {
      @Query(() => Probe, { description: 'The probe.' }) probe(): Probe {
        return Object.assign(new Probe(), { id: 'p' }, fieldValues(table, { renewalRisk: 3, internal: 1, daysLeft: 9 }));
      }
    }
    const schema = await buildSchema({ resolvers: [ProbeResolver], validate: false, authChecker: () => true });
    expect(printType(schema.getType('Probe')!)).toContain('"""Risk 0-10; null when unknown."""\n  renewalRisk: Int\n');
    expect(printType(schema.getType('Probe')!)).toContain('left: Int!');
    expect(printType(schema.getType('Probe')!)).not.toContain('internal');
    expect(fieldValues(table, { renewalRisk: 3, internal: 1, daysLeft: 9 })).toEqual({ renewalRisk: 3, left: 9 });
  });
});
