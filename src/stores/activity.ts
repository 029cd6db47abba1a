/**
 * What a store's demper did lately, read from its price history: the change budget used in the
 * rolling window (the same count the push step spends against) and the changes sent today.
 */

import { and, count, eq, gte } from 'drizzle-orm';
import type { Db } from '../db';
import { priceChanges } from '../db/schema';
import { almatyClock } from '../domain/almaty-time';
import type { ChangeBudget } from '../domain/write-budget';

export interface ChangeActivity {
  changeBudget: { used: number; limit: number; windowSeconds: number };
  changesToday: number;
}

export async function changeActivity(
  db: Db,
  storeId: string,
  now: Date,
  budget: ChangeBudget,
): Promise<ChangeActivity> {
  const sent = (since: Date) =>
    db
      .select({ n: count() })
      .from(priceChanges)
      .where(and(eq(priceChanges.storeId, storeId), eq(priceChanges.status, 'sent'), gte(priceChanges.sentAt, since)));
  const windowStart = new Date(now.getTime() - budget.windowSeconds * 1000);
  const [[inWindow], [today]] = await Promise.all([sent(windowStart), sent(almatyMidnight(now))]);
  return {
    changeBudget: { used: inWindow?.n ?? 0, limit: budget.limit, windowSeconds: budget.windowSeconds },
    changesToday: today?.n ?? 0,
  };
}

/** The start of the Almaty day `now` falls in. */
export function almatyMidnight(now: Date): Date {
  const clock = almatyClock(now);
  return new Date(now.getTime() - (clock.minuteOfDay * 60 + clock.second) * 1000 - now.getUTCMilliseconds());
}
