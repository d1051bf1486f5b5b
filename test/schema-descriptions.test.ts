/**
 * Descriptions a front-end engineer can act on (docs/client-cache.md): every type, field, argument, input field,
 * enum value, custom scalar and directive of the schema carries one, so that a new one without a description
 * fails here. (In-process: the schema as the code builds it.)
 */
import {
  buildSchema as buildSdl, isEnumType, isInputObjectType, isInterfaceType, isObjectType, isScalarType, isSpecifiedDirective,
  isSpecifiedScalarType, type GraphQLSchema,
} from 'graphql';
import { getSchema } from '../src/schema';

/** Every element of the schema without a description, named `Type`, `Type.field`, `Type.field(arg)`, `Enum.VALUE`, `@directive(arg)`. */
function undescribed(schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  const check = (name: string, description: string | null | undefined) => { if (!description?.trim()) missing.push(name); };
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || (isScalarType(type) && isSpecifiedScalarType(type))) continue;
    check(type.name, type.description);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const f of Object.values(type.getFields())) {
        check(`${type.name}.${f.name}`, f.description);
        for (const a of f.args) check(`${type.name}.${f.name}(${a.name})`, a.description);
      }
    }
    if (isInputObjectType(type)) for (const f of Object.values(type.getFields())) check(`${type.name}.${f.name}`, f.description);
    if (isEnumType(type)) for (const v of type.getValues()) check(`${type.name}.${v.name}`, v.description);
  }
  for (const d of schema.getDirectives()) {
    if (isSpecifiedDirective(d)) continue;
    check(`@${d.name}`, d.description);
    for (const a of d.args) check(`@${d.name}(${a.name})`, a.description);
  }
  return missing;
}

describe('schema descriptions', () => {
  it('every type, field, argument, input field, enum value, scalar and directive is described', async () => {
    const missing = undescribed(await getSchema());
    expect(missing).toEqual([]);
  });

  it('the walk finds what is missing anywhere in a schema', () => {
    const schema = buildSdl(`
      """A directive."""
      directive @d(a: Int) on FIELD
      scalar S
      """Q"""
      type Query { """f""" f(x: Int, """y""" y: I): T }
      """T"""
      interface T { g: Int }
      """I"""
      input I { h: Int }
      """E"""
      enum E { """A""" A B }
    `);
    expect(undescribed(schema).sort()).toEqual(
      ['@d(a)', 'E.B', 'I.h', 'Query.f(x)', 'S', 'T.g'].sort(),
    );
  });

  it('scores say they are unrounded and how to show them', async () => {
    const schema = await getSchema();
    for (const [type, field] of [['OutcomeHealth', 'score'], ['AccountHealth', 'score'], ['Driver', 'score'], ['OutcomeHealth', 'proactive'], ['HealthPoint', 'score']]) {
      const t = schema.getType(type);
      if (!isObjectType(t)) throw new Error(`${type} is not an object type`);
      expect([type, field, t.getFields()[field].description]).toEqual([type, field, expect.stringMatching(/unrounded.*one decimal/i)]);
    }
  });
});
