/**
 * The one mechanism behind both limit profiles (see `PROXY_LIMIT_PROFILES` in `lib/config.ts`): a
 * proxy may be granted at most `budgetRequests` reads in any `budgetWindowSeconds`, rests
 * `restSeconds` once a grant spends the budget, and is benched `banBenchSeconds` after a ban.
 *
 * Why leases count until one window after they end: a lease's reads all start between its grant and
 * its end (report, or `leaseSeconds` at the latest). Any interval of one window that holds some of
 * its reads therefore begins before the lease's end and ends after its grant; so when the newest of
 * the leases reaching into that interval was granted, every older one still counted. Each grant keeps
 * the counted sum within the budget, hence no interval of one window sees more than the budget.
 */
export interface BudgetRules {
  budgetRequests: number;
  budgetWindowSeconds: number;
  restSeconds: number;
  banBenchSeconds: number;
  leaseSeconds: number;
}

/** Permits to hand out now: as many as wanted, within what the budget has left. */
export function permitsToGrant(wanted: number, usedPermits: number, rules: Pick<BudgetRules, 'budgetRequests'>): number {
  return Math.max(0, Math.min(Math.floor(wanted), rules.budgetRequests - usedPermits));
}

/** How long a proxy rests from a grant that spends its budget; undefined when it does not rest. */
export function restSecondsAfterGrant(usedAfterGrantPermits: number, rules: Pick<BudgetRules, 'budgetRequests' | 'restSeconds'>): number | undefined {
  if (usedAfterGrantPermits < rules.budgetRequests || rules.restSeconds <= 0) return undefined;
  return rules.restSeconds;
}

/** Requests a proxy must have seen before its failure rate can condemn it. */
export const HEALTH_MIN_REQUESTS = 10;

/** More than half of at least ten requests failing means the proxy is dead. */
export function isFailing(successCount: number, failureCount: number): boolean {
  const total = successCount + failureCount;
  return total >= HEALTH_MIN_REQUESTS && failureCount * 2 > total;
}
