/**
 * Every problem of a document at once: checks record `{ field, message }` and go on, and the caller throws one
 * BAD_USER_INPUT that lists them all (`extensions.problems`), its message and `field` naming the first.
 */
import { DomainError } from './errors';

export interface Problem { field: string; message: string }

export class Problems {
  readonly list: Problem[] = [];

  add(field: string, message: string): void {
    this.list.push({ field, message });
  }

  /** Problems under this path (the path itself, `path.x` or `path[i]`). */
  under(path: string): boolean {
    return this.list.some((p) => p.field === path || p.field.startsWith(`${path}.`) || p.field.startsWith(`${path}[`));
  }

  /** Run a check that throws BAD_USER_INPUT (e.g. validateRule) and record its problem(s) instead. */
  collect<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (err) {
      if (!(err instanceof DomainError) || err.code !== 'BAD_USER_INPUT') throw err;
      const listed = err.extra.problems as Problem[] | undefined;
      if (listed?.length) this.list.push(...listed);
      else this.list.push({ field: String(err.extra.field ?? ''), message: err.message });
      return undefined;
    }
  }

  throwIfAny(): void {
    if (!this.list.length) return;
    const [first] = this.list;
    const more = this.list.length - 1;
    throw new DomainError('BAD_USER_INPUT', more ? `${first.message} (and ${more} more problem${more > 1 ? 's' : ''}: see extensions.problems)` : first.message,
      { field: first.field, problems: this.list });
  }
}
