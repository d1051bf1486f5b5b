/**
 * Shape rules of the "define" documents live as class-validator decorators on the input classes.
 * The define mutations run them here (not in type-graphql's argument validation) so that every
 * error names the full path from the argument, e.g. `input.stages[1].key`, like the cross-field
 * rules do, and so that services called without GraphQL (seeds, CLIs) are validated the same way.
 */
import { validate } from 'class-validator';
import { DomainError, flattenValidationErrors } from '../shared/errors';

/** Stable keys: lowercase slug, matched on redefinition and referenced by stage overrides. */
export const KEY_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const KEY_MESSAGE = '$property must be a slug: lowercase letters, digits, - and _ (at most 64, starting with a letter or digit)';

/**
 * Signal type names exactly as ingestion accepts them (`login`, `feature_used`, `tag:champion_left`):
 * a rule on a type that can never be ingested would silently measure nothing.
 */
export { MAX_TYPE_LENGTH as MAX_SIGNAL_TYPE_LENGTH, SIGNAL_TYPE_RE } from '../signals/signal.rules';
export const SIGNAL_TYPE_MESSAGE = '$property must be a signal type name: lowercase letters, digits, _ . - starting with a letter, optionally ":qualifier" (e.g. tag:champion_left)';

/** Account attribute names, as in rules (`seats`, `key_features`). */
export const ATTRIBUTE_RE = /^[A-Za-z_][A-Za-z0-9_.-]{0,99}$/;
export const ATTRIBUTE_MESSAGE = '$property must be a plain attribute name (letters, digits, _ . -)';

/** Human names: something visible, at most 200 characters. */
export const NAME_RE = /\S/;

export function given(v: unknown): boolean {
  return v !== undefined && v !== null;
}

/** Run the class-validator rules of `input` (a hydrated input class) and throw BAD_USER_INPUT on the first problem. */
export async function assertShape(input: object, prefix: string): Promise<void> {
  const errors = await validate(input, { forbidUnknownValues: false, validationError: { target: false, value: false } });
  const problems = flattenValidationErrors(errors, prefix);
  if (problems.length) {
    const first = problems[0];
    throw new DomainError('BAD_USER_INPUT', `Invalid input: ${first.field}: ${first.message}`, { field: first.field, problems });
  }
}
