/** PostgreSQL COPY text format: tab-separated, `\N` for NULL, backslash escapes. */
const NEEDS_ESCAPE = /[\\\t\n\r]/;

export function copyField(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'number') return String(v);
  if (!NEEDS_ESCAPE.test(v)) return v;
  return v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/** ISO-8601 date or date-time; without an offset it is read as UTC (imports are not in local time). */
const ISO_TIMESTAMP = /^[1-9]\d{3}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-](?:0\d|1[0-5])(?::?[0-5]\d)?)?)?$/;

/**
 * True when `s` is an ISO-8601 timestamp PostgreSQL reads the same way (its session time zone is
 * UTC during imports, so a timestamp without offset is UTC there too). Checked by hand rather than
 * parsed and re-formatted: this runs for every row of a large file.
 */
export function isIsoTimestamp(s: string): boolean {
  if (!ISO_TIMESTAMP.test(s) || !isCalendarDate(s)) return false;
  if (s.length === 10) return true;
  const two = (i: number) => (s.charCodeAt(i) - 48) * 10 + s.charCodeAt(i + 1) - 48;
  if (two(11) > 23 || two(14) > 59) return false;
  return !(s.length > 16 && s[16] === ':' && two(17) > 59);
}

/** `YYYY-MM-DD…` names a real day (Date.parse would roll 2025-02-30 over to March). */
function isCalendarDate(s: string): boolean {
  const y = +s.slice(0, 4), mo = +s.slice(5, 7), d = +s.slice(8, 10);
  if (mo < 1 || mo > 12 || d < 1) return false;
  const days = mo === 2 ? ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28) : [4, 6, 9, 11].includes(mo) ? 30 : 31;
  return d <= days;
}
