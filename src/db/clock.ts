import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import type { Db } from './index';

/**
 * PostgreSQL's clock, as this process can follow it. A worker's own clock may be off (a VM after a
 * pause, a container without time sync), while the times its activities store and hand back to their
 * workflows — when a product is due, when a ban ends, up to when orders are read — are compared with
 * times from PostgreSQL and from the Temporal server. So activities that deal in such times read the
 * database's time once and follow it on the process's monotonic clock, which skew does not move.
 */
export async function databaseClock(db: Db): Promise<() => Date> {
  const before = performance.now();
  const { rows } = await db.execute<{ ms: number }>(
    sql`select (extract(epoch from clock_timestamp()) * 1000)::float8 as ms`,
  );
  const at = (before + performance.now()) / 2;
  const databaseMs = Number(rows[0]!.ms);
  return () => new Date(databaseMs + performance.now() - at);
}
