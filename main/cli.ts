#!/usr/bin/env node
/** `lumi-cli` / `npm run cli`: see main/cli/main.ts. */
import { main } from './cli/main.ts';

process.on('uncaughtException', (error) => {
  process.stderr.write(`lumi-cli: ${error.message}\n`);
  process.exit(1);
});

// The core's timers are unref'd (a pending retry must not keep an app alive), so the CLI holds
// the loop open itself until the conversation is over.
const keepAlive = setInterval(() => undefined, 60_000);
process.exitCode = await main(process.argv.slice(2));
clearInterval(keepAlive);
// Native audio threads can keep the loop alive after the conversation ended.
setTimeout(() => process.exit(), 200).unref();
