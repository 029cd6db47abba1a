import { describe, expect, it } from 'vitest';
import { blockedUntil, liveBreakers, nextWakeMs, trip, type WakeInput } from '../../src/domain/breakers';
import type { Breaker } from '../../src/workflows/messages';

const T0 = Date.parse('2025-06-02T06:00:00Z');
const at = (offsetMs: number) => new Date(T0 + offsetMs).toISOString();
const breaker = (surface: Breaker['surface'], offsetMs: number, reason = 'shut'): Breaker => ({
  surface,
  until: at(offsetMs),
  reason,
});

describe('breakers', () => {
  it('are live until their time, not at it', () => {
    const writes = breaker('writes', 1_000);
    const reads = breaker('reads', 5_000);
    expect(liveBreakers([writes, reads], T0)).toEqual([writes, reads]);
    expect(liveBreakers([writes, reads], T0 + 1_000)).toEqual([reads]);
    expect(liveBreakers([writes, reads], T0 + 5_000)).toEqual([]);
  });

  it('keep a surface shut until the latest of its breakers, each surface on its own', () => {
    const breakers = [breaker('writes', 1_000), breaker('writes', 3_000), breaker('reads', 10_000)];
    expect(blockedUntil(breakers, 'writes', T0)).toBe(T0 + 3_000);
    expect(blockedUntil(breakers, 'writes', T0 + 2_000)).toBe(T0 + 3_000);
    expect(blockedUntil(breakers, 'reads', T0)).toBe(T0 + 10_000);
  });

  it('leave a surface open once its breakers expired, or when it has none', () => {
    const breakers = [breaker('writes', 1_000)];
    expect(blockedUntil(breakers, 'writes', T0 + 1_000)).toBeNull();
    expect(blockedUntil(breakers, 'reads', T0)).toBeNull();
    expect(blockedUntil([], 'writes', T0)).toBeNull();
  });

  it('trip a surface with one breaker that replaces its old one and drops the expired ones', () => {
    const old = [breaker('writes', 60_000, 'Kaspi 429'), breaker('reads', 500), breaker('reads', 2_000)];
    expect(trip(old, 'writes', at(10_000), 'pricefeed failing', T0 + 1_000)).toEqual([
      breaker('reads', 2_000),
      breaker('writes', 10_000, 'pricefeed failing'),
    ]);
    expect(trip([], 'reads', at(5_000), 'no capacity', T0)).toEqual([breaker('reads', 5_000, 'no capacity')]);
  });
});

describe('when the loop wakes', () => {
  const running: WakeInput = {
    paused: false,
    manualPending: false,
    nextCheckAt: null,
    intervalSeconds: 60,
    breakers: [],
  };
  const paused: WakeInput = { ...running, paused: true };

  it('running: when the next product is due, or an interval from now when none is known', () => {
    expect(nextWakeMs({ ...running, nextCheckAt: at(15_000) }, T0)).toBe(T0 + 15_000);
    expect(nextWakeMs(running, T0)).toBe(T0 + 60_000);
  });

  it('running with the reads shut: not before they open again', () => {
    const breakers = [breaker('reads', 30_000)];
    expect(nextWakeMs({ ...running, nextCheckAt: at(10_000), breakers }, T0)).toBe(T0 + 30_000);
    expect(nextWakeMs({ ...running, nextCheckAt: at(45_000), breakers }, T0)).toBe(T0 + 45_000);
  });

  it('running with the writes shut: as soon as they open, if that comes first', () => {
    const breakers = [breaker('writes', 20_000)];
    expect(nextWakeMs({ ...running, nextCheckAt: at(50_000), breakers }, T0)).toBe(T0 + 20_000);
    expect(nextWakeMs({ ...running, nextCheckAt: at(5_000), breakers }, T0)).toBe(T0 + 5_000);
    expect(nextWakeMs({ ...running, breakers }, T0)).toBe(T0 + 20_000);
  });

  it('running with both shut: the writes opening wins over the reads', () => {
    const breakers = [breaker('reads', 40_000), breaker('writes', 25_000)];
    expect(nextWakeMs({ ...running, nextCheckAt: at(10_000), breakers }, T0)).toBe(T0 + 25_000);
  });

  it('ignores expired breakers and takes the latest of several', () => {
    const expired = [breaker('reads', -1_000), breaker('writes', -1_000)];
    expect(nextWakeMs({ ...running, nextCheckAt: at(10_000), breakers: expired }, T0)).toBe(T0 + 10_000);
    const reads = [breaker('reads', 20_000), breaker('reads', 35_000)];
    expect(nextWakeMs({ ...running, nextCheckAt: at(10_000), breakers: reads }, T0)).toBe(T0 + 35_000);
  });

  it('paused with nothing to push: only when a message comes', () => {
    expect(nextWakeMs({ ...paused, nextCheckAt: at(10_000) }, T0)).toBeNull();
    expect(nextWakeMs({ ...paused, breakers: [breaker('writes', 20_000)] }, T0)).toBeNull();
  });

  it('paused with a manual price pending: at once, or when its push is due', () => {
    expect(nextWakeMs({ ...paused, manualPending: true }, T0)).toBe(T0);
    expect(nextWakeMs({ ...paused, manualPending: true, nextCheckAt: at(3_000) }, T0)).toBe(T0 + 3_000);
  });

  it('paused with a manual price pending and the writes shut: when they open, whatever the reads', () => {
    const breakers = [breaker('writes', 20_000), breaker('reads', 90_000)];
    expect(nextWakeMs({ ...paused, manualPending: true, nextCheckAt: at(3_000), breakers }, T0)).toBe(T0 + 20_000);
    const expired = [breaker('writes', -1)];
    expect(nextWakeMs({ ...paused, manualPending: true, breakers: expired }, T0)).toBe(T0);
  });
});
