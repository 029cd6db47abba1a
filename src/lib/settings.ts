/**
 * Every environment variable, declared once: its parser, its default (as it is written in the environment), and
 * its documentation. `config.ts` loads and maps them into the typed `Config`; `npm run settings:docs` writes
 * `.env.example` and the README's table from them, and a test fails when those files fall behind.
 *
 * Defaults are what the embedded stack (`npm start`) needs on a fresh machine; production overrides them through
 * the environment. Settings are grouped into the sections of `.env.example`, in its order.
 */
import { z } from 'zod';
import { PROXY_LIMIT_PROFILES, type ProxyLimitProfile } from '../domain/proxy-budget';
import {
  bool,
  encryptionKeys,
  operatorToken,
  port,
  positiveInt,
  positiveNumber,
  positiveSeconds,
  seconds,
  size,
  trustProxy,
  url,
} from './setting-parsers';

/** How a variable is documented; the docker-compose file's own variables have nothing more. */
export interface SettingDoc {
  /** The value an unset (or empty) variable takes, written as in the environment. */
  default?: string;
  /**
   * The comment above the variable in `.env.example`, one entry per line. A variable without one shares the
   * comment of the variable before it (and its row of the README's table).
   */
  doc?: string | readonly string[];
  /** For a variable without a default: what leaving it unset means, for the README's default column. */
  unset?: string;
  /** The README's one-line summary, on the first variable of a comment; only the main settings have one. */
  summary?: string;
}

/** A variable the service reads: `schema` parses a present value. */
export interface Setting extends SettingDoc {
  schema: z.ZodType;
}

export interface SettingSection {
  title: string;
  settings: Readonly<Record<string, Setting | SettingDoc>>;
}

const PROCESS = {
  NODE_ENV: {
    schema: z.enum(['development', 'production', 'test']),
    default: 'development',
    doc: 'development | production | test. Production turns off pretty logs and stack traces in answers.',
  },
  LOG_LEVEL: {
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    default: 'info',
    doc: 'fatal | error | warn | info | debug | trace | silent',
    summary: 'pino level; logs are JSON, pretty in a terminal',
  },
  LOG_PRETTY: {
    schema: bool,
    doc: 'true forces human-readable logs, false forces JSON; default: pretty in a terminal outside production.',
  },
} satisfies Record<string, Setting>;

const REST_API = {
  HOST: {
    schema: z.string().min(1),
    default: '127.0.0.1',
    doc: 'Interface and port the API listens on (use 0.0.0.0 in containers).',
    summary: 'where the API listens',
  },
  PORT: { schema: port, default: '3000' },
  API_BODY_LIMIT: { schema: size('100kb'), default: '100kb', doc: 'Largest JSON body accepted, e.g. 100kb or 1mb.' },
  API_UPLOAD_LIMIT: {
    schema: size('5mb'),
    default: '5mb',
    doc: 'Largest file upload accepted (the products Excel import).',
    summary:
      'largest Excel file the import takes; it is read in worker threads by a bounded reader ' +
      '(at most 64 MB unpacked, 50,000 rows, 100 columns, 1,000,000 cells)',
  },
  PUBLIC_API_URL: {
    schema: url,
    doc: "The API's public address, used in links sent to merchants (default http://localhost:$PORT).",
    unset: '`http://localhost:$PORT`',
  },
  TRUST_PROXY: {
    schema: trustProxy,
    default: 'loopback',
    doc: [
      'Which hops in front of the API may name the client address in X-Forwarded-For: a hop count (1 = the one',
      'reverse proxy in front), or addresses / CIDR ranges / loopback, linklocal, uniquelocal, comma-separated;',
      'none trusts no header. Per-address limits (sign-in, sign-up, store connects) count the address found so:',
      "behind a proxy on another host, leave this at loopback and every client shares the proxy's address.",
      '`true` is refused (any client could pick its address). Default: loopback.',
    ],
    summary:
      'hops allowed to name the client address in `X-Forwarded-For`: a hop count, `none`, or addresses/CIDR ranges ' +
      '(`true` is refused); set it when a reverse proxy on another host fronts the API, or all clients share one ' +
      'address for the per-address limits',
  },
  WEB_DIST_DIR: {
    schema: z.string().min(1),
    doc: [
      'The built web cabinet the API serves at / (`npm run web:build`; `npm start` and the demo build it when',
      'its sources changed). Default: web/dist of this checkout.',
    ],
    unset: '`web/dist`',
    summary: 'the built web cabinet served at `/`',
  },
} satisfies Record<string, Setting>;

