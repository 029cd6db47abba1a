import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { almatyClock, almatyDate } from '../../src/domain/almaty-time';
import {
  DEFAULT_CHECK_SCHEDULE,
  dueProducts,
  isHot,
  isWithinWorkingHours,
  minuteOfDay,
  nextWakeAt,
  nextWorkingHoursStart,
  readAheadProducts,
  readWeight,
  type ScheduledProduct,
  scheduleAfterCheck,
  type WorkingHours,
} from '../../src/domain/check-schedule';
import { rollDropDay } from '../../src/domain/drop-limits';
import { RUNS } from './arbitraries';

/** 09:00 in Almaty (UTC+5 since March 2024). */
const NOW = new Date('2025-06-02T04:00:00Z');
const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);
const DAYTIME: WorkingHours = { from: '09:00', to: '21:00' };

function product(id: string, nextCheckAt: Date | null, hotUntil: Date | null = null, active = true): ScheduledProduct {
  return { id, active, nextCheckAt, hotUntil };
}

describe('Almaty time', () => {
  it('reads the local clock from the time-zone database, across the 2024 change from UTC+6 to UTC+5', () => {
    expect(almatyClock(new Date('2025-06-02T04:00:00Z'))).toEqual({ date: '2025-06-02', minuteOfDay: 540, second: 0 });
    expect(almatyClock(new Date('2024-01-15T04:00:00Z')).minuteOfDay).toBe(600);
    expect(almatyDate(new Date('2025-06-02T19:30:00Z'))).toBe('2025-06-03');
    expect(nextWorkingHoursStart(new Date('2024-02-29T12:00:00Z'), DAYTIME)).toEqual(new Date('2024-03-01T04:00:00Z'));
  });

  it('starts a new drop-limit day at local midnight', () => {
    const day = rollDropDay(null, new Date('2025-06-02T18:59:00Z'), 5000);
    expect(day).toEqual({ date: '2025-06-02', startPriceTenge: 5000 });
    expect(rollDropDay(day, new Date('2025-06-02T18:59:59Z'), 4000)).toBe(day);
    expect(rollDropDay(day, new Date('2025-06-02T19:00:00Z'), 4000)).toEqual({
      date: '2025-06-03',
      startPriceTenge: 4000,
    });
  });
});

describe('working hours', () => {
  it('are local Almaty hours, with overnight spans and all-day equal bounds', () => {
    expect(isWithinWorkingHours(minutes(-1), DAYTIME)).toBe(false);
    expect(isWithinWorkingHours(NOW, DAYTIME)).toBe(true);
    expect(isWithinWorkingHours(minutes(12 * 60), DAYTIME)).toBe(false);
    const night = { from: '22:00', to: '06:00' };
    expect(isWithinWorkingHours(NOW, night)).toBe(false);
    expect(isWithinWorkingHours(minutes(14 * 60), night)).toBe(true);
    expect(isWithinWorkingHours(NOW, { from: '00:00', to: '00:00' })).toBe(true);
    expect(isWithinWorkingHours(NOW, null)).toBe(true);
    expect(nextWorkingHoursStart(minutes(12 * 60), DAYTIME)).toEqual(minutes(24 * 60));
    expect(() => minuteOfDay('9:00')).toThrow(/HH:MM/);
    expect(() => minuteOfDay('24:00')).toThrow(/HH:MM/);
  });

  const clock = fc
    .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
    .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
  const instant = fc.date({
    min: new Date('2023-06-01T00:00:00Z'),
    max: new Date('2026-06-01T00:00:00Z'),
    noInvalidDate: true,
  });

  it('open next at their local start, within a day, and are open then', () => {
    fc.assert(
      fc.property(instant, clock, clock, (at, from, to) => {
        fc.pre(from !== to);
        const opens = nextWorkingHoursStart(at, { from, to });
        expect(opens.getTime()).toBeGreaterThanOrEqual(at.getTime());
        expect(opens.getTime() - at.getTime()).toBeLessThanOrEqual(25 * 3600_000);
        expect(almatyClock(opens)).toMatchObject({ minuteOfDay: minuteOfDay(from), second: 0 });
        expect(isWithinWorkingHours(opens, { from, to })).toBe(true);
      }),
      RUNS,
    );
  });
});

