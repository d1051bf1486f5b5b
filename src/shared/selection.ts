/**
 * Look-ahead at a resolver's selection set: which fields a query asks for below it, so that a list can read
 * what its items' field resolvers will need in its own SQL statement (and prime their loaders: src/health/health.prefetch.ts)
 * instead of one statement per relation. Purely an optimisation: a field the look-ahead misses (or over-reports,
 * e.g. under `@skip`) is still resolved correctly by its loader.
 */
import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode, type ValueNode } from 'graphql';

/** The field nodes named `name` directly in these selection sets (fragments and inline fragments followed). */
function childFields(info: GraphQLResolveInfo, sets: readonly SelectionSetNode[], name: string): FieldNode[] {
  const out: FieldNode[] = [];
  const walk = (set: SelectionSetNode, depth: number): void => {
    if (depth > 20) return; // validated documents have no fragment cycles; bounded all the same
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (sel.name.value === name) out.push(sel);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        walk(sel.selectionSet, depth + 1);
      } else {
        const fragment = info.fragments[sel.name.value];
        if (fragment) walk(fragment.selectionSet, depth + 1);
      }
    }
  };
  for (const set of sets) walk(set, 0);
  return out;
}

/** The field nodes at `path` below the resolver's field (e.g. ['edges', 'node', 'outcomes']). */
export function selectedAt(info: GraphQLResolveInfo, path: readonly string[]): FieldNode[] {
  let nodes: readonly FieldNode[] = info.fieldNodes;
  for (const name of path) {
    const sets = nodes.map((n) => n.selectionSet).filter((s): s is SelectionSetNode => !!s);
    nodes = childFields(info, sets, name);
    if (!nodes.length) return [];
  }
  return [...nodes];
}

/**
 * The value of an Int argument of a field node, with variables (and their defaults) applied: a number, null
 * when absent or null, or undefined when it cannot be told here (then the caller must not rely on it).
 */
export function intArgument(info: GraphQLResolveInfo, node: FieldNode, name: string): number | null | undefined {
  const arg = node.arguments?.find((a) => a.name.value === name);
  if (!arg) return null;
  return intValue(info, arg.value);
}

function intValue(info: GraphQLResolveInfo, value: ValueNode): number | null | undefined {
  if (value.kind === Kind.NULL) return null;
  if (value.kind === Kind.INT) return Number.parseInt(value.value, 10);
  if (value.kind !== Kind.VARIABLE) return undefined;
  const v = (info.variableValues as Record<string, unknown> | undefined)?.[value.name.value];
  if (v === null) return null;
  if (typeof v === 'number') return v;
  if (v !== undefined) return undefined;
  const def = info.operation.variableDefinitions?.find((d) => d.variable.name.value === value.name.value);
  return def?.defaultValue ? intValue(info, def.defaultValue) : null;
}
