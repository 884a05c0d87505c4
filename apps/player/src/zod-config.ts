import { config } from 'zod';

/**
 * Zod runs interpreted in the page (`jitless`): otherwise it compiles a parser with `new Function`
 * the first time each object schema is used, which put tens of milliseconds of compiling on the
 * startup path (every protocol message type is first seen then), for a saving per parse that a
 * player handling a few messages a second never earns back. It also keeps the page working under a
 * Content-Security-Policy without 'unsafe-eval'. Imported by `main.tsx` before anything that
 * defines schemas: zod reads the setting when a schema is created.
 */
config({ jitless: true });
