import type { Client } from '@temporalio/client';
import { sql } from 'drizzle-orm';
import type pg from 'pg';
import type { Db } from '../db';
import type { Config } from '../lib/config';
import { checkDatabase, checkTemporal, type DatabaseCheck, type TemporalCheck } from './health-checks';

/** The administrators' alerts of this many hours count as recent on the system screen. */
const RECENT_ALERT_HOURS = 24;
const LISTED_ALERTS = 10;

export interface AdminAlert {
  id: string;
  kind: string;
  message: string;
  link: string | null;
  createdAt: Date;
  /** Sent to the administrators' Telegram chats; undelivered when none is linked. */
  delivered: boolean;
}

export interface SystemStatus {
  database: DatabaseCheck;
  temporal: TemporalCheck;
  /** None when the database cannot be read (the database check says why). */
  alerts: { lastDay: number; undelivered: number; recent: AdminAlert[] } | null;
  /** Where the Temporal UI is, to link a store's workflows (`storeWorkflowsLink`). */
  temporalUi: { url: string; namespace: string };
}

/**
 * Administrators' alerts: how many came in the last day, how many no chat has received yet, and the
 * latest few. Alerts have no "resolved" state, so recent is what there is to tell.
 */
async function adminAlerts(db: Db): Promise<NonNullable<SystemStatus['alerts']>> {
  const [counts, recent] = await Promise.all([
    db.execute<{ last_day: number; undelivered: number }>(sql`
      select count(*) filter (where created_at > now() - make_interval(hours => ${RECENT_ALERT_HOURS}))::int as last_day,
        count(*) filter (where delivered_at is null)::int as undelivered
      from alerts where audience = 'admin'`),
    db.execute<{
      id: string;
      kind: string;
      message: string;
      link: string | null;
      created_at: string;
      delivered_at: string | null;
    }>(sql`
      select id, kind, message, link, created_at, delivered_at from alerts
      where audience = 'admin' order by created_at desc, id limit ${LISTED_ALERTS}`),
  ]);
  return {
    lastDay: counts.rows[0]?.last_day ?? 0,
    undelivered: counts.rows[0]?.undelivered ?? 0,
    recent: recent.rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      message: r.message,
      link: r.link,
      createdAt: new Date(r.created_at),
      delivered: r.delivered_at !== null,
    })),
  };
}

/** PostgreSQL, Temporal and its workers, and the recent alerts, checked side by side. */
export async function systemStatus(deps: {
  pool: pg.Pool;
  db: Db;
  temporal: Client;
  config: Pick<Config, 'temporal'>;
}): Promise<SystemStatus> {
  const [database, temporal, alerts] = await Promise.all([
    checkDatabase(deps.pool),
    checkTemporal(deps.temporal, deps.config),
    adminAlerts(deps.db).catch(() => null),
  ]);
  return {
    database,
    temporal,
    alerts,
    temporalUi: { url: deps.config.temporal.uiUrl, namespace: deps.config.temporal.namespace },
  };
}