const LIVE_STREAM = {
  EVENTS_HEARTBEAT_SECONDS: {
    schema: positiveInt,
    default: '15',
    doc: 'A comment line this often keeps an idle stream, and proxies on its way, open.',
    summary: "heartbeat of the cabinet's live stream",
  },
  EVENTS_MAX_STREAMS_PER_USER: {
    schema: positiveInt,
    default: '5',
    doc: 'Streams one merchant may hold open at once on one API process (429 beyond).',
    summary: 'live streams per merchant and API process',
  },
  EVENTS_KEEP_HOURS: {
    schema: positiveInt,
    default: '24',
    doc: "How long a store's events stay resumable with Last-Event-ID; older ones are deleted.",
    summary: "how long a store's live events stay resumable",
  },
} satisfies Record<string, Setting>;

const ACCOUNTS = {
  JWT_SECRET: {
    schema: z.string().min(32, 'must be at least 32 characters'),
    doc: [
      'Signs bearer tokens; at least 32 characters. Required in production. `npm start` generates one into',
      '$DATA_DIR/secrets.json when unset.',
    ],
    unset: 'generated',
    summary: 'signs bearer tokens (≥ 32 chars; required in production; `npm start` keeps one in `.data/secrets.json`)',
  },
  JWT_TTL_SECONDS: {
    schema: positiveInt,
    default: '43200',
    doc: 'How long a bearer token is accepted after it was issued.',
    summary: 'bearer token lifetime',
  },
  JWT_CLOCK_LEEWAY_SECONDS: {
    schema: z.coerce.number().int().min(0).max(300),
    default: '60',
    doc: 'A token is still accepted this many seconds past its expiry (0-300), for API hosts whose clocks differ a little.',
    summary: 'how long past its expiry a token is still accepted (clock differences between API hosts; at most 300)',
  },
  ADMIN_EMAIL: {
    schema: z.email(),
    doc: [
      'The first administrator: created when the API starts and no account has this email. An existing account',
      'is promoted only when ADMIN_PASSWORD is its password; otherwise the API refuses to start (anyone can',
      'register, so owning the email is not enough). Both or neither.',
    ],
    summary:
      'the first administrator, created at API start; an existing account is promoted only if `ADMIN_PASSWORD` is ' +
      'its password, else the API refuses to start',
  },
  ADMIN_PASSWORD: { schema: z.string().min(10).max(128) },
  LOGIN_MAX_FAILURES_PER_ACCOUNT: {
    schema: positiveInt,
    default: '5',
    doc: [
      'Sign-in: wrong passwords for one account from one address, then each further try waits LOGIN_DELAY_SECONDS,',
      'doubling with every wrong one, up to LOGIN_WINDOW_SECONDS (429 with Retry-After; never a lock).',
    ],
    summary:
      'sign-in limits: free wrong passwords per account and address; then waits from `LOGIN_DELAY_SECONDS`, ' +
      'doubling up to the window (429, no lock)',
  },
  LOGIN_DELAY_SECONDS: { schema: positiveSeconds, default: '1' },
  LOGIN_MAX_FAILURES_ACROSS_ADDRESSES: {
    schema: positiveInt,
    default: '20',
    doc: [
      'The same across addresses, counting only addresses the account never signed in from (so strangers cannot',
      'keep the owner out where the owner usually signs in).',
    ],
    summary: 'free wrong passwords per account from addresses it never signed in from',
  },
  LOGIN_MAX_ATTEMPTS_PER_IP: {
    schema: positiveInt,
    default: '50',
    doc: 'Attempts per client address (any account) within the window, then 429.',
    summary: 'sign-in attempts per address within the window',
  },
  LOGIN_WINDOW_SECONDS: {
    schema: positiveInt,
    default: '900',
    doc: 'Failures are forgotten this long after the last attempt; also the longest wait.',
    summary: 'how long sign-in failures are remembered; also the longest wait',
  },
  REGISTER_MAX_PER_IP: {
    schema: positiveInt,
    default: '20',
    doc: 'Sign-up: accounts created per client address within the window.',
    summary: 'sign-up limits',
  },
  REGISTER_WINDOW_SECONDS: { schema: positiveInt, default: '3600' },
} satisfies Record<string, Setting>;

