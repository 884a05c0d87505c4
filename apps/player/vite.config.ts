import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

/** Where `npm run dev` forwards API and signalling calls: the coordinator's default address. */
const COORDINATOR = 'http://127.0.0.1:8080';

/**
 * Lists the chunks named `names` as `<link rel="modulepreload">` in index.html. The session imports
 * hls.js dynamically (nothing of it is needed to evaluate the entry), but it needs it moments
 * later: preloaded, the ~580 kB are fetched and compiled while the entry's chunks are, instead of
 * after the entry ran.
 */
function preloadChunks(names: readonly string[]): Plugin {
  return {
    name: 'p2pcdn:preload-chunks',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        return Object.values(ctx.bundle ?? {})
          .filter((output) => output.type === 'chunk' && names.includes(output.name))
          .map((chunk) => ({
            tag: 'link',
            attrs: { rel: 'modulepreload', crossorigin: true, href: `/${chunk.fileName}` },
            injectTo: 'head' as const,
          }));
      },
    },
  };
}

export default defineConfig({
  base: '/',
  plugins: [react(), preloadChunks(['start', 'vendor', 'store', 'hls', 'hls-playback'])],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // hls.js is one ~580 kB chunk by itself; everything else is well below.
    chunkSizeWarningLimit: 700,
    rolldownOptions: {
      output: {
        // hls.js alone is ~400 kB; keeping it and the other libraries apart from the app code lets
        // browsers cache them across releases. hls.js and React are imported dynamically (the
        // session starts signalling first), so they are groups of their own, out of the entry's
        // static graph.
        codeSplitting: {
          groups: [
            { name: 'hls', test: /node_modules[\\/]hls\.js/, priority: 3 },
            // The early start's socket, evaluated before everything else (see src/main.tsx).
            {
              name: 'socket',
              test: /node_modules[\\/](socket\.io-client|socket\.io-parser|engine\.io-client|engine\.io-parser|@socket\.io|xmlhttprequest-ssl)[\\/]/,
              priority: 3,
            },
            // The store the session writes is React-free; only its React binding goes with React.
            { name: 'store', test: /node_modules[\\/]zustand[\\/]esm[\\/]vanilla/, priority: 3 },
            {
              name: 'react',
              test: /node_modules[\\/](react|react-dom|scheduler|zustand[\\/]esm[\\/]react)/,
              priority: 2,
            },
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
