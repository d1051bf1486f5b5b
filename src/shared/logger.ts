import pino from 'pino';
import { config } from './config';

/** The `service` of every log line. */
const SERVICE = 'outcome-health';

/** At most this many bytes of log lines wait for stdout; past it, new lines are dropped and counted. */
export const LOG_BUFFER_BYTES = 8 * 2 ** 20;

/**
 * pino's asynchronous writer with a bounded buffer. Unbounded (pino's default), a reader slower than the server
 * (a full pipe, a stalled log collector) grows the heap by every line logged meanwhile. Here the lines that don't fit
 * are dropped, and once the backlog is written out one warning says how many were lost.
 */
export function logDestination(fd: number, maxLength = LOG_BUFFER_BYTES): ReturnType<typeof pino.destination> & { dropped(): number } {
  const stream = pino.destination({ fd, sync: false, maxLength });
  let dropped = 0;
  let total = 0;
  stream.on('drop', () => { dropped += 1; total += 1; });
  // 'drain' follows a write refused for a full buffer, once the buffer is written out: room for the warning.
  stream.on('drain', () => {
    if (dropped === 0) return;
    const n = dropped;
    dropped = 0;
    stream.write(`${JSON.stringify({ level: 40, time: Date.now(), service: SERVICE, droppedLines: n,
      msg: `${n} log lines dropped: stdout was read more slowly than the server wrote (at most ${maxLength} bytes wait)` })}\n`);
  });
  return Object.assign(stream, { dropped: () => total });
}

/** Structured JSON logs; every request log line carries its requestId. */
export const logger = pino({ level: config.logLevel, base: { service: SERVICE } }, logDestination(1));
export type Logger = pino.Logger;
