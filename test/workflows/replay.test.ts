import { Runtime, Worker, type ReplayWorkerOptions } from '@temporalio/worker';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../src/lib/logger';
import { temporalLogger } from '../../src/lib/temporal';
import { FAILURE_CONVERTER_PATH } from '../../src/lib/data-converter';
import * as workflows from '../../src/workflows';
import { testConfig } from '../support/env';
import { fixtureHistory, forbiddenIn, readFixtures } from '../support/histories';

/**
 * Every committed history (test/workflows/histories, written by `npm run histories:record`) replays
 * against today's workflow code: a change that would break a running workflow's determinism fails here.
 * CONTRIBUTING.md says how to change a workflow safely (patching) and how to refresh the fixtures.
 */
const fixtures = readFixtures();

const replayOptions = (): ReplayWorkerOptions => ({
  workflowBundle: { codePath: inject('workflowBundlePath') },
  // Fixtures are stored decoded (see test/support/histories.ts): no codec, our failure converter.
  dataConverter: { failureConverterPath: FAILURE_CONVERTER_PATH },
  replayName: 'committed-histories',
});

describe('committed workflow histories', () => {
  beforeAll(() => {
    // The SDK's own logs (the deliberate nondeterminism below warns) go to the test logger, silent by default.
    Runtime.install({
      logger: temporalLogger(createLogger(testConfig(), 'replay')),
      shutdownSignals: [],
      telemetryOptions: { logging: { forward: {} } },
    });
  });

  it('cover every workflow type, each without a secret or an encrypted payload', () => {
    expect(new Set(fixtures.map((f) => f.fixture.workflowType))).toEqual(new Set(Object.keys(workflows)));
    for (const { file, fixture } of fixtures) expect(forbiddenIn(fixtureHistory(fixture)), file).toEqual([]);
  });

  it('replay against the current workflow code without a determinism error', async () => {
    const histories = fixtures.map(({ fixture }) => ({
      workflowId: fixture.workflowId,
      history: fixtureHistory(fixture),
    }));
    const results: { workflowId: string; error?: unknown }[] = [];
    for await (const result of Worker.runReplayHistories(replayOptions(), histories)) results.push(result);
    expect(results.map((r) => r.workflowId)).toEqual(fixtures.map((f) => f.fixture.workflowId));
    // Every fixture that fails is named at once, not only the first.
    expect(
      results.flatMap((r, i) =>
        r.error ? [`${fixtures[i]!.file}: ${String((r.error as Error).message).slice(0, 300)}`] : [],
      ),
    ).toEqual([]);
  });

  it('catch a history the code would not make: the demper loop replayed as another workflow type', async () => {
    const { fixture } = fixtures.find((f) => f.fixture.workflowType === 'demperWorkflow')!;
    const history = fixtureHistory(fixture);
    history.events![0]!.workflowExecutionStartedEventAttributes!.workflowType!.name = 'catalogSyncWorkflow';
    await expect(Worker.runReplayHistory(replayOptions(), history, fixture.workflowId)).rejects.toThrow(
      /[Nn]ondetermin|DeterminismViolation/,
    );
  });
});
