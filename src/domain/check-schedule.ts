import { almatyClock, nextAlmatyMinute } from './almaty-time';
import { compareIds } from './rivals';

/**
 * When the demper checks each product. A product whose rivals moved recently is "hot" and checked
 * every `hotIntervalSeconds`; a quiet one every `intervalSeconds`; one just switched on (no next
 * check yet) at once. Outside the store's working hours (Almaty local time) nothing is due. A store
 * whose proxies have read capacity to spare also reads products ahead of their interval, so the
 * intervals are the longest a product waits, not the only times it is read (`readAheadProducts`).
 */

/** Local `HH:MM` in Asia/Almaty; `from` after `to` spans midnight, equal means all day. */
export interface WorkingHours {
  from: string;
  to: string;
}

export interface CheckSchedule {
  intervalSeconds: number;
  hotIntervalSeconds: number;
  /** A product stays hot this long after its rivals last moved. */
  hotWindowSeconds: number;
  /** null: around the clock. */
  workingHours: WorkingHours | null;
}

export const DEFAULT_CHECK_SCHEDULE: CheckSchedule = {
  intervalSeconds: 300,
  hotIntervalSeconds: 60,
  hotWindowSeconds: 30 * 60,
  workingHours: null,
};

export interface ScheduledProduct {
  id: string;
  active: boolean;
  /** null: never checked since it was switched on. */
  nextCheckAt: Date | null;
  hotUntil: Date | null;
  /** null: never checked. */
  lastCheckAt?: Date | null;
  /** Our price on its cards, in tenge; null until read. */
  price?: number | null;
  /** A cut of ours on its cards waits for a rival's answer, or a rival's next act is near: it is read first among those due. */
  watched?: boolean;
}

/** How products are read ahead of their interval when capacity allows. */
export interface ReadAhead {
  /** No product is read again sooner than this after its last check. */
  minGapSeconds: number;
  /** A cut of ours, or a rival's act we timed, this recent makes its product go first among those due. */
  watchSpanSeconds?: number;
}

/**
 * While a cut of ours waits for its rival's answer, a store reading ahead reads the card this many
 * read-ahead gaps apart: the answer is then timed closely enough to learn the rival's clock, and
 * answered while a whole period of it is ahead.
 */
const WATCH_GAPS = 2;

export function watchSeconds(readAhead: Pick<ReadAhead, 'minGapSeconds'>): number {
  return WATCH_GAPS * readAhead.minGapSeconds;
}

/** Among products read ahead, a hot one's staleness counts this many times a quiet one's. */
export const HOT_STALENESS_WEIGHT = 4;

/**
 * How much a product's wait for its read weighs: the square root of its price. A rival's move waits
 * about half the gap between two reads before it is answered, and costs the money at stake for that
 * long; with waits ordered by this weight they settle in inverse proportion to it, which keeps that
 * cost least for a given number of reads. So when capacity is short a 40 000 ₸ product waits half as
 * long as a 10 000 ₸ one, not a quarter, and the cheap ones are not starved. A product whose price is
 * not known yet weighs as one of 1 ₸.
 */
export function readWeight(product: Pick<ScheduledProduct, 'price'>): number {
  return Math.sqrt(Math.max(1, product.price ?? 1));
}

/**
 * The active products due at `now`, in the order to check them: just switched on first, then those
 * watched for a rival's answer (`ScheduledProduct.watched`), then hot, then quiet; within each, the
 * longest overdue by weight first (`readWeight`), then by id. At most `limit`.
 */
export function dueProducts<T extends ScheduledProduct>(
  products: readonly T[],
  now: Date,
  schedule: Pick<CheckSchedule, 'workingHours'>,
  limit = Number.POSITIVE_INFINITY,
): T[] {
  if (!isWithinWorkingHours(now, schedule.workingHours)) return [];
  const nowMs = now.getTime();
  const rank = (p: T) => (p.nextCheckAt === null ? 0 : p.watched ? 1 : isHot(p, now) ? 2 : 3);
  const overdue = (p: T) => (p.nextCheckAt === null ? 0 : ((nowMs - p.nextCheckAt.getTime()) / 1000) * readWeight(p));
  return products
    .filter((p) => p.active && (p.nextCheckAt === null || p.nextCheckAt.getTime() <= nowMs))
    .sort((a, b) => rank(a) - rank(b) || overdue(b) - overdue(a) || compareIds(a.id, b.id))
    .slice(0, limit);
}

