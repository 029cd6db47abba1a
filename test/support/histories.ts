import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

/**
 * Recorded workflow histories, committed as fixtures and replayed against the current workflow code
 * (`test/workflows/replay.test.ts`); `npm run histories:record` writes them. See CONTRIBUTING.md.
 *
 * Our payloads are encrypted by the codec with the run's keys, which rotate and must never be committed.
 * So a recorded history is decoded before it is written: its payloads are plain `json/plain` (what the
 * workflow code sees), and it replays with our failure converter and no codec. What the payloads hold is
 * the sandbox's made-up data, ids and counts; the recorder's secrets are the sentinels below, which must
 * appear in no fixture.
 */

/** Where the fixtures live. */
export const HISTORIES_DIR = path.resolve(__dirname, '../workflows/histories');

/** The secrets the recorder feeds the flows; a fixture holding any of them is refused (and fails the replay test). */
export const RECORDER_SECRETS = {
  password: 'SNT-recorder-password-4b1d',
  shopApiToken: 'SNT-recorder-shop-token-77c2',
  proxyPassword: 'SNT-recorder-proxy-password-90ae',
};

/** What the host name of the recording machine is replaced by (it is in the SMS login's worker task queue). */
export const RECORDER_HOST = 'recorder-host';

export interface HistoryFixture {
  /** Which workflow type and which moment of it the history shows. */
  workflowType: string;
  scenario: string;
  workflowId: string;
  history: unknown;
}

const decoder = new TextDecoder();

function isEncodedPayload(node: unknown): node is Payload {
  if (!node || typeof node !== 'object') return false;
  const encoding = (node as Payload).metadata?.[METADATA_ENCODING_KEY];
  return encoding instanceof Uint8Array && decoder.decode(encoding) === 'binary/encrypted';
}

/** Decodes, in place, every payload of a history the codec encrypted. */
export async function decodeHistory(history: temporal.api.history.v1.IHistory, codec: PayloadCodec): Promise<void> {
  const walk = async (node: unknown): Promise<void> => {
    if (!node || typeof node !== 'object' || node instanceof Uint8Array) return;
    for (const [key, value] of Object.entries(node)) {
      if (isEncodedPayload(value)) {
        const [plain] = await codec.decode([value]);
        (node as Record<string, unknown>)[key] = plain;
      } else {
        await walk(value);
      }
    }
  };
  await walk(history);
}

const History = temporal.api.history.v1.History;

/**
 * The fixture's text: the decoded history as protobuf's JSON object form (enums by name, bytes in
 * base64), the recording machine's host name replaced.
 */
export function fixtureText(
  fixture: Omit<HistoryFixture, 'history'>,
  history: temporal.api.history.v1.IHistory,
): string {
  const object = History.toObject(History.fromObject(history), { longs: String, enums: String, bytes: String });
  const json = JSON.stringify({ ...fixture, history: object }, null, 1);
  return json.split(os.hostname()).join(RECORDER_HOST) + '\n';
}

export function readFixtures(): { file: string; fixture: HistoryFixture; text: string }[] {
  return fs
    .readdirSync(HISTORIES_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const text = fs.readFileSync(path.join(HISTORIES_DIR, file), 'utf8');
      return { file, fixture: JSON.parse(text) as HistoryFixture, text };
    });
}

export function fixtureHistory(fixture: HistoryFixture): temporal.api.history.v1.History {
  return History.fromObject(fixture.history as Record<string, unknown>);
}

/** Every string and byte field of a history, bytes read as text, as someone reading the store would. */
export function textOf(node: unknown): string {
  if (node instanceof Uint8Array) return Buffer.from(node).toString('latin1');
  if (typeof node === 'string') return node;
  if (Array.isArray(node)) return node.map(textOf).join('\n');
  if (node && typeof node === 'object') return Object.values(node).map(textOf).join('\n');
  return String(node);
}

/** What must not be in a fixture: a recorder secret, or a payload still encrypted. */
export function forbiddenIn(history: temporal.api.history.v1.IHistory): string[] {
  const text = textOf(history);
  const found = Object.values(RECORDER_SECRETS).filter((secret) => text.includes(secret));
  if (text.includes('binary/encrypted')) found.push('an encrypted payload');
  return found;
}
