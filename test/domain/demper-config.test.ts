import { describe, expect, it } from 'vitest';
import {
  assertValidDemperConfig,
  completeDemperConfig,
  decisionMaxAgeSeconds,
  DEFAULT_DEMPER_CONFIG,
  DemperConfigError,
  demperConfigIssues,
} from '../../src/domain/demper-config';

describe('demper configuration', () => {
  it('completes what a store saved with the defaults', () => {
    expect(completeDemperConfig({})).toEqual(DEFAULT_DEMPER_CONFIG);
    expect(completeDemperConfig(null)).toEqual(DEFAULT_DEMPER_CONFIG);
    expect(completeDemperConfig({ intervalSeconds: 5, dryRun: true })).toEqual({
      ...DEFAULT_DEMPER_CONFIG,
      intervalSeconds: 5,
      dryRun: true,
    });
  });

  it('accepts intervals as short as 5 s and working hours that span midnight', () => {
    expect(
      demperConfigIssues({
        intervalSeconds: 5,
        hotIntervalSeconds: 5,
        maxPushesPerSecond: 2,
        workingHours: { from: '22:00', to: '06:00' },
        dryRun: false,
      }),
    ).toEqual([]);
  });

  it('names every field that is wrong', () => {
    const fields = (config: object) => demperConfigIssues({ ...DEFAULT_DEMPER_CONFIG, ...config }).map((i) => i.field);
    expect(fields({ intervalSeconds: 4 })).toEqual(['intervalSeconds']);
    expect(fields({ intervalSeconds: 7.5 })).toEqual(['intervalSeconds']);
    expect(fields({ intervalSeconds: 60, hotIntervalSeconds: 120 })).toEqual(['hotIntervalSeconds']);
    expect(fields({ maxPushesPerSecond: 0 })).toEqual(['maxPushesPerSecond']);
    expect(fields({ maxPushesPerSecond: 3 })).toEqual(['maxPushesPerSecond']);
    expect(fields({ workingHours: { from: '9:00', to: '24:00' } })).toEqual(['workingHours.from', 'workingHours.to']);
    expect(() => assertValidDemperConfig({ ...DEFAULT_DEMPER_CONFIG, hotIntervalSeconds: 1 })).toThrow(
      DemperConfigError,
    );
  });

  it('lets a decision wait as long as the hot interval, and never less than 30 s, before it is too old to push', () => {
    expect(decisionMaxAgeSeconds({ hotIntervalSeconds: 60 })).toBe(60);
    expect(decisionMaxAgeSeconds({ hotIntervalSeconds: 5 })).toBe(30);
  });
});
