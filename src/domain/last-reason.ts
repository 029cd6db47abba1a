import type { PriceDecision, PriceReason } from './pricing';

/**
 * The reasons that explain why a price is stuck, most telling first: a product held at its floor in
 * one city and undercutting in another is shown as held at its floor.
 */
const TELLING: readonly PriceReason[] = [
  'floor_reached',
  'price_war_hold',
  'no_floor',
  'kill_switch',
  'drop_limited',
  'ceiling',
];

/** The one reason a product's row shows for its last check, from that check's per-city decisions. */
export function lastReasonOf(decisions: readonly Pick<PriceDecision, 'reason'>[]): PriceReason | null {
  for (const reason of TELLING) if (decisions.some((d) => d.reason === reason)) return reason;
  return decisions[0]?.reason ?? null;
}
