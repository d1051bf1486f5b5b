/**
 * The read-along fast path (src/shared/read-along.ts) on a small schema of its own: a field answers with the value
 * its list read along only for the exact arguments it was read for, and otherwise runs its resolver.
 */
import { graphql, GraphQLInt, GraphQLList, GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { attachReadAlong, installReadAlong, readAlongKey } from '../src/shared/read-along';

function schemaWith(items: object[], calls: string[]): GraphQLSchema {
  const Item = new GraphQLObjectType({
    name: 'Item',
    fields: {
      plain: { type: GraphQLString },
      label: { type: GraphQLString, resolve: () => { calls.push('label'); return 'resolved'; } },
      top: {
        type: new GraphQLList(GraphQLInt),
        args: { n: { type: GraphQLInt } },
        resolve: (_root, args: { n?: number | null }) => { calls.push(`top(${args.n})`); return [-1]; },
      },
    },
  });
  const schema = new GraphQLSchema({ query: new GraphQLObjectType({ name: 'Query', fields: { items: { type: new GraphQLList(Item), resolve: () => items } } }) });
  installReadAlong(schema);
  return schema;
}

describe('read-along fast path', () => {
  it('names a field with its arguments as the query coerced them', () => {
    expect(readAlongKey('health', {})).toBe('health');
    expect(readAlongKey('drivers', { top: 3 })).toBe('drivers(top:3)');
    expect(readAlongKey('drivers', { top: null })).toBe('drivers(top:null)');
    expect(readAlongKey('f', { a: 'x', b: [1, 2] })).toBe('f(a:"x",b:[1,2])');
  });

  it('answers from the parent object only for the arguments it was read for', async () => {
    const calls: string[] = [];
    const read = attachReadAlong({ plain: 'p' }, { label: 'read along', [readAlongKey('top', { n: 3 })]: [1, 2, 3] });
    const schema = schemaWith([read, { plain: 'q' }], calls);
    const res = await graphql({ schema, source: '{ items { plain label a: top(n: 3) b: top(n: 2) } }' });
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({
      items: [
        { plain: 'p', label: 'read along', a: [1, 2, 3], b: [-1] },
        { plain: 'q', label: 'resolved', a: [-1], b: [-1] },
      ],
    });
    // The first item's resolver ran only for the arguments nothing was read along for.
    expect(calls).toEqual(['top(2)', 'label', 'top(3)', 'top(2)']);
  });

  it('serves a value read along as null (a known absence) without running the resolver', async () => {
    const calls: string[] = [];
    const schema = schemaWith([attachReadAlong({}, { label: null })], calls);
    const res = await graphql({ schema, source: '{ items { label } }' });
    expect(res.data).toEqual({ items: [{ label: null }] });
    expect(calls).toEqual([]);
  });
});
