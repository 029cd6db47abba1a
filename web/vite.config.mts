import fs from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

/**
 * The cabinet builds into `web/dist`, which the API serves at `/`. `npm run web:dev` runs Vite's dev
 * server with the API (started separately, `API_URL`, default http://localhost:3000) behind it.
 */
const api = process.env.API_URL ?? 'http://localhost:3000';

/**
 * Writes a Brotli and a gzip copy beside each script and stylesheet, once at build time, so the API
 * sends a merchant's phone a third of the bytes without compressing on every request.
 */
function precompress(): Plugin {
  return {
    name: 'precompress',
    apply: 'build',
    closeBundle() {
      const assets = path.join(__dirname, 'dist', 'assets');
      for (const name of fs.readdirSync(assets)) {
        if (!/\.(js|css)$/.test(name)) continue;
        const file = path.join(assets, name);
        const body = fs.readFileSync(file);
        fs.writeFileSync(`${file}.br`, brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
        fs.writeFileSync(`${file}.gz`, gzipSync(body, { level: 9 }));
      }
    },
  };
}

export default defineConfig({
  root: __dirname,
  plugins: [react(), precompress()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: { '/api': api, '/openapi.json': api, '/docs': api },
  },
});
