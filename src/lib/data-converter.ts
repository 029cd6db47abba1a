import fs from 'node:fs';
import path from 'node:path';
import type { DataConverter } from '@temporalio/common';
import type { Keyring } from './crypto';
import { createPayloadCodec } from './payload-codec';

/** `.ts` under tsx and vitest, `.js` in the compiled build. */
export const FAILURE_CONVERTER_PATH = ['failure-converter.ts', 'failure-converter.js']
  .map((file) => path.join(__dirname, file))
  .find((file) => fs.existsSync(file))!;

/** The one data converter of every Temporal client and worker of ours. */
export function dataConverter(keyring: Keyring): DataConverter {
  return { payloadCodecs: [createPayloadCodec(keyring)], failureConverterPath: FAILURE_CONVERTER_PATH };
}
