/** `npm run settings:docs`: writes `.env.example` and the README's settings table from `src/lib/settings.ts`. */
import fs from 'node:fs';
import path from 'node:path';
import { envExample, readmeWithSettingsTable } from './settings-docs-source';

const root = path.resolve(__dirname, '..');
const envFile = path.join(root, '.env.example');
const readmeFile = path.join(root, 'README.md');

fs.writeFileSync(envFile, envExample());
fs.writeFileSync(readmeFile, readmeWithSettingsTable(fs.readFileSync(readmeFile, 'utf8')));
console.log('wrote .env.example and the settings table of README.md');
