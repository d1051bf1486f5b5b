/**
 * Runs before every test file (jest setupFiles). pg-boss's `delay` requires `node:timers/promises` at each call, and
 * after a stop its manager keeps checking stopped workers on a 1 s tick (manager.offWork) that stop() does not await.
 * A tick that lands after Jest tore a file's module registry down fails that require ("environment has been torn
 * down") and the error surfaces in whichever file the worker process runs next. The same delay with the module taken
 * now, and a timer that does not hold the process open, removes the late require; pg-boss behaves as before.
 */
import { setTimeout as wait } from 'node:timers/promises';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const tools = require('pg-boss/src/tools') as { delay: (ms: number, error?: string) => Promise<void> & { abort(): void } };

tools.delay = (ms: number, error?: string) => {
  const ac = new AbortController();
  const promise = new Promise<void>((resolve, reject) => {
    wait(ms, null, { signal: ac.signal, ref: false }).then(() => (error ? reject(new Error(error)) : resolve())).catch(() => resolve());
  }) as Promise<void> & { abort(): void };
  promise.abort = () => { if (!ac.signal.aborted) ac.abort(); };
  return promise;
};
