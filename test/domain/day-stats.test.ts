import { describe, expect, it } from 'vitest';
import { accrueDayStats, type PreviousCheck } from '../../src/domain/day-stats';
import { lastReasonOf } from '../../src/domain/last-reason';

// 2026-12-05 10:00 in Almaty (UTC+5) is 05:00 UTC.
const at = (iso: string) => new Date(iso);
const start: PreviousCheck = {
  day: '2026-12-05',
  watchedSeconds: 100,
  firstSeconds: 40,
  floorSeconds: 0,
  at: at('2026-12-05T05:00:00Z'),
  wasFirst: true,
  wasAtFloor: false,
};

describe('time-weighted day counters', () => {
  it('adds the time since the last check to watched, and to first when the last check left the product first', () => {
    expect(accrueDayStats(start, at('2026-12-05T05:01:00Z'), 600)).toEqual({
      current: { day: '2026-12-05', watchedSeconds: 160, firstSeconds: 100, floorSeconds: 0 },
      finished: null,
    });
    expect(
      accrueDayStats({ ...start, wasFirst: false, wasAtFloor: true }, at('2026-12-05T05:00:30Z'), 600).current,
    ).toEqual({ day: '2026-12-05', watchedSeconds: 130, firstSeconds: 40, floorSeconds: 30 });
  });

  it('counts a long gap only up to the cap: nobody watched while the loop was away', () => {
    expect(accrueDayStats(start, at('2026-12-05T07:00:00Z'), 600).current.watchedSeconds).toBe(700);
  });

  it('closes the day with the stretch up to midnight and starts the next with the rest', () => {
    // 18:59:30 UTC is 23:59:30 in Almaty; 19:00:40 UTC is 00:00:40 the next day.
    const lateCheck = { ...start, at: at('2026-12-05T18:59:30Z') };
    expect(accrueDayStats(lateCheck, at('2026-12-05T19:00:40Z'), 600)).toEqual({
      current: { day: '2026-12-06', watchedSeconds: 40, firstSeconds: 40, floorSeconds: 0 },
      finished: { day: '2026-12-05', watchedSeconds: 130, firstSeconds: 70, floorSeconds: 0 },
    });
  });

  it('gives a long gap over midnight to the day it began in, as far as it was watched', () => {
    // 23:50 in Almaty, then 00:30: only the ten minutes after the last check were watched, all before midnight.
    const lateCheck = { ...start, at: at('2026-12-05T18:50:00Z') };
    expect(accrueDayStats(lateCheck, at('2026-12-05T19:30:00Z'), 600)).toEqual({
      current: { day: '2026-12-06', watchedSeconds: 0, firstSeconds: 0, floorSeconds: 0 },
      finished: { day: '2026-12-05', watchedSeconds: 700, firstSeconds: 640, floorSeconds: 0 },
    });
  });

  it('counts nothing before the first check', () => {
    expect(accrueDayStats({ ...start, day: null, at: null }, at('2026-12-05T05:01:00Z'), 600)).toEqual({
      current: { day: '2026-12-05', watchedSeconds: 0, firstSeconds: 0, floorSeconds: 0 },
      finished: null,
    });
  });
});

describe('the reason a product row shows', () => {
  it('prefers the reason that explains a stuck price over the others of the same check', () => {
    expect(lastReasonOf([{ reason: 'undercut' }, { reason: 'floor_reached' }])).toBe('floor_reached');
    expect(lastReasonOf([{ reason: 'already_best' }, { reason: 'price_war_hold' }])).toBe('price_war_hold');
    expect(lastReasonOf([{ reason: 'raise' }])).toBe('raise');
    expect(lastReasonOf([])).toBeNull();
  });
});