const SECRETS = {
  ENCRYPTION_KEYS: {
    schema: encryptionKeys,
    doc: [
      'AES-256-GCM keys as "<id>:<base64 of 32 random bytes>", comma-separated. The FIRST key encrypts; every',
      'listed key decrypts. Each key derives (HKDF) separate keys for PostgreSQL columns and Temporal payloads.',
      'Rotate: put a new key first, restart, run `npm run secrets:reencrypt` (columns only). Workflow histories keep',
      "the old key's payloads: keep the old key listed until every workflow started before the rotation has closed",
      "and its history is past the namespace's retention (subscriptions run a month). Only then drop it.",
      "Make one with: node -e \"console.log('k1:'+require('crypto').randomBytes(32).toString('base64'))\"",
      'Required in production; `npm start` generates one into $DATA_DIR/secrets.json when unset.',
    ],
    unset: 'generated',
    summary:
      'AES-256-GCM keys (`id:base64`, first encrypts); each derives (HKDF) one key for secrets in PostgreSQL and ' +
      'another for Temporal payloads; required in production; see *Secrets* for rotation',
  },
  CODEC_TOKEN: {
    schema: operatorToken,
    doc: [
      'Operator token for the codec endpoint that decrypts Temporal payloads. The Temporal CLI sends it as a header:',
      '--codec-endpoint <api>/codec --codec-auth "Bearer <CODEC_TOKEN>". The Temporal UI cannot send a header: set its',
      "codec endpoint to <api>/codec/<CODEC_TOKEN> (redacted from the API's request log). Off when unset;",
      '`npm start` generates one into $DATA_DIR/secrets.json.',
    ],
    unset: 'generated',
    summary:
      'operator token of the codec endpoint: `Authorization: Bearer <token>` on `/codec/{encode,decode}`, or ' +
      '`/codec/<token>` for the Temporal UI',
  },
  OPERATOR_TOKEN: {
    schema: operatorToken,
    doc: [
      'Lets monitoring read /metrics, /health/proxies and the details of /health/* (Authorization: Bearer <token>);',
      "administrators' tokens work too. Anyone else gets only ok/fail from /health/*. At least 24 characters.",
    ],
    summary:
      'lets monitoring read `/metrics`, `/health/proxies` and health details (`Authorization: Bearer <token>`); ' +
      'administrators can without it',
  },
} satisfies Record<string, Setting>;

/** Read by docker-compose.yml only, never by the service. */
const DOCKER_COMPOSE: Record<string, SettingDoc> = {
  CODEC_ENDPOINT: {
    doc: [
      'The codec endpoint the Temporal UI container uses, e.g. http://localhost:3000/codec/<CODEC_TOKEN>.',
      "Whoever reaches the UI can read it from the UI's settings: keep the UI private (see docker-compose.yml).",
    ],
  },
  POSTGRES_PASSWORD: {
    doc: "PostgreSQL's password (URL-safe characters only: it goes into DATABASE_URL). Required by docker-compose.yml.",
  },
  API_BIND: {
    default: '0.0.0.0',
    doc: "Where the API's port 3000 is published (0.0.0.0: everywhere; 127.0.0.1 behind a reverse proxy on this host).",
  },
  TEMPORAL_UI_BIND: {
    default: '127.0.0.1',
    doc: [
      "Where the Temporal UI's port 8080 is published. It shows decrypted payloads: keep 127.0.0.1 (reach it through",
      '`ssh -L 8080:127.0.0.1:8080 <host>`) unless TEMPORAL_AUTH_ENABLED=true and a TLS proxy fronts it.',
    ],
  },
  TEMPORAL_AUTH_ENABLED: {
    default: 'false',
    doc: 'OIDC sign-in of the Temporal UI (all five from your identity provider), for reaching it beyond this host.',
  },
  TEMPORAL_AUTH_PROVIDER_URL: {},
  TEMPORAL_AUTH_CLIENT_ID: {},
  TEMPORAL_AUTH_CLIENT_SECRET: {},
  TEMPORAL_AUTH_CALLBACK_URL: {},
};

