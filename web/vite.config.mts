import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The cabinet builds into `web/dist`, which the API serves at `/`. `npm run web:dev` runs Vite's dev
 * server with the API (started separately, `API_URL`, default http://localhost:3000) behind it.
 */
const api = process.env.API_URL ?? 'http://localhost:3000';

export default defineConfig({
  root: __dirname,
  plugins: [react()],
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
