/**
 * Builds the conversation's ChatMessages from session happenings, so the window, the CLI and
 * the history store all see the same lines. Each change is one `messageUpserted`, except a
 * reply's next sentence: that is one `messageAppended` carrying only the sentence, so a reply of
 * n sentences costs O(n) to build, send and store, not O(n²) (issue 11, finding 6).
 *
 * Server text is bounded here (shared/bounded-text.ts): each field to MAX_DISPLAY_TEXT, a reply
 * to MAX_REPLY_TEXT, after which it stops growing. Each cut is reported once as a problem.
 */
import type { TurnTimings } from '../../../shared/assistant.ts';
import { boundText, MAX_DISPLAY_TEXT, MAX_REPLY_TEXT } from '../../../shared/bounded-text.ts';
import type { ChatMessage, MessageStatus, SystemKind } from '../../../shared/chat.ts';
import { describeProblem } from '../../../shared/problem-english.ts';
import type { Problem } from '../../../shared/problems.ts';
import type { OutboxItem, SessionEvent } from '../../../shared/session-events.ts';
import type { Clock } from '../util/clock.ts';

/** What the transcript tells the session. */
export type TranscriptEvent = Extract<
  SessionEvent,
  { type: 'messageUpserted' | 'messageAppended' | 'errorOccurred' }
>;

export class Transcript {
  readonly #clock: Clock;
  readonly #newId: () => string;
  readonly #emit: (event: TranscriptEvent) => void;
  readonly #newConversationId: () => string;
  /** Started lazily, with the first line, so an app start alone leaves no empty conversation. */
  #conversationId: string | null = null;
  #messages = new Map<string, ChatMessage>();
  /**
   * The last character of each open reply: the joiner depends on it, and reading it from a text
   * built by appends would make V8 flatten the whole text once per sentence.
   */
  readonly #replyEnds = new Map<string, string>();

  constructor(
    clock: Clock,
    newId: () => string,
    emit: (event: TranscriptEvent) => void,
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
    return this.#put({ ...this.#blank(this.#newId(), 'user'), ...this.#bound('stt', text) });
  }

  /** Open an assistant reply; sentences are appended as they start. */
  openReply(): string {
    const id = this.#newId();
    this.#put({ ...this.#blank(id, 'assistant'), status: 'streaming' });
    this.#replyEnds.set(id, '');
    return id;
  }

  /** Add a sentence to an open reply; a reply at MAX_REPLY_TEXT takes no more. */
  appendSentence(replyId: string, sentence: string): void {
    const reply = this.#messages.get(replyId);
    const end = this.#replyEnds.get(replyId);
    if (!reply || end === undefined || reply.text.length >= MAX_REPLY_TEXT) return;
    const field = this.#bound('sentence', sentence);
    const joined = `${reply.text.length === 0 ? '' : joiner(end)}${field.text}`;
    const piece = boundText(joined, MAX_REPLY_TEXT - reply.text.length);
    if (piece.truncated) this.#problem({ code: 'replyTruncated', limit: MAX_REPLY_TEXT });
    const truncated = field.truncated || piece.truncated || reply.truncated === true;
    const updatedAt = this.#clock.now();
    const text = `${reply.text}${piece.text}`;
    this.#messages.set(replyId, { ...reply, text, updatedAt, ...(truncated ? { truncated } : {}) });
    this.#replyEnds.set(replyId, piece.text.slice(-1));
    this.#emit({
      type: 'messageAppended',
      id: replyId,
      conversationId: reply.conversationId,
      text: piece.text,
      updatedAt,
      truncated,
    });
  }

  setEmotion(replyId: string, emotion: string): void {
    const reply = this.#messages.get(replyId);
    // The same emotion again changes nothing; re-sending the whole reply for it would.
    if (reply && reply.emotion !== emotion) this.#put({ ...reply, emotion });
  }

  closeReply(replyId: string, timings: TurnTimings | null, status: MessageStatus = 'done'): void {
    const reply = this.#messages.get(replyId);
    this.#replyEnds.delete(replyId);
    if (reply) this.#put({ ...reply, status, timings });
  }

  /** A message the server pushed into the conversation (`message.new`). */
  pushed(text: string): ChatMessage {
    return this.#put({
      ...this.#blank(this.#newId(), 'assistant'),
      ...this.#bound('message.new', text),
    });
  }

  system(kind: SystemKind, text: string, image?: string): ChatMessage {
    return this.#put({
      ...this.#blank(this.#newId(), 'system'),
      systemKind: kind,
      ...this.#bound(kind, text),
      ...(image === undefined ? {} : { image }),
    });
  }

  /**
   * A line of Lumi's own: the notice for the window, its English as the text (search, the CLI,
   * the export). Cut like server text, since its parameters may carry the server's words.
   */
  notice(kind: SystemKind, notice: Problem, image?: string): ChatMessage {
    return this.#put({
      ...this.#blank(this.#newId(), 'system'),
      systemKind: kind,
      notice,
      ...this.#bound(kind, describeProblem(notice)),
      ...(image === undefined ? {} : { image }),
    });
  }

  /** A server text field, cut to MAX_DISPLAY_TEXT; a cut is flagged and reported. */
  #bound(field: string, text: string): Pick<ChatMessage, 'text' | 'truncated'> {
    const bounded = boundText(text);
    if (!bounded.truncated) return { text };
    this.#problem({ code: 'serverTextTruncated', field, limit: MAX_DISPLAY_TEXT });
    return { text: bounded.text, truncated: true };
  }

  #problem(problem: Extract<TranscriptEvent, { type: 'errorOccurred' }>['problem']): void {
    this.#emit({ type: 'errorOccurred', problem });
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
    this.#emit({ type: 'messageUpserted', message: stamped });
    return stamped;
  }

  #forgetSettled(): void {
    for (const [id, message] of this.#messages) {
      if (message.status === 'done' || message.status === 'sent') {
        this.#messages.delete(id);
        this.#replyEnds.delete(id);
      }
      if (this.#messages.size <= 100) return;
    }
  }
}

/** After a Chinese character (or full-width punctuation) sentences join without a space. */
function joiner(lastCharacter: string): string {
  const code = lastCharacter.charCodeAt(0);
  const cjk = (code >= 0x3000 && code <= 0x9fff) || (code >= 0xff00 && code <= 0xffef);
  return cjk ? '' : ' ';
}
