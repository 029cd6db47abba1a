/**
 * What one store's demper loop knows: its cycle, pause, configuration, breakers, write bucket and when it
 * next looks at the products. The message handlers change it, the status query reads it, and it crosses
 * continue-as-new as `DemperCarried`. It lives in workflow code: its time is the workflow's (`Date.now()`
 * is the workflow task's time, the same on replay).
 */

import type { Activities } from '../activities';
import * as breakerRules from '../domain/breakers';
import { DEFAULT_DEMPER_CONFIG, type DemperConfig } from '../domain/demper-config';
import { FULL_WRITE_BUCKET, type WriteBucket } from '../domain/write-budget';
import type { Breaker, CycleSummary, DemperStatus, WakeReason } from './messages';

/** The state a run hands to the next one when it continues as new. */
export interface DemperCarried {
  cycle: number;
  /** Paused while set: why (the merchant, a lost session). */
  pausedReason: string | null;
  config: DemperConfig;
  breakers: Breaker[];
  lastCycle: CycleSummary | null;
  bucket: WriteBucket;
  nextCheckAt: string | null;
  manualPending: boolean;
  failuresInARow: number;
  /** Absent in state carried by runs from before it was counted. */
  pushesWithoutAvailabilities?: number;
}

type CheckResult = Awaited<ReturnType<Activities['checkProducts']>>;
type PushResult = Awaited<ReturnType<Activities['pushPriceChanges']>>;

/** After an activity failed for good, the loop waits this long, doubling per failure in a row, at most the interval. */
const FAILURE_BACKOFF_MS = 5_000;

export class DemperState {
  cycle: number;
  pausedReason: string | null;
  config: DemperConfig;
  breakers: Breaker[];
  lastCycle: CycleSummary | null;
  bucket: WriteBucket;
  private nextCheck: string | null;
  manualPending: boolean;
  failuresInARow: number;
  pushesWithoutAvailabilities: number;
  /** A message came since the loop last looked: it looks again without resting. */
  woken = false;
  /** The loop started afresh, with no state handed over. */
  private readonly fresh: boolean;
  /** Settled by the state handed over or by a `configure` update, not to be replaced by the store's saved one. */
  private configKnown: boolean;
  /** A pause or resume came before the store's saved pause was read; it wins. */
  private pauseTouched = false;

  private constructor(carried?: DemperCarried) {
    this.cycle = carried?.cycle ?? 0;
    this.pausedReason = carried?.pausedReason ?? null;
    this.config = carried?.config ?? DEFAULT_DEMPER_CONFIG;
    this.breakers = carried?.breakers ?? [];
    this.lastCycle = carried?.lastCycle ?? null;
    this.bucket = carried?.bucket ?? FULL_WRITE_BUCKET;
    this.nextCheck = carried?.nextCheckAt ?? null;
    this.manualPending = carried?.manualPending ?? false;
    this.failuresInARow = carried?.failuresInARow ?? 0;
    this.pushesWithoutAvailabilities = carried?.pushesWithoutAvailabilities ?? 0;
    this.fresh = carried === undefined;
    this.configKnown = carried !== undefined;
  }

  /** A fresh loop's state, or the one a previous run handed over. */
  static from(carried?: DemperCarried): DemperState {
    return new DemperState(carried);
  }

  /** The state to hand to the next run. */
  carry(): DemperCarried {
    return {
      cycle: this.cycle,
      pausedReason: this.pausedReason,
      config: this.config,
      breakers: this.liveBreakers(),
      lastCycle: this.lastCycle,
      bucket: this.bucket,
      nextCheckAt: this.nextCheck,
      manualPending: this.manualPending,
      failuresInARow: this.failuresInARow,
      pushesWithoutAvailabilities: this.pushesWithoutAvailabilities,
    };
  }

  get paused(): boolean {
    return this.pausedReason !== null;
  }

  /** When the loop next looks at the products (null: no product is due); `planNextCheck` is its one writer. */
  get nextCheckAt(): string | null {
    return this.nextCheck;
  }

  /** What the store's row says at the start of a run, where neither a carried state nor a message said otherwise. */
  adoptStore(store: { pausedReason: string | null; config: DemperConfig }): void {
    if (!this.configKnown) this.config = store.config;
    if (this.fresh && !this.pauseTouched && store.pausedReason !== null) this.pausedReason = store.pausedReason;
  }

