import { waitFor } from './wait';

export interface ReceivedEvent {
  id: string | null;
  event: string;
  data: any;
}

/** A Server-Sent Events stream read as a test sees it: its events, its comment lines, its end. */
export interface OpenStream {
  status: number;
  headers: Headers;
  events: ReceivedEvent[];
  comments: string[];
  ended: boolean;
  next(what: string, match: (e: ReceivedEvent) => boolean, timeoutMs?: number): Promise<ReceivedEvent>;
  close(): void;
}

export async function openEventStream(url: string, headers: Record<string, string>): Promise<OpenStream> {
  const aborted = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: aborted.signal });
  const stream: OpenStream = {
    status: res.status,
    headers: res.headers,
    events: [],
    comments: [],
    ended: false,
    async next(what, match, timeoutMs = 15_000) {
      return waitFor(what, () => stream.events.find(match), timeoutMs);
    },
    close: () => aborted.abort(),
  };
  if (res.status !== 200 || !res.body) return stream;
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields: Record<string, string> = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) stream.comments.push(line.slice(1).trim());
            else {
              const at = line.indexOf(':');
              fields[line.slice(0, at)] = line.slice(at + 1).trimStart();
            }
          }
          if (fields.data !== undefined)
            stream.events.push({
              id: fields.id ?? null,
              event: fields.event ?? 'message',
              data: JSON.parse(fields.data),
            });
        }
      }
    } catch {
      // Aborted by the test.
    }
    stream.ended = true;
  })();
  return stream;
}
