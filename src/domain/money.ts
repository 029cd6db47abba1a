/**
 * Percent arithmetic on whole tenge, done in integer basis points so that 1000 + 10 % is exactly
 * 1100 (floating point gives 1100.0000000000002, which would round up to 1101).
 */

/** `tenge` raised by `percent`, rounded up to whole tenge. */
export function plusPercentRoundedUp(tenge: number, percent: number): number {
  return Math.ceil((tenge * (10_000 + basisPoints(percent))) / 10_000);
}

/** `tenge` lowered by `percent`, rounded up to whole tenge: never more than `percent` below. */
export function minusPercentRoundedUp(tenge: number, percent: number): number {
  return Math.ceil((tenge * (10_000 - basisPoints(percent))) / 10_000);
}

function basisPoints(percent: number): number {
  return Math.round(percent * 100);
}

/** `tenge` raised by `percent`, rounded down to whole tenge: never more than `percent` above. */
export function plusPercentRoundedDown(tenge: number, percent: number): number {
  return Math.floor((tenge * (10_000 + basisPoints(percent))) / 10_000);
}
