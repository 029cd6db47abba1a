import type { Db } from '../db';
import { alerts } from '../db/schema';
import type { Logger } from '../lib/logger';

export type AlertAudience = { audience: 'admin' } | { audience: 'user'; userId: string };

export type Alert = AlertAudience & {
  /** Machine-readable, e.g. `proxy_dead`, `proxy_shortage`, `plan_downgraded`. */
  kind: string;
  message: string;
  /** Where to look: an API resource or a Temporal UI page. */
  link?: string;
};

/** Records an alert for delivery and logs it; the message must hold no secrets. */
export async function recordAlert(db: Db, logger: Logger, alert: Alert): Promise<void> {
  await db.insert(alerts).values({
    audience: alert.audience,
    userId: alert.audience === 'user' ? alert.userId : null,
    kind: alert.kind,
    message: alert.message,
    link: alert.link ?? null,
  });
  logger.warn(
    {
      alert: {
        audience: alert.audience,
        kind: alert.kind,
        userId: alert.audience === 'user' ? alert.userId : undefined,
      },
    },
    alert.message,
  );
}
