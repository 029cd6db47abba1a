import type { Random } from './random';

/**
 * Misbehaviour a test can ask an endpoint for:
 * - `5xx`: answer `status` (default 503);
 * - `malformed`: 200 with a truncated JSON body;
 * - `wrong_schema`: 200 with well-formed JSON in a shape no Kaspi endpoint answers (a contract change);
 * - `html`: 200 with the anti-bot interstitial page;
 * - `slow`: wait `delayMs` (default 30 s) before answering normally;
 * - `drop`: close the connection without answering;
 * - `401`: answer as if the session had expired;
 * - `429`: answer 429 with `Retry-After: retryAfterSeconds` (default 2).
 */
export const FAULT_KINDS = ['5xx', 'malformed', 'wrong_schema', 'html', 'slow', 'drop', '401', '429'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Sandbox endpoint names; the same names the client uses where they coincide. */
export const ENDPOINTS = [
  'offers',
  'reviews',
  'session',
  'graphql',
  'offer_list',
  'offer_details',
  'pricefeed',
  'pricefeed_batch',
  'price_list_upload',
  'orders',
  'order_entries',
  'login_api',
] as const;
export type EndpointName = (typeof ENDPOINTS)[number];

export interface FaultSpec {
  endpoint: EndpointName;
  kind: FaultKind;
  /** Fire for the next `times` matching requests (default: every request while it is installed). */
  times?: number;
  /** Fire with this probability per request instead (seeded, so reproducible). */
  probability?: number;
  status?: number;
  delayMs?: number;
  retryAfterSeconds?: number;
}

export interface Fault extends FaultSpec {
  id: number;
  fired: number;
}

export class Faults {
  private list: Fault[] = [];
  private nextId = 1;

  constructor(private readonly random: Random) {}

  add(spec: FaultSpec): Fault {
    const fault = { ...spec, id: this.nextId++, fired: 0 };
    this.list.push(fault);
    return fault;
  }

  remove(id: number): boolean {
    const before = this.list.length;
    this.list = this.list.filter((f) => f.id !== id);
    return this.list.length < before;
  }

  clear(): void {
    this.list = [];
  }

  all(): Fault[] {
    return this.list.map((f) => ({ ...f }));
  }

  /** The fault to apply to this request, if any; spends one of its `times`. */
  take(endpoint: EndpointName): Fault | undefined {
    for (const fault of this.list) {
      if (fault.endpoint !== endpoint) continue;
      if (fault.probability !== undefined && this.random.next() >= fault.probability) continue;
      fault.fired++;
      if (fault.times !== undefined && fault.fired >= fault.times) this.remove(fault.id);
      return fault;
    }
    return undefined;
  }
}
