import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { Keyring } from './crypto';

const ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Encrypts every Temporal payload (inputs, results, signals, queries, updates, heartbeats, memos
 * and, with the failure converter, error messages) as a whole serialized proto, so workflow
 * history never holds our data in plain text. Unencrypted payloads pass through decode untouched.
 */
export function createPayloadCodec(keyring: Keyring): PayloadCodec {
  return {
    async encode(payloads: Payload[]): Promise<Payload[]> {
      return payloads.map((payload) => {
        const { keyId, bytes } = keyring.encryptBytes(temporal.api.common.v1.Payload.encode(payload).finish());
        return {
          metadata: { [METADATA_ENCODING_KEY]: encoder.encode(ENCODING), [KEY_ID]: encoder.encode(keyId) },
          data: bytes,
        };
      });
    },
    async decode(payloads: Payload[]): Promise<Payload[]> {
      return payloads.map((payload) => {
        const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
        if (!encoding || decoder.decode(encoding) !== ENCODING) return payload;
        const keyId = payload.metadata?.[KEY_ID];
        if (!keyId || !payload.data) throw new Error('encrypted payload without key id or data');
        const plain = keyring.decryptBytes(decoder.decode(keyId), payload.data);
        return temporal.api.common.v1.Payload.decode(plain);
      });
    },
  };
}

export const ENCRYPTED_PAYLOAD_ENCODING = ENCODING;
