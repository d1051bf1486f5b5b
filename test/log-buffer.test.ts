/**
 * The log writer's buffer is bounded (src/shared/logger.ts): a burst logged faster than stdout takes it drops the
 * lines past the bound instead of holding them all, and one warning afterwards says how many were dropped.
 */
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { logDestination } from '../src/shared/logger';

test('a burst past the bound: the buffer stays under it, the rest is dropped and counted in one warning', async () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'oh-log-')), 'out.log');
  const fd = fs.openSync(file, 'w');
  const bound = 64 * 1024;
  const dest = logDestination(fd, bound);
  const log = pino({ base: null }, dest);
  const line = 'x'.repeat(200);
  let peak = 0;
  // One synchronous burst: nothing reaches the file before it ends, so without a bound all 20,000 lines (~4.6 MB) would wait in memory.
  for (let i = 0; i < 20_000; i++) {
    log.info({ i }, line);
    peak = Math.max(peak, (dest as unknown as { _len: number })._len);
  }
  expect(peak).toBeLessThanOrEqual(bound);
  const dropped = dest.dropped();
  expect(dropped).toBeGreaterThan(19_000);
  await once(dest, 'drain');
  dest.flushSync();
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { i?: number; droppedLines?: number; level: number });
  const written = lines.filter((l) => l.i !== undefined);
  const warnings = lines.filter((l) => l.droppedLines !== undefined);
  expect(written.length + dropped).toBe(20_000);
  // the lines kept are the first ones, in order; the warning counts exactly the others
  expect(written.map((l) => l.i)).toEqual([...Array(written.length).keys()]);
  expect(warnings).toEqual([expect.objectContaining({ level: 40, droppedLines: dropped })]);
  fs.closeSync(fd);
});
