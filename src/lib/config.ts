import path from 'node:path';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { PROXY_LIMIT_PROFILES } from '../domain/proxy-budget';
import { KeyringError, parseKeys } from './crypto';

/**
 * Every setting the service reads, validated once at start-up. Defaults are what the embedded stack
 * (`npm start`) needs on a fresh machine; production overrides them through the environment.
 */
const port = z.coerce.number().int().min(1).max(65535);
const positiveInt = z.coerce.number().int().positive();
const url = z.url();
const seconds = z.coerce.number().min(0);
const positiveSeconds = z.coerce.number().positive();
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * Which hops in front of the API are trusted to name the client in `X-Forwarded-For` (Express's
 * `trust proxy`): a number of hops, or a comma-separated list of addresses, CIDR ranges and the names
 * `loopback`, `linklocal`, `uniquelocal`; `none` (or `0`) trusts none. `true` (trust everyone) is refused:
 * any client could then pick its own address and walk past the per-address limits.
 */
const trustProxy = z
  .string()
  .trim()
  .transform((value, ctx): number | string[] => {
    if (/^(none|false)$/i.test(value)) return 0;
    if (/^\d+$/.test(value)) return Number(value);
    const entries = value.split(',').map((v) => v.trim()).filter(Boolean);
    const valid = (entry: string) => {
      if (PROXY_NAMES.has(entry)) return true;
      const [address, bits, ...rest] = entry.split('/');
      if (rest.length > 0 || !ipaddr.isValid(address!)) return false;
      return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (ipaddr.parse(address!).kind() === 'ipv4' ? 32 : 128));
    };
    if (!entries.every(valid)) {
      ctx.addIssue({ code: 'custom', message: 'expected a hop count, "none", or addresses, CIDR ranges and loopback/linklocal/uniquelocal, comma-separated' });
      return z.NEVER;
    }
    if (entries.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'must not be empty' });
      return z.NEVER;
    }
    return entries;
  });

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: bool.optional(),

  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(3000),
  API_BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, 'expected a size such as 100kb').default('100kb'),
  API_UPLOAD_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, 'expected a size such as 5mb').default('5mb'),
  PUBLIC_API_URL: url.optional(),
  TRUST_PROXY: trustProxy.default(['loopback']),
  WEB_DIST_DIR: z.string().min(1).optional(),
  EVENTS_HEARTBEAT_SECONDS: positiveInt.default(15),
  EVENTS_MAX_STREAMS_PER_USER: positiveInt.default(5),
  EVENTS_KEEP_HOURS: positiveInt.default(24),

  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_TTL_SECONDS: positiveInt.default(43_200),
  JWT_CLOCK_LEEWAY_SECONDS: z.coerce.number().int().min(0).max(300).default(60),
  ADMIN_EMAIL: z.email().optional(),
  ADMIN_PASSWORD: z.string().min(10).max(128).optional(),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: positiveInt.default(5),
  LOGIN_MAX_ATTEMPTS_PER_IP: positiveInt.default(50),
  LOGIN_MAX_FAILURES_ACROSS_ADDRESSES: positiveInt.default(20),
  LOGIN_DELAY_SECONDS: positiveSeconds.default(1),
  LOGIN_WINDOW_SECONDS: positiveInt.default(900),
  REGISTER_MAX_PER_IP: positiveInt.default(20),
  REGISTER_WINDOW_SECONDS: positiveInt.default(3600),

  ENCRYPTION_KEYS: z
    .string()
    .superRefine((spec, ctx) => {
      try {
        parseKeys(spec);
      } catch (err) {
        if (!(err instanceof KeyringError)) throw err;
        ctx.addIssue({ code: 'custom', message: err.message });
      }
    })
    .optional(),
  CODEC_TOKEN: z.string().min(24, 'must be at least 24 characters').regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only').optional(),

  OPERATOR_TOKEN: z.string().min(24, 'must be at least 24 characters').regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only').optional(),

  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL').optional(),
  DATABASE_POOL_MAX: positiveInt.default(10),
  DATABASE_CONNECT_TIMEOUT_MS: positiveInt.default(5000),
  DATABASE_STATEMENT_TIMEOUT_MS: positiveInt.default(15000),

  TEMPORAL_ADDRESS: z.string().regex(/^[^\s:]+:\d+$/, 'expected host:port').optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('kaspi-demper'),
  TEMPORAL_UI_URL: url.optional(),
  TEMPORAL_CLI_PATH: z.string().min(1).optional(),
  WORKER_SHUTDOWN_GRACE_SECONDS: positiveInt.default(30),
  WORKER_METRICS_PORT: port.optional(),

  DATA_DIR: z.string().min(1).default('.data'),
  EMBEDDED_PG_PORT: port.default(5433),
  TEMPORAL_DEV_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),

  KASPI_PUBLIC_URL: url.default('https://kaspi.kz'),
  KASPI_MC_URL: url.default('https://mc.shop.kaspi.kz'),
  KASPI_IDMC_URL: url.default('https://idmc.shop.kaspi.kz'),
  KASPI_SHOP_API_URL: url.default('https://kaspi.kz/shop/api'),
  KASPI_TIMEOUT_MS: positiveInt.default(15000),
  CHROMIUM_PATH: z.string().min(1).default('/usr/bin/chromium'),
  LOGIN_SCREENSHOT_DIR: z.string().min(1).optional(),
  LOGIN_SCREENSHOT_RETENTION_HOURS: z.coerce.number().positive().default(72),
  SMS_LOGIN_TIMEOUT_SECONDS: positiveInt.default(300),
  SMS_LOGIN_MAX_PER_PHONE: positiveInt.default(5),
  SMS_LOGIN_MAX_PER_USER: positiveInt.default(10),
  SMS_LOGIN_WINDOW_SECONDS: positiveInt.default(3600),
  CONNECT_MAX_PER_IP: positiveInt.default(30),
  CONNECT_MAX_PER_USER: positiveInt.default(20),
  CONNECT_WINDOW_SECONDS: positiveInt.default(3600),
  CONNECT_MAX_PER_MINUTE: positiveInt.default(60),
  BROWSER_LOGINS_MAX_OPEN: positiveInt.default(20),
  RELOGIN_MAX_CONCURRENT: positiveInt.default(3),

  PROXY_LIMIT_PROFILE: z.enum(['measured', 'seed']).default('measured'),
  PROXY_BUDGET_REQUESTS: positiveInt.optional(),
  PROXY_BUDGET_WINDOW_SECONDS: positiveSeconds.optional(),
  PROXY_REST_SECONDS: seconds.optional(),
  PROXY_BAN_BENCH_SECONDS: seconds.optional(),
  PROXY_LEASE_SECONDS: positiveSeconds.default(30),
  PROXY_ALLOW_PRIVATE_ADDRESSES: bool.default(false),
  PROXY_POOL_MIN: z.coerce.number().int().min(0).default(100),
  PROXY_PROVIDER_URL: url.default('https://proxy6.net'),
  PROXY_PROVIDER_KEY: z.string().min(1).optional(),
  PROXY_PROVIDER_PERIOD_DAYS: positiveInt.default(30),
  PROXY_PROVIDER_COUNTRY: z.string().regex(/^[a-z]{2}$/, 'a two-letter country code').default('kz'),
  PROXY_SHORTAGE_RETRY_SECONDS: positiveSeconds.default(600),
  PROXY_USAGE_LOG_KEEP_HOURS: z.coerce.number().positive().default(24),

  BILLING_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  BILLING_PERIOD_DAYS: positiveInt.default(30),
  SUBSCRIPTION_HEARTBEAT_TIMEOUT_SECONDS: positiveSeconds.default(30),
  CATALOG_HEARTBEAT_TIMEOUT_SECONDS: positiveSeconds.default(30),

  DIRECT_READS_PER_SECOND: z.coerce.number().positive().max(15).default(3),
  DIRECT_READ_BAN_PAUSE_SECONDS: positiveInt.default(15),
  ORDERS_DIRECT_READS_PER_SECOND: z.coerce.number().positive().default(6),
  DEMPER_BATCH_SIZE: positiveInt.max(500).default(50),
  DEMPER_READ_CONCURRENCY: positiveInt.max(64).default(8),
  DEMPER_HEARTBEAT_TIMEOUT_SECONDS: positiveInt.default(30),
  DEMPER_HISTORY_LIMIT_EVENTS: positiveInt.min(20).default(10_000),
  DEMPER_CHANGE_BUDGET: positiveInt.default(240),
  DEMPER_CHANGE_BUDGET_WINDOW_SECONDS: positiveInt.default(1800),
  ORDERS_POLL_INTERVAL: positiveSeconds.default(600),
  ORDERS_OVERLAP_SECONDS: seconds.default(7200),
  ORDERS_BACKFILL_DAYS: z.coerce.number().positive().max(14).default(14),
  ORDERS_TRACK_DAYS: z.coerce.number().positive().default(30),
  ORDERS_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(100),
  ORDERS_HEARTBEAT_TIMEOUT_SECONDS: positiveSeconds.default(60),

  PREORDER_CHECK_INTERVAL_SECONDS: positiveSeconds.default(300),
  PREORDER_ACTIVATION_TIMEOUT_HOURS: z.coerce.number().positive().default(24),

  WAHA_URL: url.optional(),
  WAHA_API_KEY: z.string().min(1).optional(),
  TELEGRAM_BOT_TOKEN: z.string().regex(/^\d+:[A-Za-z0-9_-]+$/, 'expected a bot token such as 123456:ABC-def').optional(),
  TELEGRAM_API_URL: url.default('https://api.telegram.org'),
  TELEGRAM_BOT_USERNAME: z.string().regex(/^[A-Za-z0-9_]{5,64}$/, 'a bot username without @').optional(),
  TELEGRAM_POLL_INTERVAL_SECONDS: positiveSeconds.default(2),
  NOTIFY_SEND_TIMEOUT_MS: positiveInt.default(10_000),
  NOTIFY_MAX_DELAY_HOURS: z.coerce.number().positive().default(24),
  NOTIFY_WORKER_ERROR_ATTEMPTS: positiveInt.default(5),
});

