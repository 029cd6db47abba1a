/**
 * The breakers a store's demper loop honours. A breaker shuts one surface until a time: the merchant's
 * writes (Kaspi answered 429, or its pricefeed is failing) or the storefront reads (no read capacity left).
 * The loop sends nothing to a shut surface and wakes when it opens again. The loop carries its breakers
 * across continue-as-new, so these functions keep them as a plain list and take the time as an argument
 * (the workflow's own clock, the same on replay).
 */

import type { Breaker } from '../workflows/messages';

export type Surface = Breaker['surface'];

/** The breakers still shut at `nowMs`. */
export function liveBreakers(breakers: readonly Breaker[], nowMs: number): Breaker[] {
  return breakers.filter((b) => Date.parse(b.until) > nowMs);
}

/** When `surface` opens again (the latest of its breakers), or null when it is open at `nowMs`. */
export function blockedUntil(breakers: readonly Breaker[], surface: Surface, nowMs: number): number | null {
  const until = breakers.filter((b) => b.surface === surface).map((b) => Date.parse(b.until));
  const latest = Math.max(0, ...until);
  return latest > nowMs ? latest : null;
}

/** Shuts `surface` until `until`: the new breaker replaces that surface's old one, and expired ones go. */
export function trip(
  breakers: readonly Breaker[],
  surface: Surface,
  until: string,
  reason: string,
  nowMs: number,
): Breaker[] {
  return [...liveBreakers(breakers, nowMs).filter((b) => b.surface !== surface), { surface, until, reason }];
}

export interface WakeInput {
  paused: boolean;
  /** A manual price (or a preorder) waits to be pushed. */
  manualPending: boolean;
  /** When the next product is due (ISO 8601); null: none is known. */
  nextCheckAt: string | null;
  intervalSeconds: number;
  breakers: readonly Breaker[];
}

/** When the loop should look again (ms since the epoch); null: only when a message comes. */
export function nextWakeMs(input: WakeInput, nowMs: number): number | null {
  const writesUntil = blockedUntil(input.breakers, 'writes', nowMs);
  if (input.paused) {
    // A paused loop only pushes manual prices: nothing else wakes it, and they wait for the writes.
    if (!input.manualPending) return null;
    if (writesUntil !== null) return writesUntil;
    return input.nextCheckAt === null ? nowMs : Date.parse(input.nextCheckAt);
  }
  let at = input.nextCheckAt === null ? nowMs + input.intervalSeconds * 1000 : Date.parse(input.nextCheckAt);
  const readsUntil = blockedUntil(input.breakers, 'reads', nowMs);
  if (readsUntil !== null) at = Math.max(at, readsUntil);
  // Changes and manual prices held back by shut writes go out as soon as the writes open again.
  if (writesUntil !== null) at = Math.min(at, writesUntil);
  return at;
}
