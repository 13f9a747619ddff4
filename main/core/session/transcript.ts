/**
 * Builds the conversation's ChatMessages from session happenings, so the window, the CLI and
 * the history store all see the same lines. Each change is one `messageUpserted`.
 */
import type { TurnTimings } from '../../../shared/assistant.ts';
import type { ChatMessage, MessageStatus, SystemKind } from '../../../shared/chat.ts';
import type { OutboxItem } from '../../../shared/session-events.ts';
import type { Clock } from '../util/clock.ts';

export class Transcript {
  readonly #clock: Clock;
  readonly #newId: () => string;
  readonly #emit: (message: ChatMessage) => void;
  readonly #newConversationId: () => string;
  /** Started lazily, with the first line, so an app start alone leaves no empty conversation. */
  #conversationId: string | null = null;
  #messages = new Map<string, ChatMessage>();

  constructor(
    clock: Clock,
    newId: () => string,
    emit: (message: ChatMessage) => void,
    newConversationId: () => string = newId,
  ) {
    this.#clock = clock;
    this.#newId = newId;
    this.#emit = emit;
    this.#newConversationId = newConversationId;
  }

  get conversationId(): string {
    this.#conversationId ??= this.#newConversationId();
    return this.#conversationId;
  }

  /** The server ended the session: what follows is a new conversation. */
  startNewConversation(): void {
    this.#conversationId = null;
    this.#messages.clear();
  }

  /** A typed message, keyed by its outbox id so status changes update the same line. */
  typed(item: OutboxItem): ChatMessage {
    const existing = this.#messages.get(item.id);
    return this.#put({
      ...(existing ?? this.#blank(item.id, 'user', item.createdAt)),
      text: item.text,
      status: item.status,
    });
  }

  /** What the server heard the user say. */
  transcribed(text: string): ChatMessage {
    return this.#put({ ...this.#blank(this.#newId(), 'user'), text, status: 'done' });
  }

  /** Open an assistant reply; sentences are appended as they start. */
  openReply(): string {
    const id = this.#newId();
    this.#put({ ...this.#blank(id, 'assistant'), status: 'streaming' });
    return id;
  }

  appendSentence(replyId: string, sentence: string): void {
    const reply = this.#messages.get(replyId);
    if (!reply) return;
    this.#put({
      ...reply,
      text: reply.text ? `${reply.text}${joiner(reply.text)}${sentence}` : sentence,
    });
  }

  setEmotion(replyId: string, emotion: string): void {
    const reply = this.#messages.get(replyId);
    if (reply) this.#put({ ...reply, emotion });
  }

  closeReply(replyId: string, timings: TurnTimings | null, status: MessageStatus = 'done'): void {
    const reply = this.#messages.get(replyId);
    if (reply) this.#put({ ...reply, status, timings });
  }

  /** A message the server pushed into the conversation (`message.new`). */
  pushed(text: string): ChatMessage {
    return this.#put({ ...this.#blank(this.#newId(), 'assistant'), text, status: 'done' });
  }

  system(kind: SystemKind, text: string): ChatMessage {
    return this.#put({
      ...this.#blank(this.#newId(), 'system'),
      systemKind: kind,
      text,
      status: 'done',
    });
  }

  #blank(id: string, role: ChatMessage['role'], createdAt = this.#clock.now()): ChatMessage {
    return {
      id,
      conversationId: this.conversationId,
      role,
      text: '',
      emotion: null,
      status: 'done',
      createdAt,
      updatedAt: createdAt,
      systemKind: null,
      timings: null,
    };
  }

  #put(message: ChatMessage): ChatMessage {
    const stamped = { ...message, updatedAt: this.#clock.now() };
    this.#messages.set(stamped.id, stamped);
    // Keep only lines that can still change: open replies and typed text in flight.
    if (this.#messages.size > 200) this.#forgetSettled();
    this.#emit(stamped);
    return stamped;
  }

  #forgetSettled(): void {
    for (const [id, message] of this.#messages) {
      if (message.status === 'done' || message.status === 'sent') this.#messages.delete(id);
      if (this.#messages.size <= 100) return;
    }
  }
}

/** Chinese sentences join without a space; Latin ones with one. */
function joiner(previous: string): string {
  return /[\u3000-\u9fff\uff00-\uffef]$/.test(previous) ? '' : ' ';
}
