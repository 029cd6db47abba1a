/**
 * A store's demper loop settings, as the merchant configures them (`PATCH /stores/:id/demper`) and the
 * loop's `configure` update applies them. Plain checks rather than a schema library, because the
 * workflow validates updates with them inside Temporal's sandbox.
 */

import { minuteOfDay, type WorkingHours } from './check-schedule';

export interface DemperConfig {
  /** A quiet product (rivals still) is checked this often. */
  intervalSeconds: number;
  /** A product whose rivals moved recently is checked this often. */
  hotIntervalSeconds: number;
  /** Price pushes per second for the merchant account (Kaspi bans above ≈3). */
  maxPushesPerSecond: number;
  /** Local hours in Asia/Almaty; null means around the clock. */
  workingHours: WorkingHours | null;
  /** Decide and record proposals, push nothing. */
  dryRun: boolean;
}

export const DEFAULT_DEMPER_CONFIG: DemperConfig = {
  intervalSeconds: 300,
  hotIntervalSeconds: 60,
  maxPushesPerSecond: 1.5,
  workingHours: null,
  dryRun: false,
};

/**
 * How old a decision may be and still be pushed: the hot interval (a fresher read would be due by
 * then), but never under 30 s, so a short interval does not throw away decisions that a slow read
 * channel or the push pace merely delayed. A check batch ends its reading after half of this.
 */
export function decisionMaxAgeSeconds(config: Pick<DemperConfig, 'hotIntervalSeconds'>): number {
  return Math.max(config.hotIntervalSeconds, 30);
}

export const DEMPER_CONFIG_LIMITS = {
  minIntervalSeconds: 5,
  maxIntervalSeconds: 24 * 60 * 60,
  /** About 2 pushes a second are safe; 3 bring a 30-minute ban of the merchant account. */
  maxPushesPerSecond: 2,
} as const;

export interface ConfigIssue {
  field: string;
  message: string;
}

export class DemperConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(`Invalid demper configuration: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}`);
    this.name = 'DemperConfigError';
  }
}

/** Everything wrong with a complete configuration; empty when it is valid. */
export function demperConfigIssues(config: DemperConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const { minIntervalSeconds, maxIntervalSeconds } = DEMPER_CONFIG_LIMITS;
  for (const field of ['intervalSeconds', 'hotIntervalSeconds'] as const) {
    const value = config[field];
    if (!Number.isInteger(value) || value < minIntervalSeconds || value > maxIntervalSeconds) {
      issues.push({
        field,
        message: `must be a whole number of seconds from ${minIntervalSeconds} to ${maxIntervalSeconds}`,
      });
    }
  }
  if (issues.length === 0 && config.hotIntervalSeconds > config.intervalSeconds) {
    issues.push({
      field: 'hotIntervalSeconds',
      message: `must not be longer than intervalSeconds (${config.intervalSeconds})`,
    });
  }
  const pushes = config.maxPushesPerSecond;
  if (typeof pushes !== 'number' || !(pushes > 0) || pushes > DEMPER_CONFIG_LIMITS.maxPushesPerSecond) {
    issues.push({
      field: 'maxPushesPerSecond',
      message: `must be above 0 and at most ${DEMPER_CONFIG_LIMITS.maxPushesPerSecond}`,
    });
  }
  if (config.workingHours !== null) {
    for (const end of ['from', 'to'] as const) {
      try {
        minuteOfDay(config.workingHours[end], end);
      } catch (error) {
        issues.push({ field: `workingHours.${end}`, message: (error as Error).message });
      }
    }
  }
  if (typeof config.dryRun !== 'boolean') issues.push({ field: 'dryRun', message: 'must be true or false' });
  return issues;
}

export function assertValidDemperConfig(config: DemperConfig): void {
  const issues = demperConfigIssues(config);
  if (issues.length > 0) throw new DemperConfigError(issues);
}

/** A stored (possibly partial, possibly old) configuration completed with the defaults. */
export function completeDemperConfig(stored: Partial<DemperConfig> | null | undefined): DemperConfig {
  const config = { ...DEFAULT_DEMPER_CONFIG };
  for (const key of Object.keys(DEFAULT_DEMPER_CONFIG) as (keyof DemperConfig)[]) {
    if (stored?.[key] !== undefined) Object.assign(config, { [key]: stored[key] });
  }
  return config;
}
