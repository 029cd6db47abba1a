/**
 * The one mechanism behind both limit profiles: a proxy may be granted at most `budgetRequests` reads in
 * any `budgetWindowSeconds`, rests `restSeconds` once a grant spends the budget, and is benched
 * `banBenchSeconds` after a ban.
 *
 * Why leases count until one window after they end: a lease's reads all start between its grant and
 * its end (report, or `leaseSeconds` at the latest). Any interval of one window that holds some of
 * its reads therefore begins before the lease's end and ends after its grant; so when the newest of
 * the leases reaching into that interval was granted, every older one still counted. Each grant keeps
 * the counted sum within the budget, hence no interval of one window sees more than the budget. A lease
 * counts its permits until it is reported, then the reads it made: never fewer than it holds in any interval.
 *
 * The one exception is a proxy whose counted leases all kept the budget's pace and are over
 * (`carriesPace`): its next lease keeps that pace from one read interval after the last one ended, so
 * the reads of all of them make one paced stream, and no interval of one window sees more than the
 * budget either.
 */

/** The numbers one proxy's reads are granted by; `leaseSeconds` bounds when a lease's reads may start. */
export interface BudgetRules {
  budgetRequests: number;
  budgetWindowSeconds: number;
  restSeconds: number;
  banBenchSeconds: number;
  leaseSeconds: number;
}

/**
 * The two limit profiles of Kaspi's per-IP read throttle (`PROXY_LIMIT_PROFILE`), as numbers of the one mechanism:
 * - measured (KASPI_API.md §1): ≈10 req/s is safe, ≈15 req/s earns a 403 ban of ≈10 s.
 * - seed: 250 requests per 30 minutes per IP, so rotate after 249 and rest 40 minutes.
 */
export const PROXY_LIMIT_PROFILES = {
  measured: { budgetRequests: 10, budgetWindowSeconds: 1, restSeconds: 0, banBenchSeconds: 15 },
  seed: { budgetRequests: 249, budgetWindowSeconds: 1800, restSeconds: 2400, banBenchSeconds: 1800 },
} as const satisfies Record<string, Omit<BudgetRules, 'leaseSeconds'>>;

export type ProxyLimitProfile = keyof typeof PROXY_LIMIT_PROFILES;

/** Permits to hand out now: as many as wanted, within what the budget has left. */
export function permitsToGrant(
  wanted: number,
  usedPermits: number,
  rules: Pick<BudgetRules, 'budgetRequests'>,
): number {
  return Math.max(0, Math.min(Math.floor(wanted), rules.budgetRequests - usedPermits));
}

export interface LeaseSize {
  permits: number;
  /** The pace the reads must keep when the lease spans several budget windows; absent for one window. */
  readsPerSecond?: number;
}

/**
 * What the ledger counts against a proxy now: the permits of the leases reaching into the current
 * window, and whether every one of them kept the budget's pace and is over (`pacedAndOver`).
 */
export interface ProxyLedger {
  usedPermits: number;
  pacedAndOver: boolean;
}

/**
 * What one lease grants. Within one budget window, what `permitsToGrant` allows, to spend at any pace.
 * A proxy nothing counts against, under a profile that does not rest proxies between windows, may
 * instead be leased for several whole windows at once — at most `maxWindows`, and no longer than a
 * lease lasts — with its reads paced at the budget's rate: the
 * ledger counts all of the lease's permits against every window it reaches, so no other lease shares
 * the proxy meanwhile, and the pace keeps every window within the budget. One lease (two rows written
 * to grant and report it) then serves many reads instead of one window's worth.
 *
 * So may a proxy whose counted leases all kept that pace and are over (`carriesPace`), paced even for
 * one window: its reads go on at the pace the last lease kept, one read interval after it ended, and
 * no window holds more than the pace allows. Counted by their permits alone, those leases would keep
 * the proxy idle for a whole window after each.
 */
export function leaseToGrant(wanted: number, ledger: ProxyLedger, rules: BudgetRules, maxWindows: number): LeaseSize {
  const windows = Math.min(
    Math.ceil(Math.floor(wanted) / rules.budgetRequests),
    Math.floor(maxWindows),
    Math.floor(rules.leaseSeconds / rules.budgetWindowSeconds),
  );
  const paced = {
    permits: Math.min(Math.floor(wanted), Math.max(1, windows) * rules.budgetRequests),
    readsPerSecond: paceOf(rules),
  };
  if (carriesPace(ledger, rules)) return paced;
  if (ledger.usedPermits > 0 || windows < 2 || rules.restSeconds > 0)
    return { permits: permitsToGrant(wanted, ledger.usedPermits, rules) };
  return paced;
}

/** Whether a proxy may go on at the budget's pace at once: it does not rest, and what counts against it kept that pace and is over. */
export function carriesPace(ledger: ProxyLedger, rules: Pick<BudgetRules, 'restSeconds'>): boolean {
  return ledger.usedPermits > 0 && ledger.pacedAndOver && rules.restSeconds <= 0;
}

/**
 * How long a lease that carries on its proxy's pace waits before its first read: one read interval
 * after the last counted lease ended (`sinceLastEndMs` ago), so the two make one paced stream.
 */
export function carryOnDelayMs(
  sinceLastEndMs: number,
  rules: Pick<BudgetRules, 'budgetRequests' | 'budgetWindowSeconds'>,
): number {
  return Math.max(0, Math.ceil(1000 / paceOf(rules) - sinceLastEndMs));
}

/** The budget's rate, reads per second: the pace of a lease over several windows. */
export function paceOf(rules: Pick<BudgetRules, 'budgetRequests' | 'budgetWindowSeconds'>): number {
  return rules.budgetRequests / rules.budgetWindowSeconds;
}

/** How long a proxy rests from a grant that spends its budget; undefined when it does not rest. */
export function restSecondsAfterGrant(
  usedAfterGrantPermits: number,
  rules: Pick<BudgetRules, 'budgetRequests' | 'restSeconds'>,
): number | undefined {
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
