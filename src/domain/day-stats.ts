/**
 * How a product spent the current Almaty day, counted by the demper's own checks without a row per
 * check: each check adds the time since the previous one to "watched", and to "first" or "at the
 * floor" when that is how the previous check left the product.
 */

import { almatyClock } from './almaty-time';

export interface DayStats {
  /** The Almaty day counted, `YYYY-MM-DD`; null before the first check. */
  day: string | null;
  watchedSeconds: number;
  firstSeconds: number;
  floorSeconds: number;
}

export interface PreviousCheck extends DayStats {
  at: Date | null;
  wasFirst: boolean;
  wasAtFloor: boolean;
}

/**
 * The counters after a check at `now`. A gap longer than `maxGapSeconds` (the loop was paused or
 * down, the product off) counts only that long: nobody watched the rest. A new day starts from zero
 * with only the part of the gap after midnight.
 */
export function accrueDayStats(previous: PreviousCheck, now: Date, maxGapSeconds: number): DayStats {
  const clock = almatyClock(now);
  const fresh: DayStats = { day: clock.date, watchedSeconds: 0, firstSeconds: 0, floorSeconds: 0 };
  if (previous.at === null) return fresh;
  let seconds = Math.max(0, Math.min((now.getTime() - previous.at.getTime()) / 1000, maxGapSeconds));
  const base = previous.day === clock.date ? previous : fresh;
  if (base === fresh) seconds = Math.min(seconds, clock.minuteOfDay * 60 + clock.second);
  const whole = Math.round(seconds);
  return {
    day: clock.date,
    watchedSeconds: base.watchedSeconds + whole,
    firstSeconds: base.firstSeconds + (previous.wasFirst ? whole : 0),
    floorSeconds: base.floorSeconds + (previous.wasAtFloor ? whole : 0),
  };
}
