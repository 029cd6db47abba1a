import fs from 'node:fs';
import path from 'node:path';
import { webClientSource } from './web-client-source';

/** `npm run web:client`: writes the cabinet's API types from the API's own OpenAPI document. */
const target = path.resolve(__dirname, '../web/src/api/schema.d.ts');
webClientSource()
  .then((source) => {
    fs.writeFileSync(target, source);
    console.log(`wrote ${path.relative(process.cwd(), target)}`);
    process.exit(0);
  })
  .catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
