/**
 * Rules are validated once here and compiled to SQL predicates over `<alias>.attributes`, so
 * cluster assignment and applicability are evaluated set-based inside PostgreSQL.
 */
import { InputError } from '../shared/errors';
import { RuleJson, RuleOperator } from './rule.types';

const MAX_DEPTH = 6;
const SCALAR_OPS = new Set([RuleOperator.EQ, RuleOperator.NEQ]);
const LIST_OPS = new Set([RuleOperator.IN, RuleOperator.NOT_IN]);
const NUMERIC_OPS: Record<string, string> = { GT: '>', GTE: '>=', LT: '<', LTE: '<=' };

/** Check a rule's shape; returns a normalised copy (only the fields that matter) or throws BAD_USER_INPUT. */
export function validateRule(rule: RuleJson, field: string, depth = 0): RuleJson {
  if (depth > MAX_DEPTH) throw new InputError(field, `Rules may nest at most ${MAX_DEPTH} levels deep.`);
  const forms = [rule.all !== undefined && rule.all !== null, rule.any !== undefined && rule.any !== null, !!rule.attribute];
  if (forms.filter(Boolean).length !== 1) {
    throw new InputError(field, 'A rule must have exactly one of: all, any, or attribute with op.');
  }
  if (rule.all || rule.any) {
    const key = rule.all ? 'all' : 'any';
    const list = (rule.all ?? rule.any)!;
    if (list.length === 0) throw new InputError(`${field}.${key}`, `"${key}" needs at least one rule.`);
    return { [key]: list.map((r, i) => validateRule(r, `${field}.${key}[${i}]`, depth + 1)) };
  }
  const op = rule.op;
  if (!op) throw new InputError(`${field}.op`, `Condition on "${rule.attribute}" needs an op.`);
  const value = rule.value;
  if (op === RuleOperator.EXISTS || op === RuleOperator.NOT_EXISTS) {
    if (value !== undefined && value !== null) throw new InputError(`${field}.value`, `${op} takes no value.`);
    return { attribute: rule.attribute, op };
  }
  if (SCALAR_OPS.has(op)) {
    if (!isScalar(value)) throw new InputError(`${field}.value`, `${op} needs a string, number or boolean value.`);
  } else if (LIST_OPS.has(op)) {
    if (!Array.isArray(value) || value.length === 0 || !value.every(isScalar)) {
      throw new InputError(`${field}.value`, `${op} needs a non-empty list of strings, numbers or booleans.`);
    }
  } else if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InputError(`${field}.value`, `${op} compares numbers: value must be a finite number.`);
  }
  return { attribute: rule.attribute, op, value };
}

function isScalar(v: unknown): v is string | number | boolean {
  return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

/**
 * Compile a (validated) rule into a SQL boolean expression over `${alias}.attributes`.
 * Values are bound as parameters: `params` is appended to, numbered from `params.length + 1 + offset`.
 */
export function ruleToSql(rule: RuleJson, alias: string, params: unknown[], offset = 0): string {
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length + offset}`;
  };
  if (rule.all) return `(${rule.all.map((r) => ruleToSql(r, alias, params, offset)).join(' AND ')})`;
  if (rule.any) return `(${rule.any.map((r) => ruleToSql(r, alias, params, offset)).join(' OR ')})`;
  const attr = `${alias}.attributes -> ${p(rule.attribute)}::text`;
  switch (rule.op) {
    case RuleOperator.EXISTS: return `(${attr} IS NOT NULL AND ${attr} <> 'null'::jsonb)`;
    case RuleOperator.NOT_EXISTS: return `(${attr} IS NULL OR ${attr} = 'null'::jsonb)`;
    case RuleOperator.EQ: return `(${attr} = ${p(JSON.stringify(rule.value))}::jsonb)`;
    case RuleOperator.NEQ: return `(${attr} IS DISTINCT FROM ${p(JSON.stringify(rule.value))}::jsonb)`;
    case RuleOperator.IN: return `(COALESCE(${p(JSON.stringify(rule.value))}::jsonb @> jsonb_build_array(${attr}), false))`;
    case RuleOperator.NOT_IN: return `(NOT COALESCE(${p(JSON.stringify(rule.value))}::jsonb @> jsonb_build_array(${attr}), false))`;
    default: {
      const cmp = NUMERIC_OPS[rule.op as string];
      if (!cmp) throw new Error(`Unknown rule operator ${rule.op}`);
      // Only numeric attributes compare; a missing or non-numeric attribute makes the condition false.
      return `(CASE WHEN jsonb_typeof(${attr}) = 'number' THEN (${attr})::numeric ${cmp} ${p(rule.value)}::numeric ELSE false END)`;
    }
  }
}

/** Human-readable form, e.g. `managed = true AND plan IN ["enterprise"]`. */
export function ruleToText(rule: RuleJson | null | undefined): string {
  if (!rule) return 'everything else (default)';
  if (rule.all) return rule.all.map((r) => wrap(r)).join(' AND ');
  if (rule.any) return rule.any.map((r) => wrap(r)).join(' OR ');
  const sym: Record<string, string> = { EQ: '=', NEQ: '!=', GT: '>', GTE: '>=', LT: '<', LTE: '<=', IN: 'IN', NOT_IN: 'NOT IN' };
  if (rule.op === RuleOperator.EXISTS) return `${rule.attribute} exists`;
  if (rule.op === RuleOperator.NOT_EXISTS) return `${rule.attribute} does not exist`;
  return `${rule.attribute} ${sym[rule.op as string]} ${JSON.stringify(rule.value)}`;
}

function wrap(r: RuleJson): string {
  return r.all || r.any ? `(${ruleToText(r)})` : ruleToText(r);
}
