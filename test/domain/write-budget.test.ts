import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  changeBudgetStatus,
  type ChangeCandidate,
  changePriority,
  DEFAULT_CHANGE_BUDGET,
  FULL_WRITE_BUCKET,
  prioritiseChanges,
  refillIntervalMs,
  takeWriteToken,
} from '../../src/domain/write-budget';
import { RUNS } from './arbitraries';

const T0 = Date.parse('2025-06-02T06:00:00Z');

describe('write pacing (token bucket)', () => {
  it('lets 1.5 pushes a second through by default and says when the next may go', () => {
    const first = takeWriteToken(FULL_WRITE_BUCKET, new Date(T0));
    expect(first).toMatchObject({ granted: true, nextAllowedAt: new Date(T0 + 667) });
    const tooSoon = takeWriteToken(first.bucket, new Date(T0 + 300));
    expect(tooSoon).toMatchObject({ granted: false, bucket: first.bucket, nextAllowedAt: new Date(T0 + 667) });
    expect(takeWriteToken(first.bucket, new Date(T0 + 667)).granted).toBe(true);
  });

  it('allows a burst after a quiet spell, then the steady rate', () => {
    const pace = { pushesPerSecond: 2, burst: 3 };
    let bucket = FULL_WRITE_BUCKET;
    const granted = [0, 0, 0, 0].map(() => {
      const r = takeWriteToken(bucket, new Date(T0), pace);
      bucket = r.bucket;
      return r.granted;
    });
    expect(granted).toEqual([true, true, true, false]);
    expect(takeWriteToken(bucket, new Date(T0), pace).nextAllowedAt).toEqual(new Date(T0 + 500));
  });

  it('never exceeds burst + rate × time in any interval, whatever the requests', () => {
    fc.assert(
      fc.property(
        fc.record({
          pushesPerSecond: fc.double({ min: 0.1, max: 5, noNaN: true }),
          burst: fc.integer({ min: 1, max: 5 }),
        }),
        fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 60 }),
        (pace, gapsMs) => {
          const intervalMs = refillIntervalMs(pace);
          let bucket = FULL_WRITE_BUCKET;
          let now = T0;
          const grants: number[] = [];
          for (const gap of gapsMs) {
            now += gap;
            const r = takeWriteToken(bucket, new Date(now), pace);
            expect(r.nextAllowedAt.getTime()).toBeGreaterThanOrEqual(now);
            if (r.granted) grants.push(now);
            bucket = r.bucket;
          }
          for (let i = 0; i < grants.length; i++) {
            for (let j = i; j < grants.length; j++) {
              expect(j - i + 1).toBeLessThanOrEqual(pace.burst + Math.floor((grants[j]! - grants[i]!) / intervalMs));
            }
          }
          expect(1000 / intervalMs).toBeLessThanOrEqual(pace.pushesPerSecond);
        },
      ),
      RUNS,
    );
  });

  it('a request at the announced time is granted', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2000 }), { maxLength: 30 }), (gapsMs) => {
        let bucket = FULL_WRITE_BUCKET;
        let now = T0;
        for (const gap of gapsMs) {
          now += gap;
          const r = takeWriteToken(bucket, new Date(now));
          bucket = r.bucket;
          if (!r.granted) expect(takeWriteToken(bucket, r.nextAllowedAt).granted).toBe(true);
        }
      }),
      RUNS,
    );
  });
});

describe('rolling change budget', () => {
  it('counts changes of the last 30 minutes and says when the oldest frees a slot', () => {
    const budget = { limit: 3, windowSeconds: 1800 };
    const times = [T0, T0 + 1000, T0 + 2000, T0 - 1_800_000];
    const full = changeBudgetStatus(times, new Date(T0 + 5000), budget);
    expect(full).toEqual({ remaining: 0, nextFreeAt: new Date(T0 + 1_800_000), recentMs: [T0, T0 + 1000, T0 + 2000] });
    expect(changeBudgetStatus(times, new Date(T0 + 1_800_000), budget)).toMatchObject({ remaining: 1 });
    expect(DEFAULT_CHANGE_BUDGET).toEqual({ limit: 240, windowSeconds: 1800 });
  });

  it('is never exceeded in any window, whatever the requests', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 120 }),
        fc.array(fc.integer({ min: 0, max: 40_000 }), { maxLength: 80 }),
        (limit, windowSeconds, gapsMs) => {
          const budget = { limit, windowSeconds };
          let kept: number[] = [];
          const all: number[] = [];
          let now = T0;
          for (const gap of gapsMs) {
            now += gap;
            const status = changeBudgetStatus(kept, new Date(now), budget);
            expect(status.nextFreeAt.getTime()).toBeGreaterThanOrEqual(now);
            kept = status.recentMs;
            if (status.remaining > 0) {
              kept = [...kept, now];
              all.push(now);
            } else {
              expect(changeBudgetStatus(kept, status.nextFreeAt, budget).remaining).toBeGreaterThan(0);
            }
          }
          for (const start of all) {
            expect(all.filter((t) => t >= start && t < start + windowSeconds * 1000).length).toBeLessThanOrEqual(limit);
          }
        },
      ),
      RUNS,
    );
  });
});

