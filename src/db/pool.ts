import pg from 'pg';
import type { Config } from '../lib/config';
import type { Logger } from '../lib/logger';
import { scrubCredentials } from '../lib/logger';

export type DatabaseSettings = Config['database'] & { url: string };

/**
 * A pool that survives PostgreSQL restarts: idle clients that die raise `error` on the pool, which
 * would crash the process if nobody listened; new connections give up after the connect timeout
 * instead of waiting forever (pg's default).
 */
export function createPool(settings: DatabaseSettings, logger: Logger, applicationName = 'kaspi-demper'): pg.Pool {
  const pool = new pg.Pool({
    connectionString: settings.url,
    max: settings.poolMax,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    statement_timeout: settings.statementTimeoutMs,
    application_name: applicationName,
  });
  pool.on('error', (err) => {
    logger.warn(
      { err: { message: scrubCredentials(err.message) } },
      'idle PostgreSQL client lost; the pool will reconnect',
    );
  });
  return pool;
}
