/**
 * What one unit sold at a price leaves the merchant: the price less Kaspi's commission, the tax on
 * the sale, the delivery the merchant pays and the purchase cost. Margin is that profit as a share
 * of the price (not of the cost). Percentages are plain numbers with at most two decimals (10.9
 * means 10.9 %); money is whole tenge.
 */

/** Kaspi's 2026 rate, without VAT, for every category not priced otherwise (KASPI_COMMISSIONS.md). */
export const DEFAULT_COMMISSION_PERCENT = 10.9;

/** The three rates of Kaspi's 2026 tariff table, without and with VAT, and where each applies. */
export const COMMISSION_RATES = [
  { percent: 6.4, withVatPercent: 7.3, applies: 'groceries' },
  { percent: 10.9, withVatPercent: 12.5, applies: 'default' },
  { percent: 13.5, withVatPercent: 15.5, applies: 'jewellery' },
] as const;

export interface UnitCosts {
  /** Purchase cost of one unit; without it there is no profit to speak of. */
  cost: number | null;
  /** Kaspi's commission on the sale price; null means the default rate. */
  commissionPercent: number | null;
  /** What the merchant pays to deliver one unit; null means none. */
  deliveryCost: number | null;
  /** Tax on the sale price (e.g. the simplified regime's rate); null means none. */
  taxPercent: number | null;
}

export interface UnitProfit {
  priceTenge: number;
  commissionTenge: number;
  taxTenge: number;
  deliveryTenge: number;
  costTenge: number;
  /** Rounded to whole tenge. */
  profitTenge: number;
  /** Profit as a percentage of the price, to two decimals. */
  marginPercent: number;
}

/** Hundredths of a percent, so the floor is found in integers and never misses by a rounding. */
function basisPoints(percent: number): number {
  return Math.round(percent * 100);
}

function feeBasisPoints(costs: UnitCosts): number {
  return basisPoints(costs.commissionPercent ?? DEFAULT_COMMISSION_PERCENT) + basisPoints(costs.taxPercent ?? 0);
}

/** Profit and margin of one unit at `priceTenge`; null when the cost is unknown. */
export function profitAt(priceTenge: number, costs: UnitCosts): UnitProfit | null {
  if (costs.cost === null || priceTenge <= 0) return null;
  const commission = (priceTenge * basisPoints(costs.commissionPercent ?? DEFAULT_COMMISSION_PERCENT)) / 10_000;
  const tax = (priceTenge * basisPoints(costs.taxPercent ?? 0)) / 10_000;
  const delivery = costs.deliveryCost ?? 0;
  const profit = priceTenge - commission - tax - delivery - costs.cost;
  return {
    priceTenge,
    commissionTenge: Math.round(commission),
    taxTenge: Math.round(tax),
    deliveryTenge: delivery,
    costTenge: costs.cost,
    profitTenge: Math.round(profit),
    marginPercent: Math.round((profit / priceTenge) * 10_000) / 100,
  };
}

/**
 * The lowest whole-tenge price whose margin is at least `marginPercent`:
 * P − P·(commission + tax) − delivery − cost ≥ P·margin, so P = ⌈(cost + delivery) / (1 − commission − tax − margin)⌉.
 * Null when the cost is unknown or the fees and margin take the whole price (no price is high enough).
 */
export function floorForMargin(costs: UnitCosts, marginPercent: number): number | null {
  if (costs.cost === null) return null;
  const kept = 10_000 - feeBasisPoints(costs) - basisPoints(marginPercent);
  if (kept <= 0) return null;
  const spent = (costs.cost + (costs.deliveryCost ?? 0)) * 10_000;
  return Math.max(1, Math.ceil(spent / kept));
}
