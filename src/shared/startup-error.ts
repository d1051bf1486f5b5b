/**
 * A reason the process cannot start that the user can act on (the database cannot run, the port is taken): `npm start`
 * prints its message, one sentence, and exits, without a stack trace.
 */
export class StartupError extends Error {
  override name = 'StartupError';
}
