/**
 * How many products a merchant may keep switched on for the demper. Without an active subscription
 * the free allowance applies; a paid plan's own limit is the plan's business.
 */
export const FREE_ACTIVE_PRODUCTS = 20;

/** The active-product limit of a plan; null plan = no active subscription; null result = no limit here. */
export function activeProductLimit(plan: string | null): number | null {
  return plan === null || plan === 'free' ? FREE_ACTIVE_PRODUCTS : null;
}
