/**
 * Which creation dates an orders poll reads. Kaspi's Shop API filters orders only by creation date, at
 * most 14 days per request, and has no "modified since": so a poll reads from a little before the newest
 * creation date it has already seen (orders show up late, after the bank approves them) and, to catch
 * status changes, back to the oldest order that can still change. The watermark is Kaspi's own creation
 * date, never our clock, so a skewed worker clock cannot skip an order.
 */

/** Kaspi refuses a creation-date filter spanning more than 14 days. */
export const MAX_WINDOW_MS = 14 * 24 * 3600_000;

export interface PollStart {
  nowMs: number;
  /** The newest Kaspi creation date stored so far; null before the first order. */
  watermarkMs: number | null;
  /** Creation date of the oldest stored order that may still change status; null when none. */
  oldestOpenMs: number | null;
  overlapMs: number;
  /** How far back the first poll reads. */
  backfillMs: number;
  /** Nothing older than this is read again. */
  trackMs: number;
}

/** The earliest creation date this poll reads. */
export function pollStartMs(p: PollStart): number {
  const fromWatermark = p.watermarkMs === null ? p.nowMs - p.backfillMs : p.watermarkMs - p.overlapMs;
  const wanted = p.oldestOpenMs === null ? fromWatermark : Math.min(fromWatermark, p.oldestOpenMs);
  return Math.min(p.nowMs, Math.max(p.nowMs - p.trackMs, wanted));
}

export interface CreationWindow {
  fromMs: number;
  toMs: number;
}

/** `[fromMs, toMs]` cut into consecutive windows Kaspi accepts; both ends are inclusive, as the filter's. */
export function creationWindows(fromMs: number, toMs: number, maxWindowMs = MAX_WINDOW_MS): CreationWindow[] {
  if (toMs < fromMs) return [];
  const windows: CreationWindow[] = [];
  for (let start = fromMs; start <= toMs; start += maxWindowMs + 1) {
    windows.push({ fromMs: start, toMs: Math.min(toMs, start + maxWindowMs) });
  }
  return windows;
}

/** The watermark after a poll whose orders were all stored: it only ever moves forward. */
export function advanceWatermark(watermarkMs: number | null, newestSeenMs: number | null): number | null {
  if (newestSeenMs === null) return watermarkMs;
  return watermarkMs === null ? newestSeenMs : Math.max(watermarkMs, newestSeenMs);
}
