/**
 * The service's configuration: the environment parsed once against the declarations in `settings.ts`, checked for
 * the rules that span variables, and mapped into the typed `Config` the rest of the code reads.
 */
import path from 'node:path';
import { PROXY_LIMIT_PROFILES } from '../domain/proxy-budget';
import { envSchema } from './settings';

export class ConfigError extends Error {
  constructor(readonly issues: { variable: string; message: string }[]) {
    super('Invalid configuration:\n' + issues.map((i) => `  ${i.variable}: ${i.message}`).join('\n'));
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
    issues.push({
      variable: e.ADMIN_EMAIL ? 'ADMIN_PASSWORD' : 'ADMIN_EMAIL',
      message: 'ADMIN_EMAIL and ADMIN_PASSWORD go together',
    });
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
      /** With proxies, a product is read ahead of its interval at most this often; 0: never. */
      readAheadSeconds: e.DEMPER_READ_AHEAD_SECONDS,
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