describe('prioritiseChanges', () => {
  const change = (
    livePriceTenge: number,
    targetPriceTenge: number,
    positionBefore: number,
    positionAfter: number,
    leaderTenge: number | null = null,
  ) => ({
    livePriceTenge,
    targetPriceTenge,
    positionBefore,
    positionAfter,
    leader: leaderTenge === null ? null : { merchantId: 'R', priceTenge: leaderTenge },
  });

  it('puts regaining first place first, then better positions, then the rest, most at stake first', () => {
    const candidates: ChangeCandidate[] = [
      { productId: 'raise-big', changes: [change(10_000, 19_000, 1, 1)] },
      { productId: 'first-cheap', changes: [change(1100, 999, 2, 1)] },
      { productId: 'second-place', changes: [change(5000, 4000, 4, 2)] },
      { productId: 'first-dear', changes: [change(55_000, 49_999, 3, 1)] },
      { productId: 'first-cheap-popular', changes: [change(1100, 999, 2, 1)], salesWeight: 80 },
      { productId: 'tie-broken', changes: [change(1000, 999, 1, 1, 1000)] },
    ];
    const { selected, deferred } = prioritiseChanges(candidates, { remaining: 4 });
    expect(selected.map((c) => c.productId)).toEqual([
      'first-cheap-popular',
      'first-dear',
      'first-cheap',
      'tie-broken',
    ]);
    expect(deferred.map((c) => c.productId)).toEqual(['second-place', 'raise-big']);
    expect(changePriority(candidates[5]!).takesFirstPlace).toBe(true);
    expect(changePriority(candidates[0]!)).toEqual({
      takesFirstPlace: false,
      improvesPosition: false,
      atStakeTenge: 9000,
    });
  });

  const candidate: fc.Arbitrary<ChangeCandidate> = fc.record({
    productId: fc.string({ minLength: 1, maxLength: 4 }),
    changes: fc.array(
      fc.record({
        livePriceTenge: fc.integer({ min: 1, max: 10_000 }),
        targetPriceTenge: fc.integer({ min: 1, max: 10_000 }),
        positionBefore: fc.integer({ min: 1, max: 5 }),
        positionAfter: fc.integer({ min: 1, max: 5 }),
        leader: fc.option(
          fc.record({ merchantId: fc.constant('R'), priceTenge: fc.integer({ min: 1, max: 10_000 }) }),
          { nil: null },
        ),
      }),
      { minLength: 1, maxLength: 3 },
    ),
    salesWeight: fc.option(fc.integer({ min: 1, max: 50 }), { nil: undefined }),
  });

  it('selects at most the budget, in a deterministic order that ranks every selected above every deferred', () => {
    fc.assert(
      fc.property(fc.array(candidate, { maxLength: 12 }), fc.integer({ min: 0, max: 15 }), (candidates, remaining) => {
        const { selected, deferred } = prioritiseChanges(candidates, { remaining });
        expect(selected.length).toBe(Math.min(remaining, candidates.length));
        expect(selected.length + deferred.length).toBe(candidates.length);
        const ordered = [...selected, ...deferred];
        const key = (c: ChangeCandidate) => {
          const p = changePriority(c);
          return [p.takesFirstPlace ? 0 : p.improvesPosition ? 1 : 2, -p.atStakeTenge] as const;
        };
        for (let i = 1; i < ordered.length; i++) {
          const [tierA, stakeA] = key(ordered[i - 1]!);
          const [tierB, stakeB] = key(ordered[i]!);
          expect(tierA < tierB || (tierA === tierB && stakeA <= stakeB)).toBe(true);
        }
        const reversed = prioritiseChanges([...candidates].reverse(), { remaining });
        expect(reversed.selected.map((c) => c.productId)).toEqual(selected.map((c) => c.productId));
      }),
      RUNS,
    );
  });
});