export type Env = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  constructor(readonly issues: { variable: string; message: string }[]) {
    super(
      'Invalid configuration:\n' +
        issues.map((i) => `  ${i.variable}: ${i.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

function trimSlash(value: string): string {
  return value.replace(/\/+$/, '');
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  // Empty strings mean "unset" so that `FOO=` in a .env file falls back to the default.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        // The rule, never the value: a bad value may be a secret (a short JWT_SECRET, a DATABASE_URL with its password).
        return { variable: String(issue.path[0] ?? '(environment)'), message: issue.message };
      }),
    );
  }
  const e = parsed.data;
  const issues: { variable: string; message: string }[] = [];
  if (e.NODE_ENV === 'production') {
    for (const variable of ['JWT_SECRET', 'ENCRYPTION_KEYS'] as const) {
      if (!e[variable]) issues.push({ variable, message: 'is required in production' });
    }
  }
  if (Boolean(e.ADMIN_EMAIL) !== Boolean(e.ADMIN_PASSWORD)) {
    issues.push({ variable: e.ADMIN_EMAIL ? 'ADMIN_PASSWORD' : 'ADMIN_EMAIL', message: 'ADMIN_EMAIL and ADMIN_PASSWORD go together' });
  }
  if (e.NODE_ENV === 'production' && e.PROXY_ALLOW_PRIVATE_ADDRESSES) {
    issues.push({ variable: 'PROXY_ALLOW_PRIVATE_ADDRESSES', message: 'must stay off in production' });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  const proxyProfile = PROXY_LIMIT_PROFILES[e.PROXY_LIMIT_PROFILE];
  const temporalUiUrl = e.TEMPORAL_UI_URL ?? `http://localhost:${e.TEMPORAL_UI_PORT}`;
  return {
    env: e.NODE_ENV,
    isProduction: e.NODE_ENV === 'production',
    log: { level: e.LOG_LEVEL, pretty: e.LOG_PRETTY },
    api: {
      host: e.HOST,
      port: e.PORT,
      bodyLimit: e.API_BODY_LIMIT,
      /** Largest file upload (Excel imports). */
      uploadLimit: e.API_UPLOAD_LIMIT,
      publicUrl: trimSlash(e.PUBLIC_API_URL ?? `http://localhost:${e.PORT}`),
      /** Express's `trust proxy`: hops trusted to name the client address (a count, or addresses and ranges). */
      trustProxy: e.TRUST_PROXY,
      /** The built web cabinet served at `/` (`npm run web:build`). */
      webDistDir: e.WEB_DIST_DIR ?? path.resolve(__dirname, '../../web/dist'),
    },
    events: {
      /** A comment line keeps an idle live stream (and the proxies on its way) open. */
      heartbeatSeconds: e.EVENTS_HEARTBEAT_SECONDS,
      /** Live streams one merchant may hold open at once on one API process. */
      maxStreamsPerUser: e.EVENTS_MAX_STREAMS_PER_USER,
      /** How long a store's events stay resumable. */
      keepHours: e.EVENTS_KEEP_HOURS,
    },
    auth: {
      /** Unset outside production: the launcher provides one, or the API makes a per-process one. */
      jwtSecret: e.JWT_SECRET,
      jwtTtlSeconds: e.JWT_TTL_SECONDS,
      /** How far a token's `exp` may be passed by the clock of the API checking it (clocks of API hosts differ a little). */
      jwtClockLeewaySeconds: e.JWT_CLOCK_LEEWAY_SECONDS,
      admin: e.ADMIN_EMAIL && e.ADMIN_PASSWORD ? { email: e.ADMIN_EMAIL, password: e.ADMIN_PASSWORD } : undefined,
      limits: {
        /** Wrong passwords for one account from one address before each further one waits. */
        loginFailuresPerAccount: e.LOGIN_MAX_FAILURES_PER_ACCOUNT,
        /** Wrong passwords for one account from addresses it never signed in from, before each further one waits. */
        loginFailuresAcrossAddresses: e.LOGIN_MAX_FAILURES_ACROSS_ADDRESSES,
        /** The first wait; it doubles with each further wrong password, up to the window. */
        loginDelaySeconds: e.LOGIN_DELAY_SECONDS,
        loginAttemptsPerIp: e.LOGIN_MAX_ATTEMPTS_PER_IP,
        loginWindowSeconds: e.LOGIN_WINDOW_SECONDS,
        registrationsPerIp: e.REGISTER_MAX_PER_IP,
        registerWindowSeconds: e.REGISTER_WINDOW_SECONDS,
      },
    },
    secrets: {
      /** AES-256-GCM keys (`id:base64,...`, first encrypts); the api and worker require them. */
      encryptionKeys: e.ENCRYPTION_KEYS,
      /** Lets an operator's Temporal UI decode payloads through `/codec/<token>`; the codec endpoint is off without it. */
      codecToken: e.CODEC_TOKEN,
      /** Lets monitoring read `/metrics`, `/health/proxies` and health details; administrators can without it. */
      operatorToken: e.OPERATOR_TOKEN,
    },
    database: {
      url: e.DATABASE_URL,
      poolMax: e.DATABASE_POOL_MAX,
      connectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
    },
    temporal: {
      address: e.TEMPORAL_ADDRESS ?? `127.0.0.1:${e.TEMPORAL_DEV_PORT}`,
      /** Unset TEMPORAL_ADDRESS means `npm start` runs the Temporal dev server itself. */
      embedded: e.TEMPORAL_ADDRESS === undefined,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      uiUrl: trimSlash(temporalUiUrl),
      cliPath: e.TEMPORAL_CLI_PATH,
      shutdownGraceSeconds: e.WORKER_SHUTDOWN_GRACE_SECONDS,
      /** Where the worker serves the SDK's Prometheus metrics; off when unset. */
      workerMetricsPort: e.WORKER_METRICS_PORT,
    },
    embedded: {
      dataDir: e.DATA_DIR,
      postgresPort: e.EMBEDDED_PG_PORT,
      temporalPort: e.TEMPORAL_DEV_PORT,
      temporalUiPort: e.TEMPORAL_UI_PORT,
    },
    kaspi: {
      publicUrl: trimSlash(e.KASPI_PUBLIC_URL),
      mcUrl: trimSlash(e.KASPI_MC_URL),
      idmcUrl: trimSlash(e.KASPI_IDMC_URL),
      shopApiUrl: trimSlash(e.KASPI_SHOP_API_URL),
    },
    kaspiClient: {
      /** Whole-request deadline of one Kaspi call, connection included. */
      timeoutMs: e.KASPI_TIMEOUT_MS,
    },
    browser: {
      /** Debian's Chromium, driven by Playwright for cabinet logins. */
      chromiumPath: e.CHROMIUM_PATH,
      /** Where a failed login leaves a screenshot of the page, for an operator to see what Kaspi showed. */
      screenshotDir: e.LOGIN_SCREENSHOT_DIR ?? `${e.DATA_DIR}/login-screenshots`,
      /** Screenshots show an email or a phone: deleted this long after they were taken. */
      screenshotRetentionHours: e.LOGIN_SCREENSHOT_RETENTION_HOURS,
    },
    kaspiLogin: {
      /** How long an SMS login waits for the merchant's code. */
      smsTimeoutSeconds: e.SMS_LOGIN_TIMEOUT_SECONDS,
      /** SMS logins started per phone and per account within the window (against SMS pumping). */
      smsMaxPerPhone: e.SMS_LOGIN_MAX_PER_PHONE,
      smsMaxPerUser: e.SMS_LOGIN_MAX_PER_USER,
      smsWindowSeconds: e.SMS_LOGIN_WINDOW_SECONDS,
      /** Store connects (cookies, password, SMS) per client address and per account within the window, and per minute in all. */
      connectMaxPerIp: e.CONNECT_MAX_PER_IP,
      connectMaxPerUser: e.CONNECT_MAX_PER_USER,
      connectWindowSeconds: e.CONNECT_WINDOW_SECONDS,
      connectMaxPerMinute: e.CONNECT_MAX_PER_MINUTE,
      /** Browser logins (password, SMS) running at once across the service, and login pages open at once per worker. */
      maxOpenBrowserLogins: e.BROWSER_LOGINS_MAX_OPEN,
      /** Automatic re-logins one worker runs at once; more wait their turn. */
      reloginMaxConcurrent: e.RELOGIN_MAX_CONCURRENT,
    },
    proxies: {
      limits: {
        profile: e.PROXY_LIMIT_PROFILE,
        budgetRequests: e.PROXY_BUDGET_REQUESTS ?? proxyProfile.budgetRequests,
        budgetWindowSeconds: e.PROXY_BUDGET_WINDOW_SECONDS ?? proxyProfile.budgetWindowSeconds,
        restSeconds: e.PROXY_REST_SECONDS ?? proxyProfile.restSeconds,
        banBenchSeconds: e.PROXY_BAN_BENCH_SECONDS ?? proxyProfile.banBenchSeconds,
        /** A lease's reads must all start within this long; unreported leases count against the budget until then. */
        leaseSeconds: e.PROXY_LEASE_SECONDS,
      },
      /** Lets loopback and private addresses be imported: the sandbox's proxies live on 127.0.0.x. */
      allowPrivateAddresses: e.PROXY_ALLOW_PRIVATE_ADDRESSES,
      poolMin: e.PROXY_POOL_MIN,
      shortageRetrySeconds: e.PROXY_SHORTAGE_RETRY_SECONDS,
      /** The proxy pool schedule deletes read leases older than this (never any that still count against a budget). */
      usageLogKeepHours: e.PROXY_USAGE_LOG_KEEP_HOURS,
      provider: {
        url: trimSlash(e.PROXY_PROVIDER_URL),
        /** Without a key the pool is filled by admin imports only. */
        apiKey: e.PROXY_PROVIDER_KEY,
        periodDays: e.PROXY_PROVIDER_PERIOD_DAYS,
        country: e.PROXY_PROVIDER_COUNTRY,
      },
    },
    billing: {
      /** HMAC-SHA256 key of the payment provider's webhook; the webhook answers 503 without it. */
      webhookSecret: e.BILLING_WEBHOOK_SECRET,
      periodDays: e.BILLING_PERIOD_DAYS,
      /** A subscription's proxy allocation or release whose worker stopped heartbeating this long runs again elsewhere. */
      heartbeatTimeoutSeconds: e.SUBSCRIPTION_HEARTBEAT_TIMEOUT_SECONDS,
    },
    catalog: {
      /** A catalog page import whose worker stopped heartbeating this long runs again elsewhere. */
      heartbeatTimeoutSeconds: e.CATALOG_HEARTBEAT_TIMEOUT_SECONDS,
    },
    reads: {
      /** Storefront reads per second from this process's own address, for users without proxies for a module. */
      directReadsPerSecond: e.DIRECT_READS_PER_SECOND,
      /** After a 403 on a direct read, no read leaves this process's address for this long. */
      readBanPauseSeconds: e.DIRECT_READ_BAN_PAUSE_SECONDS,
      /** Shop API calls per second from this process's own address (orders), for users without orders proxies. */
      ordersDirectReadsPerSecond: e.ORDERS_DIRECT_READS_PER_SECOND,
    },
    demper: {
      /** Products one check activity handles. */
      batchSize: e.DEMPER_BATCH_SIZE,
      /** Products of a batch read at once. */
      readConcurrency: e.DEMPER_READ_CONCURRENCY,
      heartbeatTimeoutSeconds: e.DEMPER_HEARTBEAT_TIMEOUT_SECONDS,
      /** A loop continues as new at this many history events, or sooner when Temporal suggests it. */
      historyLimitEvents: e.DEMPER_HISTORY_LIMIT_EVENTS,
      /** Price changes per merchant within the rolling window. */
      changeBudget: e.DEMPER_CHANGE_BUDGET,
      changeBudgetWindowSeconds: e.DEMPER_CHANGE_BUDGET_WINDOW_SECONDS,
    },
    orders: {
      pollIntervalSeconds: e.ORDERS_POLL_INTERVAL,
      /** Each poll reads again this far behind the newest creation date it has seen (orders show up late). */
      overlapSeconds: e.ORDERS_OVERLAP_SECONDS,
      /** How far back a store's first poll reads. */
      backfillDays: e.ORDERS_BACKFILL_DAYS,
      /** Orders still open are re-read for status changes while they are younger than this. */
      trackDays: e.ORDERS_TRACK_DAYS,
      /** Orders stored per transaction (and entries read per lease). */
      batchSize: e.ORDERS_BATCH_SIZE,
      heartbeatTimeoutSeconds: e.ORDERS_HEARTBEAT_TIMEOUT_SECONDS,
    },
    preorders: {
      /** How often uploaded preorders are looked up on the public offers until Kaspi shows them. */
      checkIntervalSeconds: e.PREORDER_CHECK_INTERVAL_SECONDS,
      /** Preorders Kaspi still does not show this long after an upload are marked failed. */
      activationTimeoutHours: e.PREORDER_ACTIVATION_TIMEOUT_HOURS,
    },
    waha: {
      /** WAHA (WhatsApp HTTP API); WhatsApp messages are off without it. */
      url: e.WAHA_URL ? trimSlash(e.WAHA_URL) : undefined,
      apiKey: e.WAHA_API_KEY,
    },
    telegram: {
      /** Telegram messages and chat linking are off without it. */
      botToken: e.TELEGRAM_BOT_TOKEN,
      apiUrl: trimSlash(e.TELEGRAM_API_URL),
      botUsername: e.TELEGRAM_BOT_USERNAME,
      pollIntervalSeconds: e.TELEGRAM_POLL_INTERVAL_SECONDS,
    },
    notify: {
      /** Deadline of one WAHA or Telegram call. */
      sendTimeoutMs: e.NOTIFY_SEND_TIMEOUT_MS,
      /** A message still unsent this long after it was due (working hours, caps, a disconnected WhatsApp) is dropped. */
      maxDelayHours: e.NOTIFY_MAX_DELAY_HOURS,
      /** An activity failing this many attempts in a row alerts the administrators. */
      workerErrorAttempts: e.NOTIFY_WORKER_ERROR_ATTEMPTS,
    },
  };
}

export type Config = ReturnType<typeof loadConfig>;

let cached: Config | undefined;

/** The process-wide configuration, parsed from `process.env` on first use. */
export function getConfig(): Config {
  cached ??= loadConfig();
  return cached;
}

/** For a command's entry point: the configuration, or its errors (naming each bad variable) on stderr and exit 1. */
export function configOrExit(): Config {
  try {
    return getConfig();
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}

/** Values a server process cannot run without; the embedded launcher fills them in for its children. */
export function requireSetting<T>(value: T | undefined, variable: string): T {
  if (value === undefined) throw new ConfigError([{ variable, message: 'is required' }]);
  return value;
}
