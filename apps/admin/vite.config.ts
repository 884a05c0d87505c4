import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The coordinator every dev request is forwarded to (it serves the built SPA at `/admin/`). */
const COORDINATOR = 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/admin/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    proxy: {
      '/socket.io': { target: COORDINATOR, ws: true, changeOrigin: true },
      '/api': { target: COORDINATOR, changeOrigin: true },
    },
  },
});
