/** `lumi-cli history search|export`: the conversations the CLI kept in its config folder. */
import { join } from 'node:path';
import { describeProblem } from '../../shared/problem-english.ts';
import {
  conversationToJson,
  conversationToMarkdown,
  ExportError,
} from '../core/store/history-export.ts';
import type { HistoryStore } from '../core/store/history.ts';
import { openHistory } from '../core/store/history-open.ts';
import { systemClock } from '../core/util/clock.ts';
import type { CliCommand } from './args.ts';
import { jsonLine, terminalSafe } from './terminal-text.ts';

export const HISTORY_FILE = 'history.sqlite';
const SEARCH_LIMIT = 50;

type HistoryCommand = Extract<CliCommand, { command: 'historySearch' | 'historyExport' }>;

/**
 * Open the CLI's history database (shared by talk runs and these commands). A damaged file is
 * moved aside and a folder that cannot hold it leaves the history off (history-open.ts); either
 * is said once on stderr.
 */
export function openCliHistory(configDir: string): HistoryStore {
  const opened = openHistory(join(configDir, HISTORY_FILE), systemClock);
  if (opened.problem !== null) {
    process.stderr.write(`lumi-cli: ${describeProblem(opened.problem)}\n`);
  }
  return opened.store;
}

export function historyCommand(command: HistoryCommand, configDir: string): number {
  const store = openCliHistory(configDir);
  try {
    if (command.command === 'historySearch') {
      const found = store.search(command.profile, command.query, SEARCH_LIMIT);
      for (const message of found) {
        if (command.json) {
          process.stdout.write(jsonLine(message));
        } else {
          const when = new Date(message.createdAt).toISOString().replace('T', ' ').slice(0, 16);
          const text = terminalSafe(message.text);
          process.stdout.write(
            `${when}  ${message.role.padEnd(9)} ${text}\n    (${terminalSafe(message.conversationId)})\n`,
          );
        }
      }
      if (!command.json && found.length === 0) process.stdout.write('No messages found.\n');
      return 0;
    }
    const text =
      command.format === 'md'
        ? conversationToMarkdown(store, command.conversation)
        : conversationToJson(store, command.conversation);
    process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    return 0;
  } catch (error) {
    if (error instanceof ExportError) {
      process.stderr.write(`lumi-cli: ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    store.close();
  }
}
