/** `lumi-cli history search|export`: the conversations the CLI kept in its config folder. */
import { join } from 'node:path';
import {
  conversationToJson,
  conversationToMarkdown,
  ExportError,
} from '../core/store/history-export.ts';
import { HistoryStore } from '../core/store/history.ts';
import type { CliCommand } from './args.ts';

export const HISTORY_FILE = 'history.sqlite';
const SEARCH_LIMIT = 50;

type HistoryCommand = Extract<CliCommand, { command: 'historySearch' | 'historyExport' }>;

/** Open the CLI's history database (shared by talk runs and these commands). */
export function openCliHistory(configDir: string): HistoryStore {
  return new HistoryStore(join(configDir, HISTORY_FILE));
}

export function historyCommand(command: HistoryCommand, configDir: string): number {
  let store: HistoryStore;
  try {
    store = openCliHistory(configDir);
  } catch (error) {
    process.stderr.write(`lumi-cli: cannot open the history: ${(error as Error).message}\n`);
    return 1;
  }
  try {
    if (command.command === 'historySearch') {
      const found = store.search(command.profile, command.query, SEARCH_LIMIT);
      for (const message of found) {
        if (command.json) {
          process.stdout.write(`${JSON.stringify(message)}\n`);
        } else {
          const when = new Date(message.createdAt).toISOString().replace('T', ' ').slice(0, 16);
          process.stdout.write(
            `${when}  ${message.role.padEnd(9)} ${message.text}\n    (${message.conversationId})\n`,
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