describe('dueProducts', () => {
  it('takes the just switched on, then the hot, then the quiet, most overdue first', () => {
    const products = [
      product('quiet-late', minutes(-1)),
      product('quiet-early', minutes(-10)),
      product('hot', minutes(-1), minutes(20)),
      product('not-yet', minutes(5), minutes(20)),
      product('switched-on', null),
      product('off', null, null, false),
    ];
    expect(dueProducts(products, NOW, DEFAULT_CHECK_SCHEDULE).map((p) => p.id)).toEqual([
      'switched-on',
      'hot',
      'quiet-early',
      'quiet-late',
    ]);
    expect(dueProducts(products, NOW, DEFAULT_CHECK_SCHEDULE, 2).map((p) => p.id)).toEqual(['switched-on', 'hot']);
    expect(dueProducts(products, minutes(-1), { workingHours: DAYTIME })).toEqual([]);
  });

  it('weighs how long a product is overdue by the square root of its price', () => {
    const products = [
      { ...product('cheap-long-overdue', minutes(-3)), price: 10_000 },
      { ...product('dear', minutes(-2)), price: 40_000 },
      { ...product('dearer-hot', minutes(-1), minutes(20)), price: 90_000 },
      { ...product('unread-price', minutes(-10)), price: null },
    ];
    // Overdue × √price: 180 s × 100 = 18 000 < 120 s × 200 = 24 000; 600 s × 1 comes last.
    expect(dueProducts(products, NOW, DEFAULT_CHECK_SCHEDULE).map((p) => p.id)).toEqual([
      'dearer-hot',
      'dear',
      'cheap-long-overdue',
      'unread-price',
    ]);
    expect(readWeight({ price: 40_000 })).toBe(200);
    expect(readWeight({ price: 0 })).toBe(1);
  });

  const products = fc.uniqueArray(
    fc.record({
      id: fc.string({ minLength: 1, maxLength: 6 }),
      active: fc.boolean(),
      nextCheckAt: fc.option(fc.integer({ min: -600, max: 600 }).map(minutes), { nil: null }),
      hotUntil: fc.option(fc.integer({ min: -600, max: 600 }).map(minutes), { nil: null }),
    }),
    { selector: (p) => p.id, maxLength: 20 },
  );

  it('returns only active due products, hottest first, at most the limit, and none outside working hours', () => {
    fc.assert(
      fc.property(
        products,
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: -720, max: 720 }),
        (list, limit, offset) => {
          const now = minutes(offset);
          const inHours = isWithinWorkingHours(now, DAYTIME);
          const due = dueProducts(list, now, { workingHours: DAYTIME }, limit);
          const allDue = list.filter((p) => p.active && (p.nextCheckAt === null || p.nextCheckAt <= now));
          expect(due.length).toBe(inHours ? Math.min(limit, allDue.length) : 0);
          const rank = (p: ScheduledProduct) => (p.nextCheckAt === null ? 0 : isHot(p, now) ? 1 : 2);
          for (const p of due) expect(allDue).toContain(p);
          for (let i = 1; i < due.length; i++) expect(rank(due[i - 1]!)).toBeLessThanOrEqual(rank(due[i]!));
          const left = allDue.filter((p) => !due.includes(p));
          if (due.length > 0) for (const p of left) expect(rank(p)).toBeGreaterThanOrEqual(rank(due[due.length - 1]!));
        },
      ),
      RUNS,
    );
  });

  it('wakes the loop at the earliest check, or when working hours open', () => {
    fc.assert(
      fc.property(products, fc.integer({ min: -720, max: 720 }), (list, offset) => {
        const now = minutes(offset);
        const wake = nextWakeAt(list, now, { workingHours: DAYTIME });
        const active = list.filter((p) => p.active);
        if (active.length === 0) {
          expect(wake).toBeNull();
          return;
        }
        expect(wake).not.toBeNull();
        expect(wake!.getTime()).toBeGreaterThanOrEqual(now.getTime());
        expect(isWithinWorkingHours(wake!, DAYTIME)).toBe(true);
        const earliest = Math.max(
          now.getTime(),
          Math.min(...active.map((p) => p.nextCheckAt?.getTime() ?? now.getTime())),
        );
        if (isWithinWorkingHours(new Date(earliest), DAYTIME)) expect(wake!.getTime()).toBe(earliest);
        expect(dueProducts(list, wake!, { workingHours: DAYTIME }).length).toBeGreaterThan(0);
      }),
      RUNS,
    );
  });
});

