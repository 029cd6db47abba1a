/**
 * What each plan gives: how many products the demper may keep active, what a month costs, and how
 * many personal proxies the plan brings, split per module so the demper, the orders poll and catalog
 * syncs never wait on each other. Pure data and arithmetic; `users.plan` names the plan in force.
 */
export const PROXY_MODULES = ['demper', 'orders', 'catalog'] as const;
export type ProxyModule = (typeof PROXY_MODULES)[number];

export type ProxySplit = Record<ProxyModule, number>;

export interface Plan {
  name: string;
  title: string;
  /** Products the demper may keep switched on at once. */
  maxActiveProducts: number;
  /** Whole tenge per billing period (a month); 0 for the free plan. */
  monthlyPriceTenge: number;
  /** Personal proxies; 0 means reads go out from the worker's own address. */
  proxies: number;
  /** Percent of the proxies per module; the parts add up to 100. */
  proxySplitPercent: ProxySplit;
}

/** The seed's measured plan: the demper does most reads, orders many at peaks, catalog syncs few. */
export const DEFAULT_PROXY_SPLIT_PERCENT: ProxySplit = { demper: 70, orders: 25, catalog: 5 };

export const PLANS = {
  free: {
    name: 'free',
    title: 'Free',
    maxActiveProducts: 20,
    monthlyPriceTenge: 0,
    proxies: 0,
    proxySplitPercent: DEFAULT_PROXY_SPLIT_PERCENT,
  },
  start: {
    name: 'start',
    title: 'Start',
    maxActiveProducts: 500,
    monthlyPriceTenge: 19_990,
    proxies: 40,
    proxySplitPercent: DEFAULT_PROXY_SPLIT_PERCENT,
  },
  pro: {
    name: 'pro',
    title: 'Pro',
    maxActiveProducts: 2_000,
    monthlyPriceTenge: 49_990,
    proxies: 100,
    proxySplitPercent: DEFAULT_PROXY_SPLIT_PERCENT,
  },
} as const satisfies Record<string, Plan>;

export type PlanName = keyof typeof PLANS;
export const PLAN_NAMES = Object.keys(PLANS) as PlanName[];
export const PAID_PLAN_NAMES = PLAN_NAMES.filter((name) => PLANS[name].monthlyPriceTenge > 0);
export const FREE_PLAN: PlanName = 'free';

export function isPlanName(name: string): name is PlanName {
  return Object.hasOwn(PLANS, name);
}

/** The plan called `name`; an unknown name (a plan since retired) gets the free plan's limits. */
export function planOf(name: string): Plan {
  return isPlanName(name) ? PLANS[name] : PLANS.free;
}

/**
 * Splits `total` proxies by percentages so the parts are whole and add up to `total`: each module
 * gets the floor of its share, and what is left goes to the largest remainders (ties: module order).
 */
export function splitProxies(total: number, percent: ProxySplit): ProxySplit {
  const exact = PROXY_MODULES.map((module) => (total * percent[module]) / 100);
  const parts = exact.map(Math.floor);
  let left = total - parts.reduce((a, b) => a + b, 0);
  const byRemainder = PROXY_MODULES.map((_, i) => i).sort(
    (a, b) => exact[b]! - parts[b]! - (exact[a]! - parts[a]!) || a - b,
  );
  for (const i of byRemainder) {
    if (left <= 0) break;
    parts[i]!++;
    left--;
  }
  return Object.fromEntries(PROXY_MODULES.map((module, i) => [module, parts[i]!])) as ProxySplit;
}

/** How many proxies each module of a plan gets. */
export function planProxySplit(plan: Plan): ProxySplit {
  return splitProxies(plan.proxies, plan.proxySplitPercent);
}

export interface ActiveProduct {
  id: string;
  /** The live price, whole tenge; unknown counts as 0. */
  priceTenge: number | null;
}

/**
 * Which active products to switch off so at most `limit` stay on: the least valuable first, value
 * being the live price (what a sale brings), ties broken by id so the choice is stable.
 */
export function productsToSwitchOff(active: ActiveProduct[], limit: number): string[] {
  if (active.length <= limit) return [];
  const leastValuableFirst = [...active].sort(
    (a, b) => (a.priceTenge ?? 0) - (b.priceTenge ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  return leastValuableFirst.slice(0, active.length - limit).map((p) => p.id);
}