const POSTGRESQL = {
  DATABASE_URL: {
    schema: z.string().regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL'),
    doc: 'Unset: `npm start` runs an embedded PostgreSQL under $DATA_DIR. The api and worker need it set.',
    unset: 'embedded',
    summary: 'PostgreSQL connection string (required by the api and worker processes)',
  },
  DATABASE_POOL_MAX: { schema: positiveInt, default: '10', doc: 'Connections one process keeps open at most.' },
  DATABASE_CONNECT_TIMEOUT_MS: {
    schema: positiveInt,
    default: '5000',
    doc: 'A connection attempt gives up after this long (so a PostgreSQL outage answers 503 quickly).',
  },
  DATABASE_STATEMENT_TIMEOUT_MS: {
    schema: positiveInt,
    default: '15000',
    doc: 'PostgreSQL cancels a statement that runs longer than this.',
  },
} satisfies Record<string, Setting>;

const TEMPORAL = {
  TEMPORAL_ADDRESS: {
    schema: z.string().regex(/^[^\s:]+:\d+$/, 'expected host:port'),
    doc: 'host:port of the Temporal frontend. Unset: `npm start` runs the Temporal dev server itself.',
    unset: 'dev server',
    summary: 'Temporal frontend `host:port`',
  },
  TEMPORAL_NAMESPACE: {
    schema: z.string().min(1),
    default: 'default',
    doc: 'The namespace of every workflow.',
    summary: 'namespace of all workflows',
  },
  TEMPORAL_TASK_QUEUE: {
    schema: z.string().min(1),
    default: 'kaspi-demper',
    doc: "The worker's task queue.",
    summary: "the worker's task queue",
  },
  TEMPORAL_UI_URL: {
    schema: url,
    doc: 'Where operators open the Temporal UI (used in links; default http://localhost:$TEMPORAL_UI_PORT).',
    unset: '`http://localhost:$TEMPORAL_UI_PORT`',
  },
  TEMPORAL_CLI_PATH: {
    schema: z.string().min(1),
    doc: 'A `temporal` binary to use instead of the one on PATH or the cached build.',
  },
  WORKER_SHUTDOWN_GRACE_SECONDS: {
    schema: positiveInt,
    default: '30',
    doc: 'How long a stopping worker lets in-flight activities finish.',
  },
  WORKER_METRICS_PORT: {
    schema: port,
    doc: "Port for the worker's Prometheus metrics (Temporal SDK metrics); off when unset.",
  },
} satisfies Record<string, Setting>;

const EMBEDDED_STACK = {
  DATA_DIR: {
    schema: z.string().min(1),
    default: '.data',
    doc: 'Where the embedded PostgreSQL and the Temporal dev server keep their data between runs.',
  },
  EMBEDDED_PG_PORT: {
    schema: port,
    default: '5433',
    doc: 'Ports of the embedded PostgreSQL, the Temporal dev server and its UI.',
  },
  TEMPORAL_DEV_PORT: { schema: port, default: '7233' },
  TEMPORAL_UI_PORT: { schema: port, default: '8233' },
} satisfies Record<string, Setting>;

