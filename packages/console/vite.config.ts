import { defineConfig } from 'vite';

// The console is served by @sdr/server under /console/. Preact's JSX is compiled by esbuild
// (Vite's own), so no Babel preset is needed; `pnpm dev` proxies the API to a running server.
export default defineConfig({
  base: '/console/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: true },
  server: {
    proxy: Object.fromEntries(
      ['/v1', '/openapi.json', '/readyz'].map((path) => [path, { target: process.env['SDR_URL'] ?? 'http://127.0.0.1:3000' }]),
    ),
  },
});
