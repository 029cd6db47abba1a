import { sql } from 'drizzle-orm';
import type { Db } from '../db';

export const LOGIN_LOCK_BUSY = Symbol('login lock busy');

const POLL_MS = 250;

/**
 * Runs `fn` while holding the cabinet-login lock of one merchant, so at most one login per merchant
 * runs at a time across every worker (Kaspi throttles and flags parallel logins of one account).
 *
 * The lock is a PostgreSQL transaction-level advisory lock: the transaction only holds the lock (no
 * rows are written in it), and PostgreSQL releases it when the transaction ends — or when the holder's
 * connection dies with its worker, so a crashed login never leaves a stale lock behind. A caller that
 * finds the lock taken gives its connection back and tries again shortly (`pg_try_advisory_xact_lock`),
 * so waiting pins no connection and is bounded by `waitMs`, not by the statement timeout. Answers
 * `LOGIN_LOCK_BUSY` when the lock did not come free in time.
 */
export async function withLoginLock<T>(
  db: Db,
  merchantUid: string,
  fn: () => Promise<T>,
  options: { waitMs: number },
): Promise<T | typeof LOGIN_LOCK_BUSY> {
  const key = `kaspi-login:${merchantUid}`;
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    const outcome = await db.transaction(async (tx) => {
      const { rows } = await tx.execute<{ locked: boolean }>(
        sql`select pg_try_advisory_xact_lock(hashtextextended(${key}, 0)) as locked`,
      );
      return rows[0]?.locked ? { value: await fn() } : undefined;
    });
    if (outcome) return outcome.value;
    if (Date.now() >= deadline) return LOGIN_LOCK_BUSY;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
