import { and, count, gt, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { kaspiLogins } from '../db/schema';

export class TooManyBrowserLogins extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('Too many Kaspi logins are running right now; try again shortly.');
  }
}

/** A login not finished this long after it began no longer counts (its workflow has timed out by then). */
const STALE_AFTER_SECONDS = 15 * 60;
const RETRY_AFTER_SECONDS = 30;

/**
 * Inserts a password or SMS login's row only while fewer than `max` browser logins run across the
 * service (rows `verifying` or `waiting_code`, recent), counted and inserted under one advisory lock
 * so parallel starts cannot pass the cap together. Throws `TooManyBrowserLogins` otherwise.
 */
export async function reserveBrowserLogin(
  db: Db,
  max: number,
  values: typeof kaspiLogins.$inferInsert,
): Promise<typeof kaspiLogins.$inferSelect> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended('kaspi-browser-logins', 0))`);
    const [open] = await tx
      .select({ n: count() })
      .from(kaspiLogins)
      .where(
        and(
          inArray(kaspiLogins.state, ['verifying', 'waiting_code']),
          gt(kaspiLogins.createdAt, sql`now() - make_interval(secs => ${STALE_AFTER_SECONDS})`),
        ),
      );
    if ((open?.n ?? 0) >= max) throw new TooManyBrowserLogins(RETRY_AFTER_SECONDS);
    const [row] = await tx.insert(kaspiLogins).values(values).returning();
    return row!;
  });
}
