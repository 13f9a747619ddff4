#!/usr/bin/env node
/** `lumi-cli` / `npm run cli`: see main/cli/main.ts. */
import { keepNativeOutputOffStdout } from './cli/native-stdout.ts';

// Before the CLI loads: this may re-execute the process (see native-stdout.ts).
keepNativeOutputOffStdout(process.argv.slice(2));
const { cliAudio } = await import('./cli/cli-audio.ts');
const { main } = await import('./cli/main.ts');

process.on('uncaughtException', (error) => {
  process.stderr.write(`lumi-cli: ${error.message}\n`);
  cliAudio.exit(1);
});

// The core's timers are unref'd (a pending retry must not keep an app alive), so the CLI holds
// the loop open itself until the conversation is over.
const keepAlive = setInterval(() => undefined, 60_000);
const code = await main(process.argv.slice(2));
process.exitCode = code;
clearInterval(keepAlive);
// Native audio threads can keep the loop alive after the conversation ended.
setTimeout(() => cliAudio.exit(code), 200).unref();
