import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { LOGIN_LOCK_BUSY, withLoginLock } from '../../src/logins/lock';
import { useTestContext } from '../support/env';

/**
 * A burst of expired sessions means many re-logins at once, each holding its merchant's lock for a whole
 * browser login: the locks must not take the pool's connections, which the logins and everyone else need.
 */
describe('re-login locks and the connection pool', () => {
  const ctx = useTestContext({ DATABASE_POOL_MAX: '5', DATABASE_CONNECT_TIMEOUT_MS: '3000' });

  it('15 concurrent re-logins leave the pool serving other queries, and run a bounded number at once', async () => {
    let inside = 0;
    let mostInside = 0;
    const logins = Array.from({ length: 15 }, (_, i) =>
      withLoginLock(
        ctx.db,
        `pool-test-${randomUUID()}-${i}`,
        async () => {
          inside++;
          mostInside = Math.max(mostInside, inside);
          // A browser login takes a while, and reads and writes through the pool meanwhile.
          await new Promise((resolve) => setTimeout(resolve, 400));
          await ctx.db.execute(sql`select pg_sleep(0.05)`);
          inside--;
          return i;
        },
        { waitMs: 60_000, maxConcurrent: 3 },
      ),
    );

    const latencies: number[] = [];
    let done = false;
    const all = Promise.all(logins).finally(() => (done = true));
    while (!done) {
      const started = Date.now();
      await ctx.pool.query('select 1');
      latencies.push(Date.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await all).toEqual(Array.from({ length: 15 }, (_, i) => i));
    expect(mostInside).toBeLessThanOrEqual(3);
    expect(latencies.length).toBeGreaterThan(5);
    expect(Math.max(...latencies)).toBeLessThan(500);
  });

  it('still lets one holder in at a time per merchant', async () => {
    const merchant = `pool-test-${randomUUID()}`;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const first = withLoginLock(ctx.db, merchant, async () => (entered(), await held, 'first'), { waitMs: 10_000 });
    await inside;
    expect(await withLoginLock(ctx.db, merchant, async () => 'second', { waitMs: 300 })).toBe(LOGIN_LOCK_BUSY);
    release();
    expect(await first).toBe('first');
    expect(await withLoginLock(ctx.db, merchant, async () => 'after', { waitMs: 1000 })).toBe('after');
  });
});
