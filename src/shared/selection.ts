/**
 * Look-ahead at a resolver's selection set: which fields a query asks for below it, so that a list can plan what
 * its items will be asked for and read it in its own SQL statement (src/shared/plan.ts). Directives are not
 * evaluated: a field under `@skip` counts as selected, so a plan may read more than is returned, never less.
 */
import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode, type ValueNode } from 'graphql';

/**
 * The fields selected in these nodes' selection sets, by field name (not alias): every node of each, aliases,
 * fragments and inline fragments merged. `__typename` included.
 */
export function selectedFields(info: GraphQLResolveInfo, nodes: readonly FieldNode[]): Map<string, FieldNode[]> {
  const out = new Map<string, FieldNode[]>();
  const walk = (set: SelectionSetNode, depth: number): void => {
    if (depth > 20) return; // validated documents have no fragment cycles; bounded all the same
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        const list = out.get(sel.name.value);
        if (list) list.push(sel); else out.set(sel.name.value, [sel]);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        walk(sel.selectionSet, depth + 1);
      } else {
        const fragment = info.fragments[sel.name.value];
        if (fragment) walk(fragment.selectionSet, depth + 1);
      }
    }
  };
  for (const node of nodes) if (node.selectionSet) walk(node.selectionSet, 0);
  return out;
}

/** The field nodes at `path` below the resolver's field (e.g. ['edges', 'node', 'outcomes']). */
export function selectedAt(info: GraphQLResolveInfo, path: readonly string[]): FieldNode[] {
  let nodes: readonly FieldNode[] = info.fieldNodes;
  for (const name of path) {
    nodes = selectedFields(info, nodes).get(name) ?? [];
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
