#!/usr/bin/env node
/** `lumi-cli` / `npm run cli`: see main/cli/main.ts. */
import { main } from './cli/main.ts';

process.on('uncaughtException', (error) => {
  process.stderr.write(`lumi-cli: ${error.message}\n`);
  process.exit(1);
});

process.exitCode = await main(process.argv.slice(2));
// Native audio threads can keep the loop alive after the conversation ended.
setTimeout(() => process.exit(), 200).unref();
