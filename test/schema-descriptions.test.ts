/**
 * Descriptions a front-end engineer can act on (docs/client-cache.md): every enum and enum value, and every field
 * and argument of the types a health screen reads, carries one. (In-process: the schema as the code builds it.)
 */
import { isEnumType, isObjectType, type GraphQLSchema } from 'graphql';
import { getSchema } from '../src/schema';

/** The health read path and what surrounds it on a screen. */
const FULLY_DESCRIBED = [
  'Account', 'AccountHealth', 'OutcomeHealth', 'JourneyHealth', 'Driver', 'MilestoneProgress', 'OverdueMilestone',
  'HealthChange', 'ComponentMove', 'HealthPoint', 'AccountScore', 'HealthEvent',
];

function undescribed(schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (isEnumType(type)) {
      if (!type.description) missing.push(`enum ${type.name}`);
      for (const v of type.getValues()) if (!v.description) missing.push(`${type.name}.${v.name}`);
    }
    if (isObjectType(type) && FULLY_DESCRIBED.includes(type.name)) {
      if (!type.description) missing.push(`type ${type.name}`);
      for (const f of Object.values(type.getFields())) {
        if (!f.description) missing.push(`${type.name}.${f.name}`);
        for (const a of f.args) if (!a.description) missing.push(`${type.name}.${f.name}(${a.name})`);
      }
    }
  }
  return missing;
}

describe('schema descriptions', () => {
  it('every enum value, and every field and argument of the health types, is described', async () => {
    const schema = await getSchema();
    for (const name of FULLY_DESCRIBED) expect([name, isObjectType(schema.getType(name))]).toEqual([name, true]);
    expect(undescribed(schema)).toEqual([]);
  });

  it('scores say they are unrounded and how to show them', async () => {
    const schema = await getSchema();
    for (const [type, field] of [['OutcomeHealth', 'score'], ['AccountHealth', 'score'], ['Driver', 'score'], ['OutcomeHealth', 'proactive']]) {
      const t = schema.getType(type);
      if (!isObjectType(t)) throw new Error(`${type} is not an object type`);
      expect([type, field, t.getFields()[field].description]).toEqual([type, field, expect.stringMatching(/unrounded.*one decimal/i)]);
    }
  });
});
