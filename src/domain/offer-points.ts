/**
 * Which pickup points a price push names. Kaspi takes a push's list of points as the offer's whole
 * list: a point left out loses the offer. So every push names every point the cabinet last showed for
 * the offer, each as it was (available or not, its preorder days), changing only what the push is for
 * (a preorder set or cleared). With no point known the push names none, and Kaspi keeps its own.
 */

export interface KnownPoint {
  /** `{merchantUid}_PPn` */
  storeId: string;
  available: boolean;
  preOrderDays: number;
}

export interface PushPoint {
  storeId: string;
  available: boolean;
  /** Sent only where it means something: a preorder kept, set or cleared. */
  preOrderDays?: number;
}

/** A preorder the push sets (`days` 1–30, on the given points and every point the offer is available at) or clears (`days` 0). */
export interface PreorderIntent {
  days: number;
  /** Points the preorder ships from (`{merchantUid}_PPn`): the offer becomes available there. */
  storeIds: string[];
}

export interface PushPoints {
  /** Every point, or null when none is known (the push leaves `availabilities` out). */
  points: PushPoint[] | null;
  /** The offer-level `preOrder` to send, if any. */
  preOrderDays: number | undefined;
}

export function pushPoints(known: readonly KnownPoint[], preorder?: PreorderIntent): PushPoints {
  if (preorder && preorder.days === 0) {
    const points = known.map((p) => ({ storeId: p.storeId, available: p.available, preOrderDays: 0 }));
    return { points: points.length ? points : null, preOrderDays: 0 };
  }
  if (preorder) {
    const byId = new Map(known.map((p) => [p.storeId, p.available]));
    for (const storeId of preorder.storeIds) byId.set(storeId, true);
    const points = [...byId].map(([storeId, available]) => ({
      storeId,
      available,
      ...(available ? { preOrderDays: preorder.days } : {}),
    }));
    return { points: points.length ? points : null, preOrderDays: preorder.days };
  }
  const points = known.map((p) => ({
    storeId: p.storeId,
    available: p.available,
    ...(p.available && p.preOrderDays > 0 ? { preOrderDays: p.preOrderDays } : {}),
  }));
  const kept = Math.max(0, ...points.map((p) => p.preOrderDays ?? 0));
  return { points: points.length ? points : null, preOrderDays: kept > 0 ? kept : undefined };
}

/** Whether the cabinet shows what a push asked for: every available point on the preorder's days. */
export function preorderApplied(live: readonly KnownPoint[], preorder: PreorderIntent): boolean {
  const available = live.filter((p) => p.available);
  if (preorder.days === 0) return live.every((p) => p.preOrderDays === 0);
  return (
    preorder.storeIds.every((id) => available.some((p) => p.storeId === id)) &&
    available.every((p) => p.preOrderDays === preorder.days)
  );
}
