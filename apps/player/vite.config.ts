import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** Where `npm run dev` forwards API and signalling calls: the coordinator's default address. */
const COORDINATOR = 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // hls.js is one ~580 kB chunk by itself; everything else is well below.
    chunkSizeWarningLimit: 700,
    rolldownOptions: {
      output: {
        // hls.js alone is ~400 kB; keeping it and the other libraries apart from the app code lets
        // browsers cache them across releases.
        codeSplitting: {
          groups: [
            { name: 'hls', test: /node_modules[\\/]hls\.js/, priority: 2 },
            { name: 'vendor', test: /node_modules/, priority: 1 },
          ],
        },
      },
    },
  },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/api': { target: COORDINATOR, changeOrigin: true },
      '/socket.io': { target: COORDINATOR, ws: true, changeOrigin: true },
    },
  },
});
