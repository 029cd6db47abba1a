import { useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { api } from '../api/client';
import { FEED_SIZE, mergeDecisions, type LiveDecision } from './feed';
import { applyProductUpdate } from './products';

export type LiveStatus = 'connecting' | 'live' | 'offline';

interface LiveEvents {
  status: LiveStatus;
  /** Newest first, at most `FEED_SIZE`. */
  decisions: LiveDecision[];
}

/** Decisions read when the feed opens, and again every `RECONCILE_MS`. */
const BACKFILL = 30;
/**
 * How often the feed is compared with the server: an event whose transaction committed after a
 * later one was read can be passed over by the stream, and a decision would then stay "pending" on
 * screen until a reload.
 */
const RECONCILE_MS = 15_000;

/** After the stream fails for good (the server was away), wait this long, doubling up to the cap. */
/**
 * A product's change may move it between the store's counts (first, at the floor, …): they are asked
 * again this long after the first change of a burst, once for all of a check's products.
 */
const COUNTS_REFRESH_MS = 1_000;
const RETRY_MS = 2_000;
const RETRY_CAP_MS = 30_000;

const LiveEventsContext = createContext<LiveEvents>({ status: 'offline', decisions: [] });

interface StoreLiveEvents extends LiveEvents {
  storeId: string | null;
}

export function useLiveEvents(): LiveEvents {
  return useContext(LiveEventsContext);
}

/**
 * One Server-Sent Events stream per store while the cabinet is open: decisions feed the activity list
 * and product rows are replaced in place. The browser resumes a dropped stream by itself with
 * `Last-Event-ID`; when the server refused or was down, the stream is opened again with backoff.
 * The state belongs to one store: another store starts from an empty feed.
 */
export function LiveEventsProvider({ storeId, children }: { storeId: string | null; children: ReactNode }) {
  const client = useQueryClient();
  const fresh = (id: string | null): StoreLiveEvents => ({
    storeId: id,
    status: id ? 'connecting' : 'offline',
    decisions: [],
  });
  const [stored, setStored] = useState<StoreLiveEvents>(() => fresh(storeId));
  const state = stored.storeId === storeId ? stored : fresh(storeId);

  useEffect(() => {
    if (!storeId) return;
    const setState = (change: (s: StoreLiveEvents) => StoreLiveEvents) =>
      setStored((s) => change(s.storeId === storeId ? s : fresh(storeId)));
    let source: EventSource | null = null;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let countsTimer: ReturnType<typeof setTimeout> | undefined;
    let delay = RETRY_MS;
    let closed = false;

    const open = () => {
      source = new EventSource(`/api/v1/stores/${storeId}/events`);
      source.onopen = () => {
        delay = RETRY_MS;
        setState((s) => ({ ...s, status: 'live' }));
      };
      source.onerror = () => {
        if (closed || !source) return;
        if (source.readyState === EventSource.CLOSED) {
          setState((s) => ({ ...s, status: 'offline' }));
          retryTimer = setTimeout(open, delay);
          delay = Math.min(delay * 2, RETRY_CAP_MS);
        } else {
          setState((s) => ({ ...s, status: 'connecting' }));
        }
      };
      source.addEventListener('decision', (event) => {
        const decision = JSON.parse((event as MessageEvent<string>).data) as LiveDecision;
        // A decision is told again when its status changes (pending → sent): it keeps its place.
        setState((s) => ({
          ...s,
          decisions: s.decisions.some((d) => d.id === decision.id)
            ? s.decisions.map((d) => (d.id === decision.id ? decision : d))
            : [decision, ...s.decisions].slice(0, FEED_SIZE),
        }));
        void client.invalidateQueries({ queryKey: ['price-changes', decision.productId] });
      });
      source.addEventListener('product', (event) => {
        applyProductUpdate(client, JSON.parse((event as MessageEvent<string>).data));
        countsTimer ??= setTimeout(() => {
          countsTimer = undefined;
          void client.invalidateQueries({ queryKey: ['overview', storeId] });
        }, COUNTS_REFRESH_MS);
      });
    };
    open();
    // The latest decisions, so the feed does not start empty and catches up on any status the
    // stream passed over; live ones that came meanwhile stay first.
    const reconcile = () =>
      api
        .GET('/api/v1/stores/{id}/decisions', { params: { path: { id: storeId }, query: { limit: BACKFILL } } })
        .then(({ data: page }) => {
          if (closed || !page) return;
          setState((s) => ({ ...s, decisions: mergeDecisions(s.decisions, page.items) }));
        })
        .catch(() => undefined);
    void reconcile();
    const reconcileTimer = setInterval(() => void reconcile(), RECONCILE_MS);
    return () => {
      closed = true;
      clearTimeout(retryTimer);
      clearTimeout(countsTimer);
      clearInterval(reconcileTimer);
      source?.close();
    };
  }, [storeId, client]);

  return <LiveEventsContext.Provider value={state}>{children}</LiveEventsContext.Provider>;
}
