import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type { Config } from './config';

/**
 * Paths whose values never reach a log line. Secrets are named consistently across the codebase
 * (password, cookies, token, ...), so redacting by name covers request bodies, activity inputs and
 * error details alike.
 */
const SECRET_KEYS = [
  'password',
  'passwordHash',
  'newPassword',
  'cookie',
  'cookies',
  'mcSession',
  'mcSid',
  'token',
  'accessToken',
  'apiKey',
  'shopApiToken',
  'secret',
  'smsCode',
  'securityCode',
  'proxyPassword',
  'proxyUrl',
  'authorization',
  'encryptionKeys',
  'botToken',
];

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-operator-token"]',
  'res.headers["set-cookie"]',
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  ...SECRET_KEYS.map((k) => `*.*.${k}`),
];

/** Proxy and database URLs in error messages can carry `user:password@`; keep the user, drop the password. */
export function scrubCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/\s@]+):[^@\s/]+@/gi, '$1:***@');
}

function errorSerializer(err: unknown) {
  const serialized = pino.stdSerializers.err(err as Error);
  if (serialized && typeof serialized.message === 'string') serialized.message = scrubCredentials(serialized.message);
  if (serialized && typeof serialized.stack === 'string') serialized.stack = scrubCredentials(serialized.stack);
  return serialized;
}

/** Logs go to stdout, or as JSON to `destination` when given (tests capture them that way). */
export function createLogger(config: Pick<Config, 'log' | 'isProduction'>, name?: string, destination?: DestinationStream): Logger {
  const pretty = config.log.pretty ?? (!config.isProduction && process.stdout.isTTY === true);
  const options: LoggerOptions = {
    level: config.log.level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { err: errorSerializer, error: errorSerializer },
    base: name ? { service: name } : undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (destination) return pino(options, destination);
  if (pretty) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } });
  }
  return pino(options);
}

export type { Logger };
