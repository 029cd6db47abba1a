import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { Keyring } from './crypto';

const ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
/** Marks payloads encrypted with the derived `temporal-payloads` key; older ones used the listed key itself. */
const KEY_DERIVATION = 'encryption-key-derivation';
const DERIVATION = 'hkdf-sha256/temporal-payloads/v1';

/** A payload decode will not take: not encrypted by us, or malformed. */
export class PayloadCodecError extends Error {}
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Encrypts every Temporal payload (inputs, results, signals, queries, updates, heartbeats, memos
 * and, with the failure converter, error messages) as a whole serialized proto, so workflow
 * history never holds our data in plain text. Decode refuses payloads that are not encrypted: a
 * plaintext payload put into a history from outside (over gRPC, without our key) is not taken as ours.
 */
export function createPayloadCodec(keyring: Keyring): PayloadCodec {
  return {
    async encode(payloads: Payload[]): Promise<Payload[]> {
      return payloads.map((payload) => {
        const { keyId, bytes } = keyring.encryptBytes(temporal.api.common.v1.Payload.encode(payload).finish());
        return {
          metadata: {
            [METADATA_ENCODING_KEY]: encoder.encode(ENCODING),
            [KEY_ID]: encoder.encode(keyId),
            [KEY_DERIVATION]: encoder.encode(DERIVATION),
          },
          data: bytes,
        };
      });
    },
    async decode(payloads: Payload[]): Promise<Payload[]> {
      return payloads.map((payload) => {
        const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
        if (!encoding || decoder.decode(encoding) !== ENCODING) {
          throw new PayloadCodecError('refusing a payload that is not encrypted');
        }
        const keyId = payload.metadata?.[KEY_ID];
        if (!keyId || !payload.data) throw new PayloadCodecError('encrypted payload without key id or data');
        const derivation = payload.metadata?.[KEY_DERIVATION];
        if (derivation && decoder.decode(derivation) !== DERIVATION)
          throw new PayloadCodecError('unknown key derivation');
        const plain = keyring.decryptBytes(decoder.decode(keyId), payload.data, { legacy: !derivation });
        return temporal.api.common.v1.Payload.decode(plain);
      });
    },
  };
}

export const ENCRYPTED_PAYLOAD_ENCODING = ENCODING;
