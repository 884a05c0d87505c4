import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** Where `npm run dev` forwards API and signalling calls: the coordinator's default address. */
const COORDINATOR = 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/api': { target: COORDINATOR, changeOrigin: true },
      '/socket.io': { target: COORDINATOR, ws: true, changeOrigin: true },
    },
  },
});