const KASPI = {
  KASPI_PUBLIC_URL: {
    schema: url,
    default: 'https://kaspi.kz',
    doc: "Base URLs of Kaspi's surfaces; point them at the sandbox for tests and demos.",
    summary:
      'public storefront (competitor offers, reviews), merchant cabinet (offers, price pushes, session), ' +
      'merchant login pages, official Shop API (orders)',
  },
  KASPI_MC_URL: { schema: url, default: 'https://mc.shop.kaspi.kz' },
  KASPI_IDMC_URL: { schema: url, default: 'https://idmc.shop.kaspi.kz' },
  KASPI_SHOP_API_URL: { schema: url, default: 'https://kaspi.kz/shop/api' },
  KASPI_TIMEOUT_MS: {
    schema: positiveInt,
    default: '15000',
    doc: 'A Kaspi call that has not finished after this long fails as "Kaspi unavailable" and is retried.',
    summary: 'deadline of one Kaspi call',
  },
  CHROMIUM_PATH: {
    schema: z.string().min(1),
    default: '/usr/bin/chromium',
    doc: "The Chromium that Playwright drives for cabinet logins (Debian's package by default).",
    summary: 'the Chromium that logs in to the merchant cabinet',
  },
  LOGIN_SCREENSHOT_DIR: {
    schema: z.string().min(1),
    doc: [
      'Where a failed cabinet login leaves a screenshot of the page (default $DATA_DIR/login-screenshots); its path',
      "is logged, and only the service's user can read it.",
    ],
    unset: '`$DATA_DIR/login-screenshots`',
    summary:
      "where a failed cabinet login leaves a screenshot (its path is logged; readable by the service's user only)",
  },
  LOGIN_SCREENSHOT_RETENTION_HOURS: {
    schema: positiveNumber,
    default: '72',
    doc: "Screenshots show the merchant's email or phone: deleted this many hours after they were taken.",
    summary: 'when a login screenshot is deleted',
  },
  SMS_LOGIN_TIMEOUT_SECONDS: {
    schema: positiveInt,
    default: '300',
    doc: "How long an SMS login waits for the merchant's code before it expires.",
    summary: "how long an SMS login waits for the merchant's code",
  },
  SMS_LOGIN_MAX_PER_PHONE: {
    schema: positiveInt,
    default: '5',
    doc: 'SMS logins started per phone number and per account within the window; more answer 429 (against SMS pumping).',
    summary: 'SMS logins started per phone and per account within the window (429 beyond)',
  },
  SMS_LOGIN_MAX_PER_USER: { schema: positiveInt, default: '10' },
  SMS_LOGIN_WINDOW_SECONDS: { schema: positiveInt, default: '3600' },
  CONNECT_MAX_PER_IP: {
    schema: positiveInt,
    default: '30',
    doc: [
      'Store connects (cookies, password, SMS) per client address and per account within the window, and per minute',
      'across the service (429 with Retry-After beyond).',
    ],
    summary:
      'store connects (all three routes) per address and per account within the window, and per minute in all ' +
      '(429 with Retry-After)',
  },
  CONNECT_MAX_PER_USER: { schema: positiveInt, default: '20' },
  CONNECT_WINDOW_SECONDS: { schema: positiveInt, default: '3600' },
  CONNECT_MAX_PER_MINUTE: { schema: positiveInt, default: '60' },
  BROWSER_LOGINS_MAX_OPEN: {
    schema: positiveInt,
    default: '20',
    doc: [
      'Kaspi browser logins (password, SMS waiting for its code) running at once across the service (429 beyond),',
      'and login pages one worker keeps open.',
    ],
    summary: 'Kaspi browser logins running at once across the service (and pages one worker keeps open; 429 beyond)',
  },
  RELOGIN_MAX_CONCURRENT: {
    schema: positiveInt,
    default: '3',
    doc: 'Automatic re-logins one worker runs at once (each holds a browser for up to minutes; the rest wait).',
    summary: 'automatic re-logins one worker runs at once',
  },
} satisfies Record<string, Setting>;

/** A profile's numbers as `.env.example` and the README show them. */
function profileNumbers(name: ProxyLimitProfile): string {
  const p = PROXY_LIMIT_PROFILES[name];
  const rest = p.restSeconds > 0 ? `rest ${p.restSeconds} s` : 'no rest';
  return `${p.budgetRequests} per ${p.budgetWindowSeconds} s, ${rest}, bench ${p.banBenchSeconds} s`;
}

