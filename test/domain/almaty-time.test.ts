import { describe, expect, it } from 'vitest';
import { almatyClock } from '../../src/domain/almaty-time';

/** The wall clock as the time-zone database gives it (Swedish dates read `YYYY-MM-DD HH:MM:SS`). */
function wallClock(at: Date) {
  const [date, time] = at.toLocaleString('sv-SE', { timeZone: 'Asia/Almaty' }).split(' ');
  const [hour, minute, second] = time!.split(':').map(Number);
  return { date, minuteOfDay: hour! * 60 + minute!, second };
}

describe('the Almaty wall clock', () => {
  it('moves from UTC+6 to UTC+5 on 1 March 2024, to the second', () => {
    expect(almatyClock(new Date('2024-02-29T17:59:59Z'))).toEqual({
      date: '2024-02-29',
      minuteOfDay: 1439,
      second: 59,
    });
    expect(almatyClock(new Date('2024-02-29T18:00:00Z'))).toEqual({ date: '2024-02-29', minuteOfDay: 1380, second: 0 });
    expect(almatyClock(new Date('2024-02-29T19:00:00Z'))).toEqual({ date: '2024-03-01', minuteOfDay: 0, second: 0 });
  });

  it('reads as the time-zone database does, at instants spread over years and asked in any order', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const from = Date.parse('1990-01-01T00:00:00Z');
    const to = Date.parse('2030-01-01T00:00:00Z');
    for (let i = 0; i < 5_000; i++) {
      const at = new Date(Math.floor(from + random() * (to - from)));
      expect(almatyClock(at), at.toISOString()).toEqual(wallClock(at));
    }
  });
});