describe('scheduleAfterCheck', () => {
  it('checks a product whose rivals moved at the hot interval for the hot window, else at the quiet one', () => {
    const moved = scheduleAfterCheck(NOW, true, null);
    expect(moved).toEqual({ nextCheckAt: minutes(1), hotUntil: minutes(30) });
    expect(scheduleAfterCheck(minutes(10), false, moved.hotUntil).nextCheckAt).toEqual(minutes(11));
    expect(scheduleAfterCheck(minutes(30), false, moved.hotUntil)).toEqual({
      nextCheckAt: minutes(35),
      hotUntil: minutes(30),
    });
  });
});

describe('reading ahead of the intervals', () => {
  const seconds = (n: number) => new Date(NOW.getTime() + n * 1000);
  const checked = (id: string, lastCheckAt: Date | null, nextCheckAt: Date | null, hotUntil: Date | null = null) => ({
    ...product(id, nextCheckAt, hotUntil),
    lastCheckAt,
  });

  it('offers products not yet due, checked at least the gap ago, the most stale first, hot ones weighing four times', () => {
    const products = [
      checked('due', seconds(-400), seconds(-1)),
      checked('fresh', seconds(-3), seconds(60)),
      checked('quiet-old', seconds(-100), seconds(200)),
      checked('hot-younger', seconds(-30), seconds(30), seconds(600)),
      checked('quiet-older', seconds(-200), seconds(100)),
      checked('never', null, null),
      { ...checked('off', seconds(-500), seconds(10)), active: false },
    ];
    const ahead = readAheadProducts(products, NOW, { workingHours: null }, { minGapSeconds: 5 });
    expect(ahead.map((p) => p.id)).toEqual(['quiet-older', 'hot-younger', 'quiet-old']);
    expect(readAheadProducts(products, NOW, { workingHours: null }, { minGapSeconds: 5 }, 1).map((p) => p.id)).toEqual([
      'quiet-older',
    ]);
  });

  it('reads a dear product ahead sooner than a cheap one as stale', () => {
    const products = [
      { ...checked('cheap', seconds(-100), seconds(200)), price: 2_500 },
      { ...checked('dear-younger', seconds(-60), seconds(200)), price: 10_000 },
    ];
    // 100 s × 50 < 60 s × 100.
    expect(readAheadProducts(products, NOW, { workingHours: null }, { minGapSeconds: 5 }).map((p) => p.id)).toEqual([
      'dear-younger',
      'cheap',
    ]);
  });

  it('reads nothing ahead outside working hours', () => {
    const products = [checked('a', minutes(-600), minutes(10))];
    expect(readAheadProducts(products, minutes(-120), { workingHours: DAYTIME }, { minGapSeconds: 5 })).toEqual([]);
    expect(readAheadProducts(products, NOW, { workingHours: DAYTIME }, { minGapSeconds: 5 })).toHaveLength(1);
  });
});
