/**
 * Local time in Kazakhstan, where merchants' days and working hours are counted. The offset comes
 * from the time-zone database through Intl, never from a constant: Almaty moved from UTC+6 to
 * UTC+5 on 1 March 2024 and may move again.
 */
export const MERCHANT_TIME_ZONE = 'Asia/Almaty';

const localParts = new Intl.DateTimeFormat('en-CA', {
  timeZone: MERCHANT_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

export interface LocalClock {
  /** `YYYY-MM-DD` */
  date: string;
  /** Minutes since local midnight, 0–1439. */
  minuteOfDay: number;
  second: number;
}

const HOUR_MS = 3_600_000;

/** The zone's offset from UTC through one UTC hour, the last one asked for. */
let offsetHour: { hour: number; offsetMs: number } | null = null;

/**
 * Almaty's offset from UTC at `at`, from Intl once per UTC hour: its offset has only ever changed on
 * a whole UTC hour, and asking Intl for every product of every check was a measurable part of one.
 */
function offsetMsAt(at: Date): number {
  const hour = Math.floor(at.getTime() / HOUR_MS);
  if (offsetHour?.hour !== hour) {
    const start = new Date(hour * HOUR_MS);
    const part: Record<string, string> = {};
    for (const p of localParts.formatToParts(start)) part[p.type] = p.value;
    const wall = Date.UTC(+part.year!, +part.month! - 1, +part.day!, +part.hour!, +part.minute!, +part.second!);
    offsetHour = { hour, offsetMs: wall - start.getTime() };
  }
  return offsetHour.offsetMs;
}

export function almatyClock(at: Date): LocalClock {
  const wall = new Date(at.getTime() + offsetMsAt(at));
  return {
    date: wall.toISOString().slice(0, 10),
    minuteOfDay: wall.getUTCHours() * 60 + wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
  };
}

/** The Almaty calendar day an instant falls on, `YYYY-MM-DD`. */
export function almatyDate(at: Date): string {
  return almatyClock(at).date;
}

const MINUTE_MS = 60_000;
const DAY_MINUTES = 1440;

/**
 * The first instant at or after `from` whose Almaty wall clock reads `minuteOfDay`:00. Counted
 * forward on the local clock, then corrected if the zone's offset changed on the way.
 */
export function nextAlmatyMinute(from: Date, minuteOfDay: number): Date {
  const clock = almatyClock(from);
  const startOfMinute = from.getTime() - clock.second * 1000 - from.getUTCMilliseconds();
  let candidate = startOfMinute + wrapMinutes(minuteOfDay - clock.minuteOfDay, 0) * MINUTE_MS;
  if (candidate < from.getTime()) candidate += DAY_MINUTES * MINUTE_MS;
  const drift = almatyClock(new Date(candidate)).minuteOfDay - minuteOfDay;
  return new Date(candidate - wrapMinutes(drift, -DAY_MINUTES / 2) * MINUTE_MS);
}

/** `minutes` brought into the day-long range starting at `lowest`. */
function wrapMinutes(minutes: number, lowest: number): number {
  return ((((minutes - lowest) % DAY_MINUTES) + DAY_MINUTES) % DAY_MINUTES) + lowest;
}