/**
 * Products not due yet that may be read ahead of their interval: checked at least `minGapSeconds`
 * ago, the most stale by weight first — a hot product's staleness weighing more, its rivals being the
 * ones that move, and a dear one's more (`readWeight`) — then by id. At most `limit`; none outside
 * working hours.
 */
export function readAheadProducts<T extends ScheduledProduct>(
  products: readonly T[],
  now: Date,
  schedule: Pick<CheckSchedule, 'workingHours'>,
  readAhead: ReadAhead,
  limit = Number.POSITIVE_INFINITY,
): T[] {
  if (!isWithinWorkingHours(now, schedule.workingHours)) return [];
  const nowMs = now.getTime();
  const latestMs = nowMs - readAhead.minGapSeconds * 1000;
  const weighted = (p: T) =>
    ((nowMs - p.lastCheckAt!.getTime()) / 1000) * (isHot(p, now) ? HOT_STALENESS_WEIGHT : 1) * readWeight(p);
  return products
    .filter(
      (p) =>
        p.active &&
        p.nextCheckAt !== null &&
        p.nextCheckAt.getTime() > nowMs &&
        p.lastCheckAt != null &&
        p.lastCheckAt.getTime() <= latestMs,
    )
    .sort((a, b) => weighted(b) - weighted(a) || compareIds(a.id, b.id))
    .slice(0, limit);
}

export function isHot(product: Pick<ScheduledProduct, 'hotUntil'>, now: Date): boolean {
  return product.hotUntil !== null && product.hotUntil.getTime() > now.getTime();
}

/**
 * After checking a product at `now`: it turns (or stays) hot for `hotWindowSeconds` when its rivals
 * moved, and its next check is a hot or a quiet interval away accordingly.
 */
export function scheduleAfterCheck(
  now: Date,
  rivalsMoved: boolean,
  hotUntil: Date | null,
  schedule: Omit<CheckSchedule, 'workingHours'> = DEFAULT_CHECK_SCHEDULE,
): { nextCheckAt: Date; hotUntil: Date | null } {
  const nextHotUntil = rivalsMoved ? new Date(now.getTime() + schedule.hotWindowSeconds * 1000) : hotUntil;
  const hot = isHot({ hotUntil: nextHotUntil }, now);
  const seconds = hot ? schedule.hotIntervalSeconds : schedule.intervalSeconds;
  return { nextCheckAt: new Date(now.getTime() + seconds * 1000), hotUntil: nextHotUntil };
}

/**
 * When the loop should wake next: the earliest check of an active product (now, if one is due),
 * moved to the opening of working hours when it falls outside them; null when nothing is active.
 */
export function nextWakeAt(
  products: readonly ScheduledProduct[],
  now: Date,
  schedule: Pick<CheckSchedule, 'workingHours'>,
): Date | null {
  let earliestMs: number | null = null;
  for (const p of products) {
    if (!p.active) continue;
    const atMs = Math.max(p.nextCheckAt?.getTime() ?? now.getTime(), now.getTime());
    if (earliestMs === null || atMs < earliestMs) earliestMs = atMs;
  }
  if (earliestMs === null) return null;
  const earliest = new Date(earliestMs);
  const hours = schedule.workingHours;
  return hours === null || isWithinWorkingHours(earliest, hours) ? earliest : nextWorkingHoursStart(earliest, hours);
}

export function isWithinWorkingHours(at: Date, hours: WorkingHours | null): boolean {
  if (hours === null) return true;
  const from = minuteOfDay(hours.from, 'from');
  const to = minuteOfDay(hours.to, 'to');
  if (from === to) return true;
  const now = almatyClock(at).minuteOfDay;
  return from < to ? now >= from && now < to : now >= from || now < to;
}

/** The next instant at or after `at` when working hours open. */
export function nextWorkingHoursStart(at: Date, hours: WorkingHours): Date {
  return nextAlmatyMinute(at, minuteOfDay(hours.from, 'from'));
}

/** `HH:MM` (24-hour) → minutes since midnight; `24:00` is not a time of day. */
export function minuteOfDay(clock: string, name = 'time'): number {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(clock);
  if (!match) throw new RangeError(`working hours ${name} must be HH:MM (00:00–23:59), got "${clock}"`);
  return Number(match[1]) * 60 + Number(match[2]);
}
