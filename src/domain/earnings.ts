/**
 * What the demper earns, in figures a merchant can check by hand (their definitions are in docs/API.md):
 * time shares from the day counters the checks keep, and what a sale left on the table while first.
 */

/** How the demper last saw a product: enough to tell, when an order comes in, what first place was worth. */
export interface DemperStanding {
  first: boolean;
  maxPrice: number | null;
  /** The cheapest other offer on the card (the one behind us while we are first). */
  cheapestRivalPrice: number | null;
  step: number;
}

/**
 * How much more one unit could have sold for and still been first: up to one step under the rival
 * behind us, never over the ceiling. Alone on the card, up to the ceiling (none without one). Zero
 * when not first: that sale was not bought by first place.
 */
export function roomWhileFirst(soldAtTenge: number, standing: DemperStanding): number {
  if (!standing.first) return 0;
  const underRival = standing.cheapestRivalPrice === null ? null : standing.cheapestRivalPrice - standing.step;
  const best =
    underRival === null ? (standing.maxPrice ?? soldAtTenge) : Math.min(underRival, standing.maxPrice ?? underRival);
  return Math.max(0, best - soldAtTenge);
}

/** The share `part / whole`, or null when nothing was counted. */
export function share(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}

export interface TimeCounters {
  watchedSeconds: number;
  firstSeconds: number;
  floorSeconds: number;
}

export interface TimeShares {
  firstShare: number | null;
  /** First place out of the time the floor allowed it: time held at the floor under a cheaper rival is left out. */
  firstShareWhereAllowed: number | null;
  floorShare: number | null;
}

export function timeShares(c: TimeCounters): TimeShares {
  return {
    firstShare: share(c.firstSeconds, c.watchedSeconds),
    firstShareWhereAllowed: share(c.firstSeconds, c.watchedSeconds - c.floorSeconds),
    floorShare: share(c.floorSeconds, c.watchedSeconds),
  };
}
