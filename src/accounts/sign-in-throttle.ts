/**
 * Throttles of password guesses, kept in `login_throttles` so they hold across API instances.
 *
 * Each key (an account at one client address, or an account across all addresses) has `free` failures;
 * from the `free`-th on, every failure makes the next attempt under that key wait — `delaySeconds`, then
 * twice that, and so on up to `maxDelaySeconds`. There is no lock: a wait is always short at first and
 * the right password, once it is let through, clears its (account, address) key.
 *
 * Taking a point is one atomic upsert made *before* the password is checked (so parallel guesses cannot
 * all read the same count and pass), and the point is given back when the password was right. A key is
 * forgotten `windowSeconds` after its last attempt.
 */

import { createHash } from 'node:crypto';
import type pg from 'pg';

export interface ThrottleRule {
  free: number;
  delaySeconds: number;
  maxDelaySeconds: number;
  windowSeconds: number;
}

export type Taken = { ok: true } | { ok: false; retryAfterSeconds: number };

/** Keys are hashes: neither emails nor addresses are stored in the clear. */
export function throttleKey(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('base64url');
}

/** Exponents beyond this are capped anyway by `maxDelaySeconds`; keeps `power()` in range. */
const MAX_DOUBLINGS = 40;

export function createSignInThrottle(pool: pg.Pool) {
  return {
    async take(key: string, rule: ThrottleRule): Promise<Taken> {
      // `n` is the failure count after this attempt; the wait it sets is for the attempt after it.
      const n = `(case when t.expires_at <= now() then 1 else t.failures + 1 end)`;
      const delay = (count: string) =>
        `(case when ${count} < $2 then 0 else least($4::float8, $3::float8 * power(2, least(${count} - $2, ${MAX_DOUBLINGS}))) end)`;
      const { rows } = await pool.query<{ failures: number | null; blocked_until: Date | null }>(
        `with prev as (select blocked_until from login_throttles where key = $1),
         hit as (
           insert into login_throttles as t (key, failures, blocked_until, expires_at)
           values ($1, 1, now() + make_interval(secs => ${delay('1')}), now() + make_interval(secs => $5::float8))
           on conflict (key) do update set
             failures = ${n},
             blocked_until = now() + make_interval(secs => ${delay(n)}),
             expires_at = now() + make_interval(secs => $5::float8)
           where t.expires_at <= now() or t.blocked_until <= now()
           returning failures
         )
         select (select failures from hit) as failures, (select blocked_until from prev) as blocked_until`,
        [key, rule.free, rule.delaySeconds, rule.maxDelaySeconds, rule.windowSeconds],
      );
      const row = rows[0];
      if (row?.failures != null) {
        // Now and then, drop keys long forgotten.
        if (Math.random() < 0.01)
          await pool.query(`delete from login_throttles where expires_at < now() - interval '1 hour'`);
        return { ok: true };
      }
      const waitMs = row?.blocked_until ? row.blocked_until.getTime() - Date.now() : 1000;
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
    },

    /** Gives back the point taken for an attempt that turned out right (or was never checked). */
    async refund(key: string, rule: ThrottleRule): Promise<void> {
      await pool.query(
        `update login_throttles
            set failures = greatest(failures - 1, 0),
                blocked_until = case when failures - 1 < $2 then now() else blocked_until end
          where key = $1 and failures > 0`,
        [key, rule.free],
      );
    },

    /** Forgets every failure under the key (the right password at this address). */
    async clear(key: string): Promise<void> {
      await pool.query(`delete from login_throttles where key = $1`, [key]);
    },
  };
}

export type SignInThrottle = ReturnType<typeof createSignInThrottle>;
