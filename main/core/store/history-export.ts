/**
 * A conversation as a file the user keeps: Markdown to read, JSON to process. Times are UTC ISO
 * strings so an export reads the same wherever it is opened.
 */
import type { ChatMessage } from '../../../shared/chat.ts';
import type { Conversation, HistoryStore } from './history.ts';

export const CONVERSATION_EXPORT_FORMAT = 'lumi-conversation';

export class ExportError extends Error {}

const SPEAKER: Readonly<Record<ChatMessage['role'], string>> = {
  user: 'You',
  assistant: 'Assistant',
  system: 'System',
};

function load(store: HistoryStore, conversationId: string) {
  const conversation = store.conversation(conversationId);
  if (!conversation) throw new ExportError(`There is no conversation "${conversationId}".`);
  return { conversation, messages: store.messages(conversationId) };
}

const iso = (epochMs: number) => new Date(epochMs).toISOString();

function title(conversation: Conversation): string {
  return conversation.title?.trim() || `Conversation of ${iso(conversation.createdAt)}`;
}

/** Markdown: a heading, then one paragraph per line of the conversation. */
export function conversationToMarkdown(store: HistoryStore, conversationId: string): string {
  const { conversation, messages } = load(store, conversationId);
  const lines = [`# ${title(conversation)}`, '', `_${iso(conversation.createdAt)}_`, ''];
  for (const message of messages) {
    const emotion = message.emotion ? ` (${message.emotion})` : '';
    const kind = message.systemKind ? ` [${message.systemKind}]` : '';
    const text = message.text.replace(/\n/g, '  \n');
    if (message.role === 'system') {
      lines.push(`> **${SPEAKER.system}${kind}** · ${iso(message.createdAt)}: ${text}`, '');
    } else {
      lines.push(
        `**${SPEAKER[message.role]}**${emotion} · ${iso(message.createdAt)}`,
        '',
        text,
        '',
      );
    }
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/** JSON: the conversation and its messages exactly as stored. */
export function conversationToJson(store: HistoryStore, conversationId: string): string {
  const { conversation, messages } = load(store, conversationId);
  const document = { format: CONVERSATION_EXPORT_FORMAT, version: 1, conversation, messages };
  return `${JSON.stringify(document, null, 2)}\n`;
}
