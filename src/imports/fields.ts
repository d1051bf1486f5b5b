/** Field names of import files: the API's camelCase names, or the same in snake_case. */

export function normalizeFieldName(name: string): string {
  return name.toLowerCase().replace(/[\s_-]/g, '');
}

export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Index of each canonical field in a CSV header (-1 when absent). */
export function headerIndexes(header: string[], canonical: readonly string[]): number[] {
  const norm = header.map(normalizeFieldName);
  return canonical.map((f) => norm.indexOf(normalizeFieldName(f)));
}

/** Header/keys that are neither a canonical field nor accepted by `extra`. */
export function unknownFields(fields: string[], canonical: readonly string[], extra: (f: string) => boolean = () => false): string[] {
  const known = new Set(canonical.map(normalizeFieldName));
  return fields.filter((f) => !known.has(normalizeFieldName(f)) && !extra(f));
}

/** A value as text for staging: '' and null are "absent"; objects can't be text. */
export function asText(v: unknown): string | null | undefined {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined; // an object or a list
}

/** Problems found while reading a line, before any field is looked at. */
export const LINE_PROBLEMS: Record<string, string> = {
  badJson: 'The line is not valid JSON.',
  notAnObject: 'The line is not a JSON object.',
  csvMalformed: 'The CSV record is malformed (e.g. an unclosed quote).',
  csvColumnCount: 'The CSV record has a different number of columns than the header.',
};
