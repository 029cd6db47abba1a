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
  'jwtSecret',
  'codecToken',
  'operatorToken',
  'webhookSecret',
  'credentials',
  'x-api-key',
  'x-operator-token',
  'set-cookie',
];

const SECRET_NAMES = new Set(SECRET_KEYS.map((k) => k.toLowerCase()));
const CENSOR = '[redacted]';
/** Deeper than this a log object is cut off rather than walked (log objects are not that deep). */
const MAX_DEPTH = 12;

/**
 * A copy of a log object with the value of every secret-named key replaced, at any depth (pino's own
 * paths reach only fixed depths). Leaves the object alone when it holds no such key, so most log lines
 * cost one walk and no copy.
 */
export function redactDeep(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return value;
  if (depth > MAX_DEPTH) return '[too deep]';
  seen.add(value);
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((item) => {
      const next = redactDeep(item, depth + 1, seen);
      if (next !== item) changed = true;
      return next;
    });
    return changed ? out : value;
  }
  // Buffers, dates, errors' own serializers: not plain data worth walking.
  if (Buffer.isBuffer(value) || value instanceof Date) return value;
  let copy: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const next =
      SECRET_NAMES.has(key.toLowerCase()) && item !== undefined && item !== null
        ? CENSOR
        : redactDeep(item, depth + 1, seen);
    if (next !== item) {
      copy ??= { ...(value as Record<string, unknown>) };
      copy[key] = next;
    }
  }
  return copy ?? value;
}

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
export function createLogger(
  config: Pick<Config, 'log' | 'isProduction'>,
  name?: string,
  destination?: DestinationStream,
): Logger {
  const pretty = config.log.pretty ?? (!config.isProduction && process.stdout.isTTY === true);
  const options: LoggerOptions = {
    level: config.log.level,
    redact: { paths: REDACT_PATHS, censor: CENSOR },
    serializers: { err: errorSerializer, error: errorSerializer },
    // Secrets by name at any depth in each line's fields (a child logger's bindings: see `redactChildren`).
    formatters: { log: (object) => redactDeep(object) as Record<string, unknown> },
    base: name ? { service: name } : undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (destination) return redactChildren(pino(options, destination));
  if (pretty) {
    return redactChildren(
      pino({
        ...options,
        transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } },
      }),
    );
  }
  return redactChildren(pino(options));
}

/** Children inherit `child` from the root, so one wrapper redacts the bindings of every descendant. */
function redactChildren(logger: Logger): Logger {
  const child = logger.child;
  logger.child = function (this: Logger, bindings, childOptions) {
    return child.call(this, redactDeep(bindings) as typeof bindings, childOptions);
  } as Logger['child'];
  return logger;
}

export type { Logger };
