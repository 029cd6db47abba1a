import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/accounts/users';
import { createKeyring, newKeySpec } from '../../src/lib/crypto';
import { createPayloadCodec } from '../../src/lib/payload-codec';
import { subscriptionWorkflow } from '../../src/workflows';
import { cancelSignal, subscriptionStatusQuery, subscriptionWorkflowId } from '../../src/workflows/messages';
import { TEST_ENCRYPTION_KEYS } from '../support/secrets';
import { waitFor } from '../support/wait';
import { startTestWorker, testConfig, testContext, type RunningWorker, type TestContext } from '../support/env';

function payloadsOf(node: unknown, found: any[] = []): any[] {
  if (!node || typeof node !== 'object') return found;
  if (Array.isArray((node as any).payloads)) found.push(...(node as any).payloads);
  for (const value of Object.values(node)) payloadsOf(value, found);
  return found;
}

const keyIdOf = (payload: any) => Buffer.from(payload.metadata['encryption-key-id']).toString();

/**
 * Rotating ENCRYPTION_KEYS while a workflow runs: a subscription started under the old key is read,
 * signalled and finished by workers and clients that encrypt with the new key and keep the old one
 * for decoding. Histories are never re-encrypted, which is why the old key stays listed.
 */
describe('encryption key rotation mid-run', () => {
  const newKey = newKeySpec('rotated');
  let before: TestContext;
  let after: TestContext;
  let oldWorker: RunningWorker;
  let newWorker: RunningWorker | undefined;

  beforeAll(async () => {
    before = testContext();
    after = testContext(
      testConfig({
        TEMPORAL_TASK_QUEUE: before.config.temporal.taskQueue,
        ENCRYPTION_KEYS: `${newKey},${TEST_ENCRYPTION_KEYS}`,
      }),
    );
    oldWorker = await startTestWorker(before);
  });
  afterAll(async () => {
    await newWorker?.stop();
    await oldWorker.stop();
    await after.close();
    await before.close();
  });

  it('keeps a workflow that started before the rotation decodable and running', async () => {
    const user = await createUser(before.db, {
      email: `rotation-${randomUUID()}@example.kz`,
      password: 'long enough password',
    });
    const workflowId = subscriptionWorkflowId(user.id);
    await before.temporal.workflow.start(subscriptionWorkflow, {
      workflowId,
      taskQueue: before.config.temporal.taskQueue,
      args: [
        {
          userId: user.id,
          plan: 'free',
          periodEnd: new Date(Date.now() + 3_600_000).toISOString(),
          shortageRetrySeconds: 600,
        },
      ],
    });
    const oldHandle = before.temporal.workflow.getHandle(workflowId);
    await waitFor(
      'the subscription to be active',
      async () => (await oldHandle.query(subscriptionStatusQuery)).state === 'active',
    );

    // The rotation: old workers stop; new ones (and new clients) encrypt with the new key first.
    await oldWorker.stop();
    newWorker = await startTestWorker(after);
    const handle = after.temporal.workflow.getHandle(workflowId);
    // The new worker replays the whole history, written under the old key, to answer.
    expect(await handle.query(subscriptionStatusQuery)).toMatchObject({ userId: user.id, state: 'active' });
    await handle.signal(cancelSignal);
    expect(await handle.result()).toEqual({ userId: user.id, plan: 'free', endedBy: 'cancelled' });

    const history = await handle.fetchHistory();
    const keyIds = new Set(payloadsOf(history.events).map(keyIdOf));
    expect(keyIds).toEqual(new Set(['test1', 'rotated']));

    // Without the old key, the history's start no longer decodes: a retired key stays listed until then.
    const started = payloadsOf(history.events?.[0]);
    expect(started.length).toBeGreaterThan(0);
    await expect(createPayloadCodec(createKeyring(newKey)).decode(started)).rejects.toThrow(/no key "test1"/);
    await expect(createPayloadCodec(after.keyring).decode(started)).resolves.toHaveLength(started.length);
  });
});
