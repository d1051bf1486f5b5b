/** The DataSource the TypeORM CLI uses (`npm run migration:generate -- migrations/Name`). Needs DATABASE_URL. */
import 'reflect-metadata';
import { createDataSource } from './src/shared/db/data-source';

if (!process.env.DATABASE_URL) {
  throw new Error('Set DATABASE_URL for the TypeORM CLI, e.g. postgres://postgres@127.0.0.1:5432/outcome_health_dev');
}
export default createDataSource(process.env.DATABASE_URL);