const PROXIES = {
  PROXY_LIMIT_PROFILE: {
    schema: z.enum(Object.keys(PROXY_LIMIT_PROFILES) as [ProxyLimitProfile, ...ProxyLimitProfile[]]),
    default: 'measured' satisfies ProxyLimitProfile,
    doc: [
      'Kaspi throttles storefront reads per IP. Paying users read through their own proxies, leased per',
      'module. One mechanism, two profiles of defaults: a proxy gets at most PROXY_BUDGET_REQUESTS reads in',
      'any PROXY_BUDGET_WINDOW_SECONDS, rests PROXY_REST_SECONDS once a lease spends its budget, and is benched',
      'PROXY_BAN_BENCH_SECONDS after a ban (403).',
      `  measured: ${profileNumbers('measured')}   (≈10 req/s safe, ≈15 req/s banned ≈10 s)`,
      `  seed:     ${profileNumbers('seed')}   (250 per 30 min, rotate and rest 40 min)`,
    ],
    summary:
      `per-IP read budget of each proxy: \`measured\` (${profileNumbers('measured')}) or ` +
      `\`seed\` (${profileNumbers('seed')}); the other four override its numbers`,
  },
  PROXY_BUDGET_REQUESTS: { schema: positiveInt, unset: "the profile's" },
  PROXY_BUDGET_WINDOW_SECONDS: { schema: positiveSeconds, unset: "the profile's" },
  PROXY_REST_SECONDS: { schema: seconds, unset: "the profile's" },
  PROXY_BAN_BENCH_SECONDS: { schema: seconds, unset: "the profile's" },
  PROXY_LEASE_SECONDS: {
    schema: positiveSeconds,
    default: '30',
    doc: "A lease's reads must all start within this long; an unreported lease counts against its proxy until then.",
  },
  PROXY_ALLOW_PRIVATE_ADDRESSES: {
    schema: bool,
    default: 'false',
    doc: 'Lets admins import proxies on loopback or private addresses. Only for the sandbox and demos; refused in production.',
    summary: 'allow importing proxies on loopback/private addresses (sandbox and demos only)',
  },
  PROXY_POOL_MIN: {
    schema: z.coerce.number().int().min(0),
    default: '100',
    doc: 'The pool workflow (every 6 h) keeps at least this many free proxies, buying from the provider.',
    summary: 'free proxies the pool workflow keeps, buying from the provider',
  },
  PROXY_PROVIDER_URL: {
    schema: url,
    default: 'https://proxy6.net',
    doc: 'A Proxy6-style provider (https://proxy6.net/developers). Without a key the pool is filled by admin imports only.',
    summary: 'the Proxy6-style proxy shop; without a key only admin imports fill the pool',
  },
  PROXY_PROVIDER_KEY: { schema: z.string().min(1) },
  PROXY_PROVIDER_PERIOD_DAYS: { schema: positiveInt, default: '30' },
  PROXY_PROVIDER_COUNTRY: { schema: z.string().regex(/^[a-z]{2}$/, 'a two-letter country code'), default: 'kz' },
  PROXY_SHORTAGE_RETRY_SECONDS: {
    schema: positiveSeconds,
    default: '600',
    doc: "While a subscription's proxies are short, how often it tries to allocate the rest.",
  },
  PROXY_USAGE_LOG_KEEP_HOURS: {
    schema: positiveNumber,
    default: '24',
    doc: 'Read leases (one row per batch of reads through a proxy) are kept this long for inspection, then deleted.',
  },
} satisfies Record<string, Setting>;

const BILLING = {
  BILLING_WEBHOOK_SECRET: {
    schema: z.string().min(16, 'must be at least 16 characters'),
    doc: [
      'HMAC-SHA256 key the payment provider signs webhooks with: X-Signature: t=<unix seconds>,sha256=<hex of the',
      'HMAC of "<t>.<raw body>">; a timestamp more than 5 minutes off is refused. The webhook answers 503 while unset.',
    ],
    summary: "HMAC-SHA256 key of the payment provider's webhook, signing `<timestamp>.<body>` (required for payments)",
  },
  BILLING_PERIOD_DAYS: {
    schema: positiveInt,
    default: '30',
    doc: "A paid period's length when the provider's event does not name its end.",
    summary: 'length of a paid period',
  },
  SUBSCRIPTION_HEARTBEAT_TIMEOUT_SECONDS: {
    schema: positiveSeconds,
    default: '30',
    doc: "A subscription's proxy allocation or release whose worker stopped heartbeating this long runs again on another worker.",
    summary:
      "a subscription's proxy allocation or release whose worker stopped heartbeating this long (it died) runs again " +
      'on another worker',
  },
  CATALOG_HEARTBEAT_TIMEOUT_SECONDS: {
    schema: positiveSeconds,
    default: '30',
    doc: 'A catalog sync page whose worker stopped heartbeating this long is imported again on another worker.',
    summary: 'a catalog sync page whose worker stopped heartbeating this long runs again on another worker',
  },
} satisfies Record<string, Setting>;

const DIRECT_READS = {
  DIRECT_READS_PER_SECOND: {
    schema: positiveNumber.max(15),
    default: '3',
    doc: [
      "Storefront reads per second from a process's own address, for merchants without proxies for the module",
      '(the free plan). Kaspi bans an address (403, ~10 s) above ~15 reads a second; every process on one machine',
      'shares it.',
    ],
    summary: "storefront reads per second from a process's own address, for merchants without proxies for the module",
  },
  DIRECT_READ_BAN_PAUSE_SECONDS: {
    schema: positiveInt,
    default: '15',
    doc: "After a 403 on a direct read, no read leaves the process's address for this long.",
    summary: 'after a 403 on a direct read, no read leaves that address for this long',
  },
  ORDERS_DIRECT_READS_PER_SECOND: {
    schema: positiveNumber,
    default: '6',
    doc: "Shop API calls per second (the orders poll) from a process's own address, for merchants without orders proxies.",
    summary:
      "Shop API calls per second from a process's own address (the orders poll of merchants without orders proxies)",
  },
} satisfies Record<string, Setting>;

