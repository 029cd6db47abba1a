import { Client, Connection } from '@temporalio/client';
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import type { Config } from './config';
import type { Keyring } from './crypto';
import { dataConverter } from './data-converter';
import type { Logger } from './logger';

export type TemporalSettings = Pick<Config['temporal'], 'address' | 'namespace'>;

/**
 * The one way the API, scripts and tests reach Temporal. The connection is lazy so the API starts
 * (and reports itself unhealthy) while Temporal is still coming up, instead of refusing to start.
 */
export function createTemporalClient(settings: TemporalSettings, keyring: Keyring): Client {
  const connection = Connection.lazy({ address: settings.address });
  return new Client({ connection, namespace: settings.namespace, dataConverter: dataConverter(keyring) });
}

/** Sends the SDK's own log lines (worker, workflow and activity contexts) through pino. */
export function temporalLogger(logger: Logger): TemporalLogger {
  const levels: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
    TRACE: 'trace',
    DEBUG: 'debug',
    INFO: 'info',
    WARN: 'warn',
    ERROR: 'error',
  };
  const log = (level: LogLevel, message: string, meta?: LogMetadata) => logger[levels[level]](meta ?? {}, message);
  return {
    log,
    trace: (m, meta) => log('TRACE', m, meta),
    debug: (m, meta) => log('DEBUG', m, meta),
    info: (m, meta) => log('INFO', m, meta),
    warn: (m, meta) => log('WARN', m, meta),
    error: (m, meta) => log('ERROR', m, meta),
  };
}
