import { parse } from 'csv-parse/sync';
import { CsvScanner, MAX_RECORD_CHARS } from '../src/imports/csv-scan';

type Out = [number, string[] | 'malformed'];

/** Feed `text` in pieces of `step` characters (every chunk boundary gets exercised). */
function scan(text: string, step = text.length || 1, skip = 0): Out[] {
  const out: Out[] = [];
  const s = new CsvScanner({ record: (l, f) => out.push([l, f]), malformed: (l) => out.push([l, 'malformed']) }, skip);
  for (let i = 0; i < text.length; i += step) s.write(text.slice(i, i + step));
  s.end();
  return out;
}

/** What csv-parse makes of well-formed input with the options the import used before. */
function reference(text: string): Out[] {
  const out: Out[] = [];
  parse(text, {
    bom: true, relax_column_count: true, skip_empty_lines: true,
    on_record: (rec: string[], ctx: { lines: number }) => { out.push([ctx.lines, rec]); return rec; },
  });
  return out;
}

describe('CsvScanner', () => {
  const wellFormed = [
    'a,b,c\n1,2,3\n',
    'a,b,c\r\n1,2,3\r\n4,,6',
    '\uFEFFa,b\n\n\nx,y\n',
    'a,b\n"q,1","line one\nline two"\nplain,"with ""quotes"""\n',
    'a,b,c\n1,2\n1,2,3,4\n,,\n',
    'only\n"last"',
    'a,"b\n\nc"\nd,e',
  ];

  it.each(wellFormed)('reads %j as csv-parse does, whatever the chunking', (text) => {
    const expected = reference(text);
    for (const step of [1, 2, 3, 7, text.length]) expect(scan(text, step)).toEqual(expected);
  });

  it('counts a CRLF inside quotes as one line (csv-parse counts it as two)', () => {
    expect(scan('a,b\r\n"x\r\ny",z\r\n"",""\r\n', 2)).toEqual([[1, ['a', 'b']], [3, ['x\r\ny', 'z']], [4, ['', '']]]);
  });

  it('reports malformed records with their line and goes on with the next line', () => {
    const text = 'h1,h2\nok,1\nbad"quote,2\n"closed"junk,3\nok,4\n"x,5\n';
    for (const step of [1, 5, text.length]) {
      expect(scan(text, step, 1)).toEqual([
        [2, ['ok', '1']], [3, 'malformed'], [4, 'malformed'], [5, ['ok', '4']], [6, 'malformed'],
      ]);
    }
  });

  it('reports an unclosed quote at the end of input once, on the last line', () => {
    expect(scan('h\nok\n"never\nclosed\n', 3, 1)).toEqual([[2, ['ok']], [4, 'malformed']]);
    expect(scan('h\n"never', 100, 1)).toEqual([[2, 'malformed']]);
  });

  it('gives up on a quoted record that grows past the limit and reads on after its first line', () => {
    const long = 'x'.repeat(MAX_RECORD_CHARS + 10);
    const out = scan(`h\n"open\n${long}\nok,1\n`, 64 * 1024, 1);
    expect(out[0]).toEqual([2, 'malformed']);
    expect(out.slice(-1)).toEqual([[4, ['ok', '1']]]);
  });
});
