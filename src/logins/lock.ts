import pg from 'pg';
import type { Db } from '../db';

export const LOGIN_LOCK_BUSY = Symbol('login lock busy');

const POLL_MS = 250;

/** Logins this process runs at once when the caller does not say (`RELOGIN_MAX_CONCURRENT`). */
const DEFAULT_MAX_CONCURRENT = 3;

let running = 0;
const queue: (() => void)[] = [];

/** A place among the logins this process runs at once, or false when none came free before the deadline. */
async function slot(maxConcurrent: number, deadline: number): Promise<boolean> {
  while (running >= maxConcurrent) {
    const wait = deadline - Date.now();
    if (wait <= 0) return false;
    let wake!: () => void;
    const woken = new Promise<void>((resolve) => queue.push((wake = resolve)));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([woken, new Promise<void>((resolve) => (timer = setTimeout(resolve, wait)))]);
    clearTimeout(timer);
    const at = queue.indexOf(wake);
    if (at >= 0) queue.splice(at, 1);
  }
  running++;
  return true;
}

function freeSlot(): void {
  running--;
  queue.shift()?.();
}

/** A connection of its own, outside the pool, made from the pool's settings. */
function dedicatedClient(db: Db): pg.Client {
  const pool = (db as unknown as { $client?: pg.Pool }).$client;
  if (!pool?.options) throw new Error('withLoginLock needs a database on a pg pool');
  return new pg.Client({ ...(pool.options as pg.ClientConfig), application_name: 'kaspi-demper-login-lock' });
}

/**
 * Runs `fn` while holding the cabinet-login lock of one merchant, so at most one login per merchant
 * runs at a time across every worker (Kaspi throttles and flags parallel logins of one account).
 *
 * The lock is a PostgreSQL session-level advisory lock taken on a connection of its own — never one of
 * the pool's, which `fn` needs for its own queries while the browser login runs for minutes. PostgreSQL
 * releases it when that connection ends, so a holder that dies with its worker leaves no stale lock. A
 * caller that finds the lock taken tries again shortly (`pg_try_advisory_lock`) until `waitMs` has passed.
 * At most `maxConcurrent` logins run in this process at once; the rest wait their turn (no connection
 * held meanwhile) within the same `waitMs`. Answers `LOGIN_LOCK_BUSY` when the lock or a turn did not
 * come in time.
 */
export async function withLoginLock<T>(
  db: Db,
  merchantUid: string,
  fn: () => Promise<T>,
  options: { waitMs: number; maxConcurrent?: number },
): Promise<T | typeof LOGIN_LOCK_BUSY> {
  const key = `kaspi-login:${merchantUid}`;
  const deadline = Date.now() + options.waitMs;
  if (!(await slot(options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT, deadline))) return LOGIN_LOCK_BUSY;
  try {
    const client = dedicatedClient(db);
    // An idle connection that drops must not crash the process; the lock goes with it.
    client.on('error', () => undefined);
    await client.connect();
    try {
      for (;;) {
        const { rows } = await client.query<{ locked: boolean }>(
          'select pg_try_advisory_lock(hashtextextended($1, 0)) as locked',
          [key],
        );
        if (rows[0]?.locked) break;
        if (Date.now() >= deadline) return LOGIN_LOCK_BUSY;
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
      try {
        return await fn();
      } finally {
        await client.query('select pg_advisory_unlock(hashtextextended($1, 0))', [key]).catch(() => undefined);
      }
    } finally {
      await client.end().catch(() => undefined);
    }
  } finally {
    freeSlot();
  }
}
