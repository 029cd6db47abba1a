/**
 * Whether an error means PostgreSQL cannot be reached right now (down, restarting, or every pooled
 * connection busy past the connect timeout), as opposed to a query that is wrong. The API answers the
 * first with 503 and Retry-After: the client did nothing wrong and may simply try again.
 */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);
/** SQLSTATE 57P01–57P03: the server is shutting down, crashed, or not accepting connections yet. */
const SERVER_GOING_AWAY = new Set(['57P01', '57P02', '57P03']);
const POOL_MESSAGES = [
  /timeout exceeded when trying to connect/i,
  /^Connection terminated/i,
  /Client has encountered a connection error/i,
];

export function isDatabaseUnavailable(error: unknown): boolean {
  // Drizzle wraps the driver's error in its own and keeps the original as `cause`.
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || SERVER_GOING_AWAY.has(code) || code.startsWith('08')))
      return true;
    if (POOL_MESSAGES.some((m) => m.test((e as Error).message))) return true;
  }
  return false;
}
