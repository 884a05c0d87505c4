#!/usr/bin/env node
// Launcher for the relay CLI: registers tsx so the TypeScript sources run as they are, which keeps
// `npx p2pcdn-relay` working from this repository without a build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
