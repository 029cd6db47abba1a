import { createHash } from 'node:crypto';
import type pg from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../lib/config';
import { createSignInThrottle, throttleKey, type ThrottleRule } from '../accounts/sign-in-throttle';
import { HttpError } from './problem';

/** Counters live in PostgreSQL (`rate_limits`, created by our migrations) so limits hold across API instances. */
const TABLE = 'rate_limits';

function limiter(pool: pg.Pool, keyPrefix: string, points: number, durationSeconds: number) {
  return new RateLimiterPostgres({
    storeClient: pool,
    storeType: 'pool',
    tableName: TABLE,
    tableCreated: true,
    clearExpiredByTimeout: false,
    keyPrefix,
    points,
    duration: durationSeconds,
  });
}

function tooMany(res: RateLimiterRes, what: string): HttpError {
  const seconds = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  return new HttpError(429, `Too many ${what}; try again in ${seconds} s.`, {
    headers: { 'Retry-After': String(seconds) },
    extra: { retryAfterSeconds: seconds },
  });
}

async function take(l: RateLimiterPostgres, key: string, what: string): Promise<void> {
  try {
    await l.consume(key);
  } catch (err) {
    if (err instanceof RateLimiterRes) throw tooMany(err, what);
    throw err;
  }
}

/** Client addresses an account signed in from this recently are known to it. */
const KNOWN_ADDRESS_DAYS = 90;

/** A password check let through the sign-in limits; tell it how the check went. */
export interface PasswordAttempt {
  /** The password was right: the points taken are given back and the address is remembered. */
  succeeded(userId?: string): Promise<void>;
  /** The password was wrong: the points stay taken. */
  failed(): Promise<void>;
}

/**
 * Brute-force and abuse limits for sign-in and sign-up.
 *
 * - attempts per client address (any account), a fixed window;
 * - wrong passwords per (account, address): `LOGIN_MAX_FAILURES_PER_ACCOUNT` free, then growing delays;
 * - wrong passwords per account across all addresses: `LOGIN_MAX_FAILURES_ACROSS_ADDRESSES` free, then growing
 *   delays — except at an address the account has signed in from, so strangers cannot keep its owner out.
 *
 * Each throttle takes its point before the password is checked, atomically, so parallel guesses are cut
 * off at the limit; a right password gives the points back.
 */
export function createAuthLimits(pool: pg.Pool, limits: Config['auth']['limits']) {
  const loginPerIp = limiter(pool, 'login_ip', limits.loginAttemptsPerIp, limits.loginWindowSeconds);
  const registerPerIp = limiter(pool, 'register_ip', limits.registrationsPerIp, limits.registerWindowSeconds);
  const registerPerAccount = limiter(pool, 'register_email', 5, limits.registerWindowSeconds);
  const throttle = createSignInThrottle(pool);
  const delays = {
    delaySeconds: limits.loginDelaySeconds,
    maxDelaySeconds: limits.loginWindowSeconds,
    windowSeconds: limits.loginWindowSeconds,
  };
  const perAddress: ThrottleRule = { free: limits.loginFailuresPerAccount, ...delays };
  const perAccount: ThrottleRule = { free: limits.loginFailuresAcrossAddresses, ...delays };

  const delayed = (retryAfterSeconds: number, what: string) =>
    new HttpError(429, `Too many wrong passwords ${what}; try again in ${retryAfterSeconds} s.`, {
      headers: { 'Retry-After': String(retryAfterSeconds) },
      extra: { retryAfterSeconds },
    });

  async function knownAddress(email: string, addressHash: string): Promise<boolean> {
    const { rows } = await pool.query(
      `select 1 from known_sign_in_addresses k join users u on u.id = k.user_id
        where u.email = $1 and k.address_hash = $2 and k.last_sign_in_at > now() - make_interval(days => $3)`,
      [email, addressHash, KNOWN_ADDRESS_DAYS],
    );
    return rows.length > 0;
  }

  /**
   * Takes the points of one password check of `email` from `ip`, or throws 429 with Retry-After. The
   * per-address count of sign-in attempts is taken only for sign-in itself (`countAttempt`).
   */
  async function beforePasswordCheck(ip: string, email: string, countAttempt: boolean): Promise<PasswordAttempt> {
    if (countAttempt) await take(loginPerIp, ip, 'sign-in attempts from this address');
    const addressHash = throttleKey('address', ip);
    const pairKey = throttleKey('login', email, ip);
    const accountKey = throttleKey('login', email);
    const pair = await throttle.take(pairKey, perAddress);
    if (!pair.ok) throw delayed(pair.retryAfterSeconds, 'for this account from this address');
    let accountTaken = false;
    if (!(await knownAddress(email, addressHash))) {
      const account = await throttle.take(accountKey, perAccount);
      if (!account.ok) {
        await throttle.refund(pairKey, perAddress);
        throw delayed(account.retryAfterSeconds, 'for this account');
      }
      accountTaken = true;
    }
    return {
      async succeeded(userId) {
        await throttle.clear(pairKey);
        if (accountTaken) await throttle.refund(accountKey, perAccount);
        if (userId) {
          await pool.query(
            `insert into known_sign_in_addresses (user_id, address_hash, last_sign_in_at) values ($1, $2, now())
             on conflict (user_id, address_hash) do update set last_sign_in_at = now()`,
            [userId, addressHash],
          );
        }
      },
      async failed() {},
    };
  }

  return {
    beforeLogin: (ip: string, email: string) => beforePasswordCheck(ip, email, true),
    /** The current password given to change it is checked under the same throttles as sign-in. */
    beforePasswordConfirmation: (ip: string, email: string) => beforePasswordCheck(ip, email, false),
    async beforeRegister(ip: string, email: string): Promise<void> {
      await take(registerPerIp, ip, 'sign-ups from this address');
      await take(registerPerAccount, email, 'sign-ups for this email');
    },
  };
}

