/** Small helpers shared by the CLIs: flag parsing and a database that is closed on exit. */
import { openDatabase, type Database } from '../shared/db/bootstrap';

export function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i >= 0) return args[i + 1];
  const eq = args.find((a) => a.startsWith(`--${name}=`));
  return eq?.slice(name.length + 3);
}

export async function withDatabase<T>(fn: (d: Database) => Promise<T>): Promise<T> {
  const d = await openDatabase({ attach: true });
  try {
    return await fn(d);
  } finally {
    await d.close();
  }
}

export function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}
