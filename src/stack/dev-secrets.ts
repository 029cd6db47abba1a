import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { newKeySpec } from '../lib/crypto';

/**
 * Secrets the embedded stack needs but a developer should not have to invent: generated once into
 * DATA_DIR/secrets.json (readable by the owner only) and reused, so tokens survive a restart.
 * Values already in the environment win. Production sets them explicitly.
 */
const GENERATED: Record<string, () => string> = {
  JWT_SECRET: () => randomBytes(32).toString('base64url'),
  ENCRYPTION_KEYS: () => newKeySpec('dev1'),
  CODEC_TOKEN: () => randomBytes(24).toString('base64url'),
};

export function devSecrets(dataDir: string, env: NodeJS.ProcessEnv): Record<string, string> {
  const file = path.join(dataDir, 'secrets.json');
  const saved: Record<string, string> = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  let changed = false;
  for (const [name, generate] of Object.entries(GENERATED)) {
    if (!saved[name]) {
      saved[name] = generate();
      changed = true;
    }
  }
  if (changed) fs.writeFileSync(file, JSON.stringify(saved, null, 2), { mode: 0o600 });
  return Object.fromEntries(Object.entries(saved).filter(([name]) => !env[name]));
}