export type AuthLimits = ReturnType<typeof createAuthLimits>;

/**
 * Store connects: every connect route counts per client address, per account and, per minute, in all
 * (each one calls Kaspi, and the password and SMS ones drive a browser). Against SMS pumping, SMS logins
 * are also limited per account and per phone (the phone enters the counters' table only as a hash).
 * A start is counted only when no limit refuses it, so a refused start does not use up the others.
 */
export function createConnectLimits(pool: pg.Pool, limits: Config['kaspiLogin']) {
  const perUser = limiter(pool, 'sms_login_user', limits.smsMaxPerUser, limits.smsWindowSeconds);
  const perPhone = limiter(pool, 'sms_login_phone', limits.smsMaxPerPhone, limits.smsWindowSeconds);
  const connectPerIp = limiter(pool, 'connect_ip', limits.connectMaxPerIp, limits.connectWindowSeconds);
  const connectPerUser = limiter(pool, 'connect_user', limits.connectMaxPerUser, limits.connectWindowSeconds);
  const connectAll = limiter(pool, 'connect_all', limits.connectMaxPerMinute, 60);

  type Check = [RateLimiterPostgres, string, number, string];
  async function takeAll(checks: Check[]): Promise<void> {
    for (const [l, key, points, what] of checks) {
      const used = await l.get(key);
      if (used && used.consumedPoints >= points) throw tooMany(used, what);
    }
    for (const [l, key, , what] of checks) await take(l, key, what);
  }

  const connectChecks = (ip: string, userId: string): Check[] => [
    [connectPerIp, ip, limits.connectMaxPerIp, 'store connects from this address'],
    [connectPerUser, userId, limits.connectMaxPerUser, 'store connects from this account'],
    [connectAll, 'all', limits.connectMaxPerMinute, 'store connects right now'],
  ];

  return {
    /** Before any connect route calls Kaspi. */
    async beforeConnect(ip: string, userId: string): Promise<void> {
      await takeAll(connectChecks(ip, userId));
    },
    async beforeSmsLogin(ip: string, userId: string, phoneDigits: string): Promise<void> {
      const phoneKey = createHash('sha256').update(phoneDigits).digest('hex').slice(0, 32);
      await takeAll([
        ...connectChecks(ip, userId),
        [perUser, userId, limits.smsMaxPerUser, 'SMS logins from this account'],
        [perPhone, phoneKey, limits.smsMaxPerPhone, 'SMS logins for this phone'],
      ]);
    },
  };
}

export type ConnectLimits = ReturnType<typeof createConnectLimits>;

/** Creations a merchant may make per hour (test messages per recipient too), against abuse and runaway scripts. */
export const ABUSE_LIMITS = {
  testMessagesPerUser: 10,
  testMessagesPerRecipient: 3,
  linkCodesPerUser: 10,
  paymentsPerUser: 10,
} as const;

/**
 * Limits on what a merchant can create or set off by the request: test messages (sent at once, outside
 * the store's caps and pacing, so limited per account and per recipient), Telegram link codes and
 * payments, each per hour. 429 with Retry-After beyond.
 */
export function createAbuseLimits(pool: pg.Pool) {
  const hour = 3600;
  const testPerUser = limiter(pool, 'notify_test_user', ABUSE_LIMITS.testMessagesPerUser, hour);
  const testPerRecipient = limiter(pool, 'notify_test_to', ABUSE_LIMITS.testMessagesPerRecipient, hour);
  const linkCodes = limiter(pool, 'link_codes_user', ABUSE_LIMITS.linkCodesPerUser, hour);
  const paymentsPerUser = limiter(pool, 'payments_user', ABUSE_LIMITS.paymentsPerUser, hour);
  return {
    async beforeTestMessage(userId: string, recipient: string): Promise<void> {
      await take(testPerUser, userId, 'test messages from this account');
      await take(
        testPerRecipient,
        createHash('sha256').update(recipient).digest('hex').slice(0, 32),
        'test messages to this recipient',
      );
    },
    beforeLinkCode: (userId: string) => take(linkCodes, userId, 'Telegram link codes'),
    beforePayment: (userId: string) => take(paymentsPerUser, userId, 'payments started'),
  };
}
