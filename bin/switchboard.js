#!/usr/bin/env node
// The `switchboard` command: runs the compiled CLI (`npm run build` makes dist/).
await import('../dist/src/cli/run.js');
