import { describe, expect, it } from 'vitest';
import { canaryWorkflow } from '../../src/workflows';
import { useTestContext, useTestWorker } from '../support/env';

describe('a workflow through the client and a real worker', () => {
  const ctx = useTestContext();
  useTestWorker(ctx);

  it('canaryWorkflow runs its activity against PostgreSQL and returns', async () => {
    const result = await ctx.temporal.workflow.execute(canaryWorkflow, {
      taskQueue: ctx.config.temporal.taskQueue,
      workflowId: `canary-${Date.now()}`,
    });
    expect(result.database.migrations).toBeGreaterThan(0);
    expect(Date.parse(result.database.serverTime)).not.toBeNaN();
    expect(Date.parse(result.workflowTime)).not.toBeNaN();
  });
});
