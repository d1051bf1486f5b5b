/** `npm run migration:run`: apply pending migrations to DATABASE_URL (or the embedded PostgreSQL). */
import 'reflect-metadata';
import { openDatabase } from '../shared/db/bootstrap';

openDatabase({ attach: true })
  .then(async (d) => { process.stdout.write('migrations are up to date\n'); await d.close(); })
  .catch((err) => { process.stderr.write(`migration failed: ${err?.message ?? err}\n`); process.exit(1); });
