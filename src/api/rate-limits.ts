import { createHash } from 'node:crypto';
import type pg from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../lib/config';
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

/**
 * Brute-force and abuse limits for sign-in and sign-up: attempts per client IP, and failed
 * passwords per account. An account that hits its failure limit is locked for the window even for
 * the right password, then works again.
 */
export function createAuthLimits(pool: pg.Pool, limits: Config['auth']['limits']) {
  const loginPerIp = limiter(pool, 'login_ip', limits.loginAttemptsPerIp, limits.loginWindowSeconds);
  const failuresPerAccount = limiter(pool, 'login_fail', limits.loginFailuresPerAccount, limits.loginWindowSeconds);
  const registerPerIp = limiter(pool, 'register_ip', limits.registrationsPerIp, limits.registerWindowSeconds);
  const registerPerAccount = limiter(pool, 'register_email', 5, limits.registerWindowSeconds);

  return {
    async beforeLogin(ip: string, email: string): Promise<void> {
      const failures = await failuresPerAccount.get(email);
      if (failures && failures.consumedPoints >= limits.loginFailuresPerAccount) {
        throw tooMany(failures, 'failed sign-ins for this account');
      }
      await take(loginPerIp, ip, 'sign-in attempts from this address');
    },
    async loginFailed(email: string): Promise<void> {
      await failuresPerAccount.penalty(email, 1);
    },
    async loginSucceeded(email: string): Promise<void> {
      await failuresPerAccount.delete(email);
    },
    async beforeRegister(ip: string, email: string): Promise<void> {
      await take(registerPerIp, ip, 'sign-ups from this address');
      await take(registerPerAccount, email, 'sign-ups for this email');
    },
  };
}

export type AuthLimits = ReturnType<typeof createAuthLimits>;

/**
 * Against SMS pumping: each SMS login makes Kaspi send a text, so starts are limited per account and per
 * phone (the phone enters the counters' table only as a hash).
 */
export function createConnectLimits(pool: pg.Pool, limits: Config['kaspiLogin']) {
  const perUser = limiter(pool, 'sms_login_user', limits.smsMaxPerUser, limits.smsWindowSeconds);
  const perPhone = limiter(pool, 'sms_login_phone', limits.smsMaxPerPhone, limits.smsWindowSeconds);
  return {
    /** Counts a start only when neither limit refuses it, so a refused start does not use up the other limit. */
    async beforeSmsLogin(userId: string, phoneDigits: string): Promise<void> {
      const phoneKey = createHash('sha256').update(phoneDigits).digest('hex').slice(0, 32);
      const checks: [RateLimiterPostgres, string, number, string][] = [
        [perUser, userId, limits.smsMaxPerUser, 'SMS logins from this account'],
        [perPhone, phoneKey, limits.smsMaxPerPhone, 'SMS logins for this phone'],
      ];
      for (const [l, key, points, what] of checks) {
        const used = await l.get(key);
        if (used && used.consumedPoints >= points) throw tooMany(used, what);
      }
      for (const [l, key, , what] of checks) await take(l, key, what);
    },
  };
}

export type ConnectLimits = ReturnType<typeof createConnectLimits>;
