import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { milestones, orderEvents, planMessages, type OrderSnapshot } from '../../src/domain/order-events';
import { advanceWatermark, creationWindows, MAX_WINDOW_MS, pollStartMs } from '../../src/domain/order-windows';
import { RUNS } from './arbitraries';

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-21T08:00:00Z');
const base = { nowMs: NOW, overlapMs: 2 * 3600_000, backfillMs: 14 * DAY, trackMs: 30 * DAY };

describe('which creation dates a poll reads', () => {
  it('starts a store from the backfill, then from the watermark less the overlap, reaching back to the oldest open order', () => {
    expect(pollStartMs({ ...base, watermarkMs: null, oldestOpenMs: null })).toBe(NOW - 14 * DAY);
    expect(pollStartMs({ ...base, watermarkMs: NOW - 3600_000, oldestOpenMs: null })).toBe(NOW - 3 * 3600_000);
    expect(pollStartMs({ ...base, watermarkMs: NOW - 3600_000, oldestOpenMs: NOW - 5 * DAY })).toBe(NOW - 5 * DAY);
    // Nothing older than the tracking horizon, nothing after now (a Kaspi clock ahead of ours).
    expect(pollStartMs({ ...base, watermarkMs: NOW - 3600_000, oldestOpenMs: NOW - 90 * DAY })).toBe(NOW - 30 * DAY);
    expect(pollStartMs({ ...base, watermarkMs: NOW + 5 * 3600_000, oldestOpenMs: null })).toBe(NOW);
  });

  it('cuts any span into inclusive windows of at most 14 days that cover it exactly, without overlap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 * DAY }), fc.integer({ min: 3600_000, max: 20 * DAY }), (span, max) => {
        const windows = creationWindows(NOW - span, NOW, max);
        expect(windows[0]!.fromMs).toBe(NOW - span);
        expect(windows.at(-1)!.toMs).toBe(NOW);
        for (const [i, w] of windows.entries()) {
          expect(w.toMs - w.fromMs).toBeLessThanOrEqual(max);
          expect(w.toMs).toBeGreaterThanOrEqual(w.fromMs);
          if (i > 0) expect(w.fromMs).toBe(windows[i - 1]!.toMs + 1);
        }
      }),
      RUNS,
    );
    expect(creationWindows(NOW - 20 * DAY, NOW)).toHaveLength(2);
    expect(creationWindows(NOW - MAX_WINDOW_MS, NOW)).toHaveLength(1);
    expect(creationWindows(NOW, NOW - 1)).toEqual([]);
  });

  it('moves the watermark forward only', () => {
    expect(advanceWatermark(null, null)).toBeNull();
    expect(advanceWatermark(null, 5)).toBe(5);
    expect(advanceWatermark(10, 5)).toBe(10);
    expect(advanceWatermark(10, 15)).toBe(15);
  });

  it('never reads past a watermark it has not reached: consecutive polls leave no gap', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 10 * DAY }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 0, max: 6 * 3600_000 }),
        (creations, overlapMs) => {
          // A poll at `now` stores orders up to `now`; the next starts at or before the newest of them.
          const watermark = advanceWatermark(null, Math.max(...creations) + NOW - 10 * DAY);
          const next = pollStartMs({
            ...base,
            overlapMs,
            nowMs: NOW + DAY,
            watermarkMs: watermark,
            oldestOpenMs: null,
          });
          expect(next).toBeLessThanOrEqual(watermark!);
        },
      ),
      RUNS,
    );
  });
});

describe('what an order change means', () => {
  const order = (status: string, state = 'NEW'): OrderSnapshot => ({ status, state });

  it('tells of a new order once, of a pickup when it waits at the point, of the delivery when completed', () => {
    expect(orderEvents(null, order('APPROVED_BY_BANK'))).toEqual(['new_order']);
    expect(orderEvents(order('APPROVED_BY_BANK'), order('ACCEPTED_BY_MERCHANT', 'DELIVERY'))).toEqual([]);
    expect(orderEvents(order('ACCEPTED_BY_MERCHANT', 'DELIVERY'), order('ACCEPTED_BY_MERCHANT', 'PICKUP'))).toEqual([
      'ready_for_pickup',
    ]);
    expect(orderEvents(order('ACCEPTED_BY_MERCHANT', 'PICKUP'), order('COMPLETED', 'ARCHIVE'))).toEqual(['delivered']);
    expect(orderEvents(null, order('ACCEPTED_BY_MERCHANT', 'PICKUP'))).toEqual(['new_order', 'ready_for_pickup']);
    // First seen already over: only what is still true is told; a cancellation tells customers nothing.
    expect(orderEvents(null, order('COMPLETED', 'ARCHIVE'))).toEqual(['delivered']);
    expect(orderEvents(order('APPROVED_BY_BANK'), order('CANCELLED', 'ARCHIVE'))).toEqual([]);
    expect(orderEvents(order('COMPLETED', 'ARCHIVE'), order('COMPLETED', 'ARCHIVE'))).toEqual([]);
  });

  it('never tells the same milestone twice along any path of statuses', () => {
    const snapshot = fc.record({
      status: fc.constantFrom(
        'APPROVED_BY_BANK',
        'ACCEPTED_BY_MERCHANT',
        'COMPLETED',
        'CANCELLED',
        'CANCELLING',
        'RETURNED',
      ),
      state: fc.constantFrom('NEW', 'PICKUP', 'DELIVERY', 'KASPI_DELIVERY', 'ARCHIVE'),
    });
    fc.assert(
      fc.property(fc.array(snapshot, { minLength: 1, maxLength: 8 }), (path) => {
        const told: string[] = [];
        let previous: OrderSnapshot | null = null;
        // A sender that keeps a log (the unique key) tells each event at most once even if it comes back.
        for (const current of path) {
          for (const event of orderEvents(previous, current)) if (!told.includes(event)) told.push(event);
          previous = current;
        }
        expect(new Set(told).size).toBe(told.length);
        for (const event of told) expect(path.some((s) => milestones(s).has(event as never))).toBe(true);
      }),
      RUNS,
    );
  });

  it('plans a message per switched-on channel with an active template, and a review request after delivery', () => {
    const planned = planMessages({
      events: ['delivered'],
      nowMs: NOW,
      channels: { whatsapp: true, telegram: true },
      activeTemplates: new Set(['delivered:whatsapp', 'review_request:whatsapp', 'new_order:telegram']),
      reviewDelayHours: 48,
    });
    expect(planned).toEqual([
      { event: 'delivered', channel: 'whatsapp', dueAtMs: NOW },
      { event: 'review_request', channel: 'whatsapp', dueAtMs: NOW + 48 * 3600_000 },
    ]);
    expect(
      planMessages({
        events: ['new_order'],
        nowMs: NOW,
        channels: { whatsapp: false, telegram: true },
        activeTemplates: new Set(['new_order:whatsapp', 'new_order:telegram']),
        reviewDelayHours: 1,
      }),
    ).toEqual([{ event: 'new_order', channel: 'telegram', dueAtMs: NOW }]);
  });
});