const DEMPER = {
  DEMPER_BATCH_SIZE: {
    schema: positiveInt.max(500),
    default: '50',
    doc: 'Products one check activity of a demper cycle handles (it heartbeats after each).',
    summary: 'products one check activity of a demper cycle handles',
  },
  DEMPER_READ_CONCURRENCY: {
    schema: positiveInt.max(64),
    default: '8',
    doc: "Products of a batch read at once (each read still waits for its address's share of the rate).",
    summary: 'products of a batch read at once (the read channel still paces every address)',
  },
  DEMPER_READ_AHEAD_SECONDS: {
    schema: seconds,
    default: '5',
    doc: 'A store with proxies of its own reads its products continuously, as fast as the proxies allow, each at most this often; its intervals are then the longest a product waits. 0 keeps every store to its intervals.',
    summary: 'with proxies, products are read continuously, each at most this often (0: intervals only)',
  },
  DEMPER_HEARTBEAT_TIMEOUT_SECONDS: {
    schema: positiveInt,
    default: '30',
    doc: 'A demper activity that has not heartbeated for this long is retried, on another worker if need be.',
    summary: 'a demper activity that stops heartbeating this long is retried elsewhere',
  },
  DEMPER_HISTORY_LIMIT_EVENTS: {
    schema: positiveInt.min(20),
    default: '10000',
    doc: 'A demper loop continues as new at this many history events, or sooner when Temporal suggests it.',
    summary: 'a demper loop continues as new at this many history events (sooner when Temporal suggests it)',
  },
  DEMPER_CHANGE_BUDGET: {
    schema: positiveInt,
    default: '240',
    doc: 'Price changes per merchant within the rolling window (Kaspi is reported to allow ~250 per 30 min).',
    summary: 'price changes per merchant within the rolling window',
  },
  DEMPER_CHANGE_BUDGET_WINDOW_SECONDS: { schema: positiveInt, default: '1800' },
} satisfies Record<string, Setting>;

const ORDERS = {
  ORDERS_POLL_INTERVAL: {
    schema: positiveSeconds,
    default: '600',
    doc: "Seconds between two polls of a store's orders (a poll can also be asked for at once).",
    summary: "seconds between two polls of a store's orders",
  },
  ORDERS_OVERLAP_SECONDS: {
    schema: seconds,
    default: '7200',
    doc: [
      'Each poll reads again this far behind the newest order creation date it stored: orders show up in the',
      'Shop API after the bank approves them, not when they are created.',
    ],
    summary: 'how far behind the newest order a poll reads again',
  },
  ORDERS_BACKFILL_DAYS: {
    schema: positiveNumber.max(14),
    default: '14',
    doc: "How far back a store's first poll reads (at most 14 days).",
    summary: "how far back a store's first poll reads",
  },
  ORDERS_TRACK_DAYS: {
    schema: positiveNumber,
    default: '30',
    doc: 'Orders still open are read again for status changes while younger than this.',
    summary: 'how long open orders are re-read for status changes',
  },
  ORDERS_BATCH_SIZE: {
    schema: z.coerce.number().int().min(1).max(1000),
    default: '100',
    doc: 'Orders stored per transaction.',
  },
  ORDERS_HEARTBEAT_TIMEOUT_SECONDS: {
    schema: positiveSeconds,
    default: '60',
    doc: 'A poll whose worker stopped answering this long runs again on another worker.',
  },
  PREORDER_CHECK_INTERVAL_SECONDS: {
    schema: positiveSeconds,
    default: '300',
    doc: [
      "How often uploaded preorders are looked up on Kaspi's public offers, and how long until one Kaspi still",
      'does not show is marked failed.',
    ],
    summary: 'how often uploaded preorders are looked up on Kaspi, and when one still not shown is marked failed',
  },
  PREORDER_ACTIVATION_TIMEOUT_HOURS: { schema: positiveNumber, default: '24' },
} satisfies Record<string, Setting>;