  // --- messages ---

  pause(reason: string): void {
    this.pausedReason = reason;
    this.pauseTouched = true;
    this.woken = true;
  }

  resume(): void {
    this.pausedReason = null;
    this.pauseTouched = true;
    this.woken = true;
  }

  wake(reason: WakeReason): void {
    if (reason === 'manual_price' || reason === 'preorder') this.manualPending = true;
    this.woken = true;
  }

  configure(next: DemperConfig): DemperConfig {
    this.config = next;
    this.configKnown = true;
    this.woken = true;
    return next;
  }

  status(storeId: string): DemperStatus {
    return {
      storeId,
      state: this.paused ? 'paused' : 'running',
      pausedReason: this.pausedReason,
      cycle: this.cycle,
      lastCycle: this.lastCycle,
      nextCheckAt: this.paused ? null : this.nextCheck,
      breakers: this.liveBreakers(),
      config: this.config,
      pushesWithoutAvailabilities: this.pushesWithoutAvailabilities,
    };
  }

  // --- breakers ---

  liveBreakers(): Breaker[] {
    return breakerRules.liveBreakers(this.breakers, Date.now());
  }

  /** When `surface` opens again, or null while it is open. */
  blockedUntil(surface: breakerRules.Surface): number | null {
    return breakerRules.blockedUntil(this.breakers, surface, Date.now());
  }

  trip(surface: breakerRules.Surface, until: string, reason: string): void {
    this.breakers = breakerRules.trip(this.breakers, surface, until, reason, Date.now());
  }

  /** When the loop should look again (ms since the epoch); null: only when a message comes. */
  nextWakeMs(): number | null {
    return breakerRules.nextWakeMs(
      {
        paused: this.paused,
        manualPending: this.manualPending,
        nextCheckAt: this.nextCheck,
        intervalSeconds: this.config.intervalSeconds,
        breakers: this.breakers,
      },
      Date.now(),
    );
  }

  // --- what the activities report ---

  /**
   * Sets when the loop next looks at the products: when a check or a push says the next product is due,
   * or, after an activity failed for good (`failedAtMs`), a backoff that doubles per failure in a row.
   */
  planNextCheck(next: { nextDueAt: string | null } | { failedAtMs: number }): void {
    if (!('failedAtMs' in next)) {
      this.nextCheck = next.nextDueAt;
      return;
    }
    const backoffMs = Math.min(FAILURE_BACKOFF_MS * 2 ** (this.failuresInARow - 1), this.config.intervalSeconds * 1000);
    this.nextCheck = new Date(next.failedAtMs + backoffMs).toISOString();
  }

  activitySucceeded(): void {
    this.failuresInARow = 0;
  }

  /** An activity outlived its retries: counted against the cycle, and the loop backs off. */
  activityFailed(summary: CycleSummary): void {
    summary.errors++;
    this.failuresInARow++;
    this.planNextCheck({ failedAtMs: Date.now() });
  }

  /** A check batch's counts, the next product due, and the reads breaker it may have met. */
  recordCheck(summary: CycleSummary, result: CheckResult): void {
    summary.checked += result.checked;
    summary.heldAtFloor += result.heldAtFloor;
    summary.errors += result.errors;
    this.planNextCheck(result);
    if (this.config.dryRun) summary.changed += result.changed;
    if (result.readsBlockedUntil) {
      this.trip(
        'reads',
        result.readsBlockedUntil,
        'no storefront read capacity (the address is banned or every proxy is busy)',
      );
    }
  }

  /** A push step's counts, the write bucket it left, the next product due, and the writes breaker it may have met. */
  recordPush(summary: CycleSummary, result: PushResult): void {
    this.manualPending = false;
    this.bucket = result.bucket;
    this.planNextCheck(result);
    summary.changed += result.sent;
    summary.withoutAvailabilities = (summary.withoutAvailabilities ?? 0) + result.withoutAvailabilities;
    this.pushesWithoutAvailabilities += result.withoutAvailabilities;
    summary.deferred += result.deferred;
    summary.errors += result.failed;
    if (result.writesBlockedUntil) {
      this.trip('writes', result.writesBlockedUntil, result.writesBlockedReason ?? 'writes blocked');
    }
  }
}
