#!/usr/bin/env node
// The `switchboard` command: runs the built CLI (`npm run build` compiles and bundles it into dist/bundle/).
await import('../dist/bundle/cli/run.js');
