/** Vite builds the console into web/dist, served by the gateway at /console/ (npm run -s build:web). */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  // React's automatic JSX runtime, without a plugin: the console needs no fast refresh to be built.
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 800 },
  server: { fs: { allow: ['..'] } },
});
