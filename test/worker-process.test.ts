import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { canaryWorkflow } from '../src/workflows';
import { exited, spawnEntry } from './support/processes';
import { testConfig, testContext } from './support/env';

async function waitFor(check: () => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the worker process', () => {
  it('serves workflows, then stops cleanly on SIGTERM', async () => {
    const taskQueue = `test-${randomUUID()}`;
    const ctx = testContext(testConfig({ TEMPORAL_TASK_QUEUE: taskQueue }));
    const worker = spawnEntry('src/worker.ts', {
      DATABASE_URL: inject('databaseUrl'),
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: taskQueue,
    });
    try {
      await waitFor(() => worker.output().includes('worker polling') || worker.exitCode !== null, 60_000);
      const result = await ctx.temporal.workflow.execute(canaryWorkflow, {
        taskQueue,
        workflowId: `canary-${randomUUID()}`,
      });
      expect(result.database.migrations).toBeGreaterThan(0);

      worker.kill('SIGTERM');
      expect(await exited(worker)).toBe(0);
      expect(worker.output()).toContain('worker stopped');
    } finally {
      if (worker.exitCode === null) worker.kill('SIGKILL');
      await ctx.close();
    }
  });
});