const NOTIFICATIONS = {
  WAHA_URL: {
    schema: url,
    doc: "WAHA (WhatsApp HTTP API): customers' messages go out through one session per store. Off when unset.",
    summary: "the WAHA server customers' WhatsApp messages go through; WhatsApp is off without it",
  },
  WAHA_API_KEY: { schema: z.string().min(1) },
  TELEGRAM_BOT_TOKEN: {
    schema: z.string().regex(/^\d+:[A-Za-z0-9_-]+$/, 'expected a bot token such as 123456:ABC-def'),
    doc: 'The Telegram bot merchants and administrators link their chats to. Off when the token is unset.',
    summary: 'the bot merchants and admins link their chats to; Telegram is off without the token',
  },
  TELEGRAM_BOT_USERNAME: {
    schema: z.string().regex(/^[A-Za-z0-9_]{5,64}$/, 'a bot username without @'),
    doc: "The bot's username (without @), for the t.me link that carries the link code.",
    summary: "the bot's username, for the `t.me` link that carries the link code",
  },
  TELEGRAM_API_URL: {
    schema: url,
    default: 'https://api.telegram.org',
    doc: "Base URL of Telegram's Bot API; point it at the sandbox for tests and demos.",
    summary: "Telegram's Bot API (the sandbox's in tests and demos)",
  },
  TELEGRAM_POLL_INTERVAL_SECONDS: {
    schema: positiveSeconds,
    default: '2',
    doc: 'How often the bot asks Telegram for new messages.',
  },
  NOTIFY_SEND_TIMEOUT_MS: { schema: positiveInt, default: '10000', doc: 'Deadline of one WAHA or Telegram call.' },
  NOTIFY_MAX_DELAY_HOURS: {
    schema: positiveNumber,
    default: '24',
    doc: 'A message still unsent this long after it was due (working hours, daily cap, a disconnected WhatsApp) is dropped.',
    summary: 'a message held this long (working hours, daily cap, a disconnected WhatsApp) is dropped',
  },
  NOTIFY_WORKER_ERROR_ATTEMPTS: {
    schema: positiveInt,
    default: '5',
    doc: 'An activity failing this many attempts in a row alerts the administrators.',
  },
} satisfies Record<string, Setting>;

/** The sections of `.env.example` and of the README's table, in order. */
export const SETTING_SECTIONS: readonly SettingSection[] = [
  { title: 'process', settings: PROCESS },
  { title: 'REST API', settings: REST_API },
  { title: "the cabinet's live stream (GET /api/v1/stores/{id}/events)", settings: LIVE_STREAM },
  { title: 'accounts', settings: ACCOUNTS },
  { title: 'secrets at rest and in Temporal', settings: SECRETS },
  { title: 'docker-compose only', settings: DOCKER_COMPOSE },
  { title: 'PostgreSQL', settings: POSTGRESQL },
  { title: 'Temporal', settings: TEMPORAL },
  { title: 'embedded stack (`npm start` only)', settings: EMBEDDED_STACK },
  { title: 'Kaspi', settings: KASPI },
  { title: 'proxies', settings: PROXIES },
  { title: 'billing', settings: BILLING },
  { title: "reads from the process's own address", settings: DIRECT_READS },
  { title: 'demper', settings: DEMPER },
  { title: 'orders and preorders', settings: ORDERS },
  { title: 'notifications', settings: NOTIFICATIONS },
];

/** Every variable the service reads. */
export const SETTINGS = {
  ...PROCESS,
  ...REST_API,
  ...LIVE_STREAM,
  ...ACCOUNTS,
  ...SECRETS,
  ...POSTGRESQL,
  ...TEMPORAL,
  ...EMBEDDED_STACK,
  ...KASPI,
  ...PROXIES,
  ...BILLING,
  ...DIRECT_READS,
  ...DEMPER,
  ...ORDERS,
  ...NOTIFICATIONS,
};

type SettingValue<S> = S extends { schema: infer Schema extends z.ZodType }
  ? S extends { default: string }
    ? z.output<Schema>
    : z.output<Schema> | undefined
  : never;

/** The environment once parsed: every variable with a default has a value. */
export type Env = { [Name in keyof typeof SETTINGS]: SettingValue<(typeof SETTINGS)[Name]> };

/**
 * The parser of the whole environment. A default is written as in the environment and goes through the
 * variable's own parser, so `.env.example` shows exactly what an unset variable means.
 */
export const envSchema = z.object(
  Object.fromEntries(
    Object.entries(SETTINGS as Record<string, Setting>).map(([name, setting]) => [
      name,
      setting.default === undefined ? setting.schema.optional() : setting.schema.prefault(setting.default),
    ]),
  ),
) as unknown as z.ZodType<Env>;
