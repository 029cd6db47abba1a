import { z } from 'zod';
import type { ApiDeps } from '../app';
import { currentUser } from '../auth';
import { HttpError } from '../problem';
import type { ApiRouter } from '../routing';
import { IdParams } from '../schemas';
import { tenantScope } from '../tenancy';
import type { StreamEvent } from '../live/event-hub';

const LAST_EVENT_ID = /^\d{1,18}$/;

/** How soon a browser reconnects after the stream dropped, in milliseconds (sent as `retry:`). */
const RETRY_MS = 3_000;

const EventsQuery = z.strictObject({
  lastEventId: z
    .string()
    .regex(LAST_EVENT_ID, 'must be an event id')
    .optional()
    .meta({ description: 'Resume after this event (the `Last-Event-ID` header does the same and wins)' }),
});

export function eventRoutes(api: ApiRouter, deps: Pick<ApiDeps, 'db' | 'config' | 'events'>) {
  const open = new Map<string, number>();

  api.route(
    {
      method: 'get',
      path: '/stores/:id/events',
      summary: "The store's decisions and product changes as they happen (Server-Sent Events)",
      description:
        'A `text/event-stream`. `event: decision` carries a price decision (`StoreDecisionEvent`) when it is recorded and ' +
        'again when its status changes; `event: product` carries a product (`Product`) whose price, position, rival or ' +
        'state changed. Events that one write produced together (a check of many products) share an `id`, sent with ' +
        'the last of them; reconnect with `Last-Event-ID` (browsers do it by themselves) to get what was missed, for ' +
        'up to `EVENTS_KEEP_HOURS`. A comment line every `EVENTS_HEARTBEAT_SECONDS` keeps it ' +
        'open. At most `EVENTS_MAX_STREAMS_PER_USER` streams per merchant and API process (429 beyond); a stream ends ' +
        'when the token it was opened with expires.',
      tags: ['demper'],
      access: 'user',
      params: IdParams,
      query: EventsQuery,
      responses: {
        200: { description: 'The stream', contentType: 'text/event-stream', schema: z.string() },
        429: { description: 'Too many streams open; see Retry-After' },
      },
    },
    async ({ params, query }, req, res) => {
      const auth = currentUser(req);
      const store = await tenantScope(deps.db, auth.userId).store(params.id);
      const header = req.header('last-event-id');
      const resumeFrom = header && LAST_EVENT_ID.test(header) ? header : query.lastEventId;
      const streams = open.get(auth.userId) ?? 0;
      if (streams >= deps.config.events.maxStreamsPerUser) {
        throw new HttpError(429, `At most ${deps.config.events.maxStreamsPerUser} live streams at once; close one.`, {
          headers: { 'Retry-After': '10' },
        });
      }
      open.set(auth.userId, streams + 1);

      // Events of one statement share their id, written on the last of them only: a client cut off
      // amid them resumes from the id before and gets them all again.
      const send = (events: StreamEvent[]) => {
        events.forEach((e, i) => {
          const id = events[i + 1]?.id === e.id ? '' : `id: ${e.id}\n`;
          res.write(`${id}event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`);
        });
      };
      let unsubscribe: (() => void) | null = null;
      const timers: NodeJS.Timeout[] = [];
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        for (const timer of timers) clearTimeout(timer);
        unsubscribe?.();
        open.set(auth.userId, (open.get(auth.userId) ?? 1) - 1);
        if (open.get(auth.userId)! <= 0) open.delete(auth.userId);
      };
      res.on('close', end);
      try {
        // Subscribed before the head goes out: whatever is written once the client sees 200 is on its stream.
        const stop = await deps.events.subscribe(store.id, resumeFrom ? Number(resumeFrom) : null, {
          deliver: send,
          end: () => res.end(),
        });
        if (ended) return stop();
        unsubscribe = stop;
      } catch (error) {
        end();
        throw error;
      }
      // The hub delivers on a later turn of the event loop, so the head is always written first.
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache, no-transform',
        Connection: 'keep-alive',
        // Proxies such as nginx would otherwise hold the events back in a buffer.
        'X-Accel-Buffering': 'no',
      });
      res.write(`retry: ${RETRY_MS}\n\n`);
      timers.push(setInterval(() => res.write(': ping\n\n'), deps.config.events.heartbeatSeconds * 1000));
      if (auth.tokenExpiresAt)
        timers.push(setTimeout(() => res.end(), Math.max(0, auth.tokenExpiresAt.getTime() - Date.now())));
    },
  );
}
