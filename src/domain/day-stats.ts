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

export interface DayAccrual {
  /** The counters of the day `now` falls on. */
  current: DayStats;
  /** When this check began a new day: the day before, with its last stretch up to midnight. */
  finished: DayStats | null;
}

/** Seconds from `at` to the Almaty midnight after it. */
function secondsToMidnight(at: Date): number {
  const clock = almatyClock(at);
  return 86_400 - clock.minuteOfDay * 60 - clock.second - at.getUTCMilliseconds() / 1000;
}

/**
 * The counters after a check at `now`. The time since the previous check counts as watched, but a gap
 * longer than `maxGapSeconds` (the loop was paused or down, the product off) counts only its first
 * `maxGapSeconds`: nobody watched the rest. When the day changed, the part of that stretch before
 * midnight closes the previous day and the rest starts the new one.
 */
export function accrueDayStats(previous: PreviousCheck, now: Date, maxGapSeconds: number): DayAccrual {
  const today = almatyClock(now).date;
  const fresh: DayStats = { day: today, watchedSeconds: 0, firstSeconds: 0, floorSeconds: 0 };
  if (previous.at === null) return { current: fresh, finished: null };
  const watched = Math.max(0, Math.min((now.getTime() - previous.at.getTime()) / 1000, maxGapSeconds));
  const add = (base: DayStats, seconds: number): DayStats => {
    const whole = Math.round(seconds);
    return {
      day: base.day,
      watchedSeconds: base.watchedSeconds + whole,
      firstSeconds: base.firstSeconds + (previous.wasFirst ? whole : 0),
      floorSeconds: base.floorSeconds + (previous.wasAtFloor ? whole : 0),
    };
  };
  if (previous.day === today) return { current: add(previous, watched), finished: null };
  const beforeMidnight = Math.min(watched, secondsToMidnight(previous.at));
  return {
    current: add(fresh, watched - beforeMidnight),
    finished: previous.day === null ? null : add(previous, beforeMidnight),
  };
}
