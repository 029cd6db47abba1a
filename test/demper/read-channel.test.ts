import { describe, expect, it } from 'vitest';
import { createDirectReadChannel, type ReadGrant } from '../../src/proxies/read-channel';

const request = { userId: 'u', module: 'demper' as const, storeId: 's', reads: 2 };

describe('the direct read channel', () => {
  it('hands out slots on one clock, so stores reading at once share the rate', async () => {
    let now = 1_000;
    const channel = createDirectReadChannel({ readsPerSecond: 4, banPauseMs: 15_000, now: () => now });
    const first = await channel.acquire(request);
    const second = await channel.acquire({ ...request, reads: 1 });
    expect(first).toMatchObject({ kind: 'direct', maxReads: 2, readsPerSecond: 4, notBefore: new Date(1_000) });
    // Two reads at 4 a second take 500 ms: the next grant starts after them.
    expect(second).toMatchObject({ kind: 'direct', maxReads: 1, notBefore: new Date(1_500) });
    now = 10_000;
    expect(await channel.acquire(request)).toMatchObject({ notBefore: new Date(10_000) });
  });

  it('keeps every read back for the pause after a ban, then grants again', async () => {
    let now = 0;
    const channel = createDirectReadChannel({ readsPerSecond: 4, banPauseMs: 15_000, now: () => now });
    const grant = (await channel.acquire(request)) as Exclude<ReadGrant, { kind: 'wait' }>;
    await channel.report(grant, { ok: 1, failed: 0, banned: {} });
    expect(await channel.acquire(request)).toEqual({ kind: 'wait', until: new Date(15_000) });
    now = 14_999;
    expect((await channel.acquire(request)).kind).toBe('wait');
    now = 15_000;
    expect(await channel.acquire(request)).toMatchObject({ kind: 'direct', notBefore: new Date(15_000) });
  });

  it('honours a longer wait when Kaspi names one', async () => {
    const channel = createDirectReadChannel({ readsPerSecond: 4, banPauseMs: 1_000, now: () => 0 });
    const grant = (await channel.acquire(request)) as Exclude<ReadGrant, { kind: 'wait' }>;
    await channel.report(grant, { ok: 0, failed: 0, banned: { retryAfterMs: 30_000 } });
    expect(await channel.acquire(request)).toEqual({ kind: 'wait', until: new Date(30_000) });
  });
});
