import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createUser } from '../../src/accounts/users';
import { kaspiStores } from '../../src/db/schema';
import { checkSession } from '../../src/kaspi';
import { createLoginBrowser } from '../../src/logins/browser';
import { LOGIN_LOCK_BUSY, withLoginLock } from '../../src/logins/lock';
import { reloginStore } from '../../src/stores/relogin';
import { readStoreSession } from '../../src/stores/session';
import { storeSessionCheckWorkflowId } from '../../src/workflows/messages';
import { call, registerMerchant, uniqueEmail, type Merchant } from '../support/http';
import { seedStore } from '../support/seed';
import { OUR_UID, OWNER } from '../support/sandbox';
import { useConnectStack } from '../support/connect';

const stack = useConnectStack();

async function connectWithPassword(merchant: Merchant) {
  const reply = await call(stack.api.url, 'POST', '/api/v1/stores/connect/password', {
    token: merchant.token,
    body: { email: OWNER.email, password: OWNER.password, remember: true },
  });
  expect(reply.status, reply.text).toBe(201);
  return reply.body.stores[0] as { id: string; sessionVerifiedAt: string };
}

const checkNow = (merchant: Merchant, storeId: string) =>
  call(stack.api.url, 'POST', `/api/v1/stores/${storeId}/session/check`, { token: merchant.token });

describe('keeping sessions alive', () => {
  it('renews a refused session with the remembered password, from an activity', async () => {
    const merchant = await registerMerchant(stack.api.url, 'relogin');
    const store = await connectWithPassword(merchant);
    const before = await readStoreSession(stack.ctx.db, stack.ctx.keyring, store.id);
    expect(stack.sandbox.auth.expireSessions({ merchantUid: OUR_UID })).toBeGreaterThan(0);

    const reply = await checkNow(merchant, store.id);
    expect(reply.status, reply.text).toBe(200);
    expect(reply.body).toMatchObject({
      id: store.id,
      sessionState: 'active',
      autoRelogin: true,
      demperPausedReason: null,
    });
    expect(Date.parse(reply.body.sessionVerifiedAt)).toBeGreaterThan(Date.parse(store.sessionVerifiedAt));
    const result = await stack.ctx.temporal.workflow.getHandle(storeSessionCheckWorkflowId(store.id)).result();
    expect(result).toEqual({ sessionState: 'active', renewed: true });

    const after = await readStoreSession(stack.ctx.db, stack.ctx.keyring, store.id);
    expect(after!.cookies['mc-session']).not.toBe(before!.cookies['mc-session']);
    expect(await checkSession({ urls: stack.sandbox.urls, session: after! })).toEqual({ merchantUids: [OUR_UID] });
  });

  it('without a remembered password the store needs the merchant, and reconnecting brings it back', async () => {
    const merchant = await registerMerchant(stack.api.url, 'reauth');
    const session = stack.sandbox.auth.createSession([OUR_UID]);
    const cookies = { mcSession: session.mcSession, mcSid: session.mcSid };
    const connected = await call(stack.api.url, 'POST', '/api/v1/stores/connect/cookies', {
      token: merchant.token,
      body: { cookies },
    });
    const storeId = connected.body.stores[0].id as string;
    stack.sandbox.auth.expireSessions({ mcSession: session.mcSession });

    const checked = await checkNow(merchant, storeId);
    expect(checked.status).toBe(200);
    expect(checked.body).toMatchObject({ sessionState: 'needs_reauth', demperPausedReason: 'needs_reauth' });

    const fresh = stack.sandbox.auth.createSession([OUR_UID]);
    const back = await call(stack.api.url, 'POST', '/api/v1/stores/connect/cookies', {
      token: merchant.token,
      body: { cookies: `mc-session=${fresh.mcSession}; mc-sid=${fresh.mcSid}` },
    });
    expect(back.body.stores).toEqual([
      expect.objectContaining({ id: storeId, sessionState: 'active', demperPausedReason: null }),
    ]);
    expect((await checkNow(merchant, storeId)).body.sessionState).toBe('active');
  });

  it('logs one merchant in once when two re-logins race', async () => {
    const merchant = await registerMerchant(stack.api.url, 'relogin-race');
    const store = await connectWithPassword(merchant);
    stack.sandbox.auth.expireSessions({ merchantUid: OUR_UID });
    const sessionsBefore = stack.sandbox.auth.sessions.size;

    const browser = createLoginBrowser({ ...stack.ctx.config.browser, logger: stack.ctx.logger });
    try {
      const deps = { ...stack.ctx, browser };
      expect(await Promise.all([reloginStore(deps, store.id), reloginStore(deps, store.id)])).toEqual([
        { status: 'ok' },
        { status: 'ok' },
      ]);
    } finally {
      await browser.close();
    }
    expect(stack.sandbox.auth.sessions.size).toBe(sessionsBefore + 1);
  });

  it('answers no_credentials for a store that remembers no password', async () => {
    const user = await createUser(stack.ctx.db, { email: uniqueEmail(), password: 'long enough password' });
    const store = await seedStore(stack.ctx.db, user.id);
    const browser = createLoginBrowser({ ...stack.ctx.config.browser, logger: stack.ctx.logger });
    expect(await reloginStore({ ...stack.ctx, browser }, store.id)).toEqual({ status: 'no_credentials' });
    await browser.close();
    const [row] = await stack.ctx.db.select().from(kaspiStores).where(eq(kaspiStores.id, store.id));
    expect(row!.sessionState).toBe('active');
  });
});

describe('the per-merchant login lock', () => {
  it('lets one holder in at a time per merchant, and other merchants through', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const first = withLoginLock(
      stack.ctx.db,
      'lock-test-A',
      async () => {
        entered();
        await held;
        return 'first';
      },
      { waitMs: 10_000 },
    );
    await inside;

    expect(await withLoginLock(stack.ctx.db, 'lock-test-A', async () => 'second', { waitMs: 300 })).toBe(
      LOGIN_LOCK_BUSY,
    );
    expect(await withLoginLock(stack.ctx.db, 'lock-test-B', async () => 'other', { waitMs: 300 })).toBe('other');

    const waiting = withLoginLock(stack.ctx.db, 'lock-test-A', async () => 'after', { waitMs: 10_000 });
    release();
    expect(await first).toBe('first');
    expect(await waiting).toBe('after');
  });
});
