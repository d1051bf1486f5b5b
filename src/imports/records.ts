/**
 * Reading an import file as a stream of records and turning them into COPY text for a staging
 * table, with backpressure end to end (file -> parser -> COPY), so memory stays flat for any size.
 */
import { createReadStream, promises as fsp } from 'node:fs';
import path from 'node:path';
import { Transform, type TransformCallback, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
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

/** Bytes read so far, reported as the file streams past. */
function byteCounter(onBytes: (n: number) => void): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      total += chunk.length;
      onBytes(total);
      cb(null, chunk);
    },
  });
}

/** Joins many small COPY lines into large writes (far fewer stream operations per row). */
class CopyBatcher extends Transform {
  private parts: string[] = [];
  private size = 0;
  rows = 0;

  constructor(private readonly toLine: (item: any) => string | null, objectInput = true) {
    super({ writableObjectMode: objectInput, readableObjectMode: false });
  }

  override _transform(item: unknown, _enc: BufferEncoding, cb: TransformCallback): void {
    const line = this.toLine(item);
    if (line !== null) this.add(line);
    cb();
  }

  add(line: string): void {
    this.parts.push(line);
    this.size += line.length;
    this.rows++;
    if (this.size > 256 * 1024) this.flushParts();
  }

  flushParts(): void {
    if (!this.parts.length) return;
    this.push(this.parts.join(''));
    this.parts = [];
    this.size = 0;
  }

  override _flush(cb: TransformCallback): void {
    this.flushParts();
    cb();
  }
}

/** NDJSON: split lines, parse, stage; a line that isn't a JSON object is staged as a problem. */
class NdjsonStager extends CopyBatcher {
  private rest = '';
  private line = 0;
  private readonly decoder = new StringDecoder('utf8'); // a chunk may end inside a multi-byte character

  constructor(private readonly stager: RecordStager, private readonly toRow: (line: number, obj: Record<string, unknown>) => string) {
    super(() => null, false);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    const text = this.rest + this.decoder.write(chunk);
    let start = 0;
    for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
      this.handle(text.slice(start, nl));
      start = nl + 1;
    }
    this.rest = text.slice(start);
    cb();
  }

  override _flush(cb: TransformCallback): void {
    this.rest += this.decoder.end();
    if (this.rest) this.handle(this.rest);
    this.rest = '';
    super._flush(cb);
  }

  private handle(raw: string): void {
    this.line++;
    if (!raw.trim()) return;
    let obj: unknown;
    try {
      obj = JSON.parse(raw);
    } catch {
      this.add(this.stager.problemLine(this.line, 'badJson'));
      return;
    }
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) this.add(this.stager.problemLine(this.line, 'notAnObject'));
    else this.add(this.toRow(this.line, obj as Record<string, unknown>));
  }
}

/** CSV: records (CsvScanner) to COPY lines; the header record is skipped, bad records are staged as problems. */
class CsvStager extends CopyBatcher {
  private readonly decoder = new StringDecoder('utf8');
  private readonly scanner: CsvScanner;

  constructor(stager: RecordStager, header: string[]) {
    super(() => null, false);
    const toRow = stager.bindCsv(header);
    const columns = header.length;
    this.scanner = new CsvScanner({
      record: (line, rec) => this.add(rec.length === columns ? toRow(line, rec) : stager.problemLine(line, 'csvColumnCount')),
      malformed: (line) => this.add(stager.problemLine(line, 'csvMalformed')),
    }, 1);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.scanner.write(this.decoder.write(chunk));
    cb();
  }

  override _flush(cb: TransformCallback): void {
    this.scanner.write(this.decoder.end());
    this.scanner.end();
    super._flush(cb);
  }
}

/**
 * Stream `file` into `copy` (a COPY … FROM STDIN stream). Returns the number of staged rows
 * (every data line, good or bad). CSV records with a wrong column count or broken quoting are
 * staged as problems and the import goes on.
 */
export async function streamRecords(
  file: string, format: ImportFormat, stager: RecordStager, copy: Writable, onBytes: (n: number) => void,
): Promise<number> {
  const source = createReadStream(file, { highWaterMark: 1024 * 1024 });
  if (format === 'ndjson') {
    const staged = new NdjsonStager(stager, stager.bindJson());
    await pipeline(source, byteCounter(onBytes), staged, copy);
    return staged.rows;
  }
  const header = await peekFields(file, 'csv');
  const staged = new CsvStager(stager, header);
  await pipeline(source, byteCounter(onBytes), staged, copy);
  return staged.rows;
}
