/**
 * A product on preorder ships in `days` (1–30) from when it is ordered, in the quantities the merchant
 * set per pickup point (PP1–PP5, the columns Kaspi's Excel price list has). While a product is on
 * preorder the demper leaves its price alone: `products.preorder_days` above 0 takes it out.
 */
export const PREORDER_MIN_DAYS = 1;
export const PREORDER_MAX_DAYS = 30;
export const PREORDER_POINTS = [1, 2, 3, 4, 5] as const;

export const PREORDER_STATUSES = ['draft', 'processing', 'active', 'failed'] as const;
export type PreorderStatus = (typeof PREORDER_STATUSES)[number];

/** The demper's rule: a product with preorder days is not repriced. */
export function isOnPreorder(preorderDays: number | null): boolean {
  return (preorderDays ?? 0) > 0;
}

/** Kaspi shows the preorder when our public offer carries preorder days. */
export function preorderShown(shownDays: number | undefined): boolean {
  return shownDays !== undefined && shownDays > 0;
}
