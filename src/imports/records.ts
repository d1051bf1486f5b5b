/**
 * Reading an import file as a stream of records and turning them into COPY text for a staging
 * table, with backpressure end to end (file -> parser -> COPY), so memory stays flat for any size.
 */
import { createReadStream, promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { parse as parseCsvSync } from 'csv-parse/sync';
import { CsvScanner } from './csv-scan';

export type ImportFormat = 'csv' | 'ndjson';

/** What a kind of import (signals, accounts) does with records: COPY text lines for its staging table. */
export interface RecordStager {
  /** For CSV: given the header, a function from a record (array) to one COPY line. */
  bindCsv(header: string[]): (line: number, rec: string[]) => string;
  /** For NDJSON: a function from a parsed object to one COPY line. */
  bindJson(): (line: number, obj: Record<string, unknown>) => string;
  /** A COPY line for a line that could not be read at all. */
  problemLine(line: number, code: string): string;
}

export function formatOf(file: string): ImportFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.ndjson' || ext === '.jsonl') return 'ndjson';
  throw new Error(`Cannot tell the format of ${path.basename(file)}: use a .csv or .ndjson (.jsonl) file.`);
}

/** Field names of the file: the CSV header, or the keys of the first NDJSON object. */
export async function peekFields(file: string, format: ImportFormat): Promise<string[]> {
  const fh = await fsp.open(file, 'r');
  try {
    const buf = Buffer.alloc(256 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const text = buf.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '');
    if (format === 'csv') {
      const [header] = parseCsvSync(text, { to_line: 1, relax_column_count: true, relax_quotes: true }) as string[][];
      return (header ?? []).map((h) => h.trim());
    }
    const first = text.split('\n').find((l) => l.trim());
    if (!first) return [];
    const obj = JSON.parse(first);
    return obj && typeof obj === 'object' && !Array.isArray(obj) ? Object.keys(obj) : [];
  } finally {
    await fh.close();
  }
}

/** Where staged COPY text goes: called with complete lines (`rows` of them), awaited (backpressure). */
export type RowSink = (text: string, rows: number) => Promise<void> | void;

/** Collects COPY lines and hands them on in large pieces (far fewer stream operations per row). */
class Lines {
  private parts: string[] = [];
  size = 0;
  rows = 0;
  total = 0;

  add(line: string): void {
    this.parts.push(line);
    this.size += line.length;
    this.rows++;
    this.total++;
  }

  take(): [string, number] {
    const out: [string, number] = [this.parts.join(''), this.rows];
    this.parts = [];
    this.size = 0;
    this.rows = 0;
    return out;
  }
}

/** Lines of NDJSON (the last one may lack its newline); a line that isn't a JSON object is staged as a problem. */
function ndjsonReader(stager: RecordStager, out: Lines): { write(text: string): void; end(): void } {
  const toRow = stager.bindJson();
  let rest = '';
  let line = 0;
  const handle = (raw: string) => {
    line++;
    if (!raw.trim()) return;
    let obj: unknown;
    try {
      obj = JSON.parse(raw);
    } catch {
      out.add(stager.problemLine(line, 'badJson'));
      return;
    }
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) out.add(stager.problemLine(line, 'notAnObject'));
    else out.add(toRow(line, obj as Record<string, unknown>));
  };
  return {
    write(chunk) {
      const text = rest + chunk;
      let start = 0;
      for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
        handle(text.slice(start, nl));
        start = nl + 1;
      }
      rest = text.slice(start);
    },
    end() {
      if (rest) handle(rest);
      rest = '';
    },
  };
}

/** CSV records (CsvScanner) as COPY lines; the header record is skipped, bad records are staged as problems. */
function csvReader(stager: RecordStager, header: string[], out: Lines): CsvScanner {
  const toRow = stager.bindCsv(header);
  const columns = header.length;
  return new CsvScanner({
    record: (line, rec) => out.add(rec.length === columns ? toRow(line, rec) : stager.problemLine(line, 'csvColumnCount')),
    malformed: (line) => out.add(stager.problemLine(line, 'csvMalformed')),
  }, 1);
}

/** COPY text is handed on once this much has collected (after each read of the file). */
const HAND_ON_CHARS = 256 * 1024;

/**
 * Read `file` and hand its records, as COPY text lines for the staging table, to `sink`; the
 * next part of the file is read only once the sink has taken the last (memory stays flat for any
 * size). Returns the number of staged rows (every data line, good or bad). Records that cannot be
 * read (bad JSON, broken CSV quoting, a wrong column count) are staged as problems and reading
 * goes on. `onBytes` is told how far the file has been read.
 */
export async function streamRecords(
  file: string, format: ImportFormat, stager: RecordStager, sink: RowSink, onBytes: (n: number) => void = () => undefined,
): Promise<number> {
  const out = new Lines();
  const reader = format === 'ndjson' ? ndjsonReader(stager, out) : csvReader(stager, await peekFields(file, 'csv'), out);
  const decoder = new StringDecoder('utf8'); // a chunk may end inside a multi-byte character
  let bytes = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    reader.write(decoder.write(chunk));
    if (out.size >= HAND_ON_CHARS) await sink(...out.take());
    onBytes(bytes);
  }
  reader.write(decoder.end());
  reader.end();
  if (out.rows) await sink(...out.take());
  return out.total;
}

/** A sink that writes into one stream (a COPY … FROM STDIN), waiting when it is full. */
export function streamSink(stream: Writable): RowSink {
  return (text) => {
    if (stream.write(text)) return undefined;
    return new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => { stream.off('drain', done); stream.off('error', done); if (err) reject(err); else resolve(); };
      stream.on('drain', done);
      stream.on('error', done);
    });
  };
}
