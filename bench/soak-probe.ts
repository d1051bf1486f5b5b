/**
 * Loaded into the server by `npm run bench:soak` only (`node -r ./bench/soak-probe.ts src/main.ts`), never by `npm
 * start`: answers the soak's questions over the IPC channel the soak opened, so that production code carries no
 * debugging endpoint. Asked `sample`, it replies with V8's heap figures and the named prepared statements PostgreSQL
 * holds for this process (pg remembers, per connection, each statement it has parsed there: the server side of the
 * pool, summed over live connections); asked `snapshot`, it writes a heap snapshot to the given file.
 */
import v8 from 'node:v8';
import pg from 'pg';

/** Every pg client this process connected (the typeorm pool's, pg-boss's, the listener's), weakly held. */
const clients = new Set<WeakRef<pg.Client>>();
const connect = pg.Client.prototype.connect;
pg.Client.prototype.connect = function (this: pg.Client, ...args: unknown[]) {
  clients.add(new WeakRef(this));
  return (connect as (...a: unknown[]) => unknown).apply(this, args);
} as typeof connect;

interface PgConnection { parsedStatements: Record<string, string>; stream?: { destroyed?: boolean } }

function preparedStatements(): { connections: number; statements: number; distinctTexts: number } {
  let connections = 0;
  let statements = 0;
  const texts = new Set<string>();
  for (const ref of clients) {
    const client = ref.deref() as (pg.Client & { connection?: PgConnection; _ending?: boolean; _connected?: boolean }) | undefined;
    if (!client || client._ending || !client.connection || client.connection.stream?.destroyed) { clients.delete(ref); continue; }
    connections++;
    for (const [name, text] of Object.entries(client.connection.parsedStatements)) { statements++; texts.add(`${name}\0${text}`); }
  }
  return { connections, statements, distinctTexts: texts.size };
}

type Request = { id: number; cmd: 'sample' } | { id: number; cmd: 'snapshot'; file: string };

process.on('message', (msg: Request) => {
  if (!msg || typeof msg !== 'object' || !('cmd' in msg)) return;
  try {
    if (msg.cmd === 'sample') {
      const m = process.memoryUsage();
      const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, s.space_used_size]));
      process.send?.({ id: msg.id, ok: true, memory: m, spaces, prepared: preparedStatements() });
    } else if (msg.cmd === 'snapshot') {
      const file = v8.writeHeapSnapshot(msg.file);
      process.send?.({ id: msg.id, ok: true, file });
    }
  } catch (err) {
    process.send?.({ id: msg.id, ok: false, error: String(err) });
  }
});
// The IPC channel must not keep a server that is shutting down alive.
process.channel?.unref();
