/**
 * The assistant above the connection: turns (typed and spoken), the assistant state machine
 * (idle, connecting, listening, thinking, speaking), reply audio, and one typed event stream
 * for every front end.
 *
 * Turn rules follow the firmware (docs/protocol.md §6): a typed turn is `abort` first if speaking,
 * then `listen detect` with the text; a reply runs from `tts start` to `tts stop`, and after
 * `tts stop` the buffered audio still plays out before the microphone may reopen.
 */
import { randomUUID } from 'node:crypto';
import type { AssistantState, ListenMode } from '../../../shared/assistant.ts';
import { boundText, MAX_DISPLAY_TEXT } from '../../../shared/bounded-text.ts';
import type { SystemKind } from '../../../shared/chat.ts';
import type { ConnectionState } from '../../../shared/connection-state.ts';
import { emojiForEmotion } from '../../../shared/emotion.ts';
import { ProblemError } from '../../../shared/problem-english.ts';
import type { Problem } from '../../../shared/problems.ts';
import type { OutboxItem, SessionErrorCode, SessionEvent } from '../../../shared/session-events.ts';
import type { AudioSink } from '../audio/sink.ts';
import type { Connection } from '../connection/connection.ts';
import { DEFAULT_OUTBOX, isUnsettled, Outbox, OutboxFullError } from '../connection/outbox.ts';
import { abortSpeaking, listenDetect, type ClientMessage } from '../protocol/client-messages.ts';
import { boundedJson } from '../log/bounded-json.ts';
import { MAX_JSON_DEPTH, type InboundFrame } from '../protocol/parse.ts';
import type { ServerMessage } from '../protocol/server-messages.ts';
import { type Clock, SECOND, systemClock, type TimerHandle } from '../util/clock.ts';
import { Emitter } from '../util/emitter.ts';
import { connectUnlessTrying } from './connect-on-demand.ts';
import type { ReplyDecoderFactory } from './ports.ts';
import { deriveAssistantState } from './assistant-state.ts';
import { ReplyPlayer } from './reply-player.ts';
import { Transcript } from './transcript.ts';
import { TurnGate, type GateOpening, type TurnGateOptions } from './turn-gate.ts';
import { type Turn, TurnTracker } from './turn.ts';
import { VoiceTurns, type VoiceOptions } from './voice-turns.ts';

/** A turn the server never finishes (no `tts stop`) is given up after this much silence. */
export const TURN_SILENCE_TIMEOUT = 30 * SECOND;
/**
 * A turn this quiet makes the socket answer a ping (the pong timeout is 10 s), so a server that
 * freezes mid-reply shows within ~15 s. It never ends the turn itself: a server busy with a tool
 * call still answers pings, and only TURN_SILENCE_TIMEOUT gives a turn up.
 */
export const TURN_QUIET_PROBE = 5 * SECOND;

/** The outbox as the front end keeps it: what an earlier run left, and where to keep it now. */
export interface OutboxSetup {
  /** Unsettled items of an earlier run of this profile (outbox-store.ts). */
  readonly restored?: readonly OutboxItem[];
  /** Typed messages older than this are not sent on their own (default 10 min). */
  readonly maxAgeMs?: number;
  /** Called with the unsettled items whenever they change. */
  readonly persist?: (unsettled: readonly OutboxItem[]) => void;
}

export interface SessionOptions {
  readonly connection: Connection;
  readonly sink: AudioSink;
  readonly decoderFactory: ReplyDecoderFactory;
  readonly clock?: Clock;
  readonly newId?: () => string;
  /** Starts a conversation (the history store gives ids that carry the profile). */
  readonly newConversationId?: () => string;
  readonly mode?: Exclude<ListenMode, 'realtime'>;
  /**
   * Typed text as `chat` (the original Lumi dialect) instead of `listen detect`; `id` is the
   * outbox item's, the same on every re-send.
   */
  readonly textMessage?: (text: string, id: string) => ClientMessage;
  readonly voice?: VoiceOptions;
  /** Handlers for `mcp` payloads and other non-turn server messages (tools, server events). */
  readonly onServerMessage?: (message: ServerMessage) => void;
  /** How long turns wait for the server's tool handshake (turn-gate.ts). */
  readonly turnGate?: TurnGateOptions;
  readonly outbox?: OutboxSetup;
}

/** What the device MCP server tells the session about the server's tool handshake. */
export interface ToolHandshake {
  /** A device MCP server answers this session: hold turns for the handshake. */
  expectTools(): void;
  initializeReceived(): void;
  /** The last `tools/list` page was answered. */
  toolsListed(): void;
}

type SessionEvents = { event: (event: SessionEvent) => void };

export class Session {
  readonly connection: Connection;
  readonly #clock: Clock;
  readonly #emitter = new Emitter<SessionEvents>();
  readonly #outbox: Outbox;
  readonly #transcript: Transcript;
  readonly #player: ReplyPlayer;
  readonly #sink: AudioSink;
  readonly #turns: TurnTracker;
  readonly #voice: VoiceTurns;
  readonly #gate: TurnGate;
  readonly #textMessage: (text: string, id: string) => ClientMessage;
  readonly #onServerMessage: ((message: ServerMessage) => void) | undefined;
  readonly #persistOutbox: ((unsettled: readonly OutboxItem[]) => void) | undefined;
  /** Fires when the oldest queued message passes the age limit, so it shows as expired. */
  #expiryTimer: TimerHandle | null = null;
  #assistant: AssistantState = 'idle';
  #unsubscribe: (() => void)[] = [];

  constructor(options: SessionOptions) {
    this.connection = options.connection;
    this.#clock = options.clock ?? systemClock;
    const newId = options.newId ?? randomUUID;
    this.#textMessage = options.textMessage ?? ((text) => listenDetect(text));
    this.#onServerMessage = options.onServerMessage;
    this.#transcript = new Transcript(
      this.#clock,
      newId,
      (event) => this.#emit(event),
      options.newConversationId,
    );
    this.#persistOutbox = options.outbox?.persist;
    this.#outbox = new Outbox(this.#clock, (item) => this.#onOutboxChanged(item), newId, {
      ...DEFAULT_OUTBOX,
      maxAgeMs: options.outbox?.maxAgeMs ?? DEFAULT_OUTBOX.maxAgeMs,
    });
    this.#outbox.restore(options.outbox?.restored ?? []);
    this.#sink = options.sink;
    this.#player = new ReplyPlayer(options.sink, options.decoderFactory, (detail, total) =>
      this.#emit({
        type: 'audioFrameSkipped',
        problem: { code: 'undecodableAudio', detail },
        total,
      }),
    );
    this.#turns = new TurnTracker(this.#clock, {
      silenceMs: TURN_SILENCE_TIMEOUT,
      onSilent: () => this.#onTurnSilent(),
      quietMs: TURN_QUIET_PROBE,
      onQuiet: () => this.connection.probe(),
      onInFlightChanged: (inFlight) => this.connection.noteTurnInFlight(inFlight),
    });
    this.#gate = new TurnGate(
      this.#clock,
      (why, waitedMs) => this.#onTurnsOpened(why, waitedMs),
      options.turnGate,
    );
    this.#voice = new VoiceTurns({
      connection: this.connection,
      clock: this.#clock,
      mode: options.mode ?? 'manual',
      options: options.voice ?? {},
      emit: (event) => this.#emit(event),
      onPhaseChanged: () => this.#refreshAssistant(),
      onUtteranceSent: () => this.#beginTurn('voice'),
      turnsOpen: () => this.#gate.isOpen,
      bargeIn: () => this.#bargeIn(),
      isSpeaking: () => this.#player.isPlaying,
    });
    this.#unsubscribe.push(
      this.connection.on('stateChanged', (previous, next) => this.#onConnection(previous, next)),
      this.connection.on('frame', (frame) => this.#onFrame(frame)),
      this.connection.on('audio', (opus, arrivedAt, sequence) =>
        this.#onAudio(opus, arrivedAt, sequence ?? undefined),
      ),
      this.connection.on('protocolLogged', (entry) =>
        this.#emit({ type: 'protocolLogged', entry }),
      ),
      this.connection.on('transportChanged', () =>
        this.#emitError({ code: 'fellBackToWebSocket' }),
      ),
    );
  }

  get assistant(): AssistantState {
    return this.#assistant;
  }

  /** Fed by the device MCP server (server-features.ts) when one answers this session. */
  get toolHandshake(): ToolHandshake {
    const gate = this.#gate;
    return {
      expectTools: () => gate.expectTools(),
      initializeReceived: () => gate.initializeReceived(),
      toolsListed: () => gate.toolsListed(this.connection.link),
    };
  }

  get mode(): ListenMode {
    return this.#voice.mode;
  }

  get conversationId(): string {
    return this.#transcript.conversationId;
  }

  outbox(): readonly OutboxItem[] {
    return this.#outbox.items();
  }

  /** Subscribe to every session event; returns the unsubscribe function. */
  onEvent(listener: (event: SessionEvent) => void): () => void {
    return this.#emitter.on('event', listener);
  }

  /** Add a line of Lumi's own to the conversation (tool calls, task results), as data. */
  addSystemLine(kind: SystemKind, line: Problem, image?: string): void {
    this.#transcript.notice(kind, line, image);
  }

  /** Append a message the server pushed (`message.new`) to the conversation. */
  addPushedMessage(text: string): void {
    this.#transcript.pushed(text);
  }

  /** Connect (a user action): also what the next press after an idle hang-up does. */
  connect(): void {
    this.connection.connect();
  }

  disconnect(): void {
    this.#voice.cancel();
    this.connection.disconnect();
  }

  /**
   * Type a message. It is queued and leaves as soon as a session is ready; when Lumi is busy with
   * a reply, the reply is aborted first (the newest intent wins, as on the firmware).
   */
  sendText(text: string): OutboxItem {
    const trimmed = text.trim();
    if (!trimmed) throw new SessionError('not_ready', { code: 'emptyMessage' });
    let item: OutboxItem;
    try {
      item = this.#outbox.enqueue(trimmed);
    } catch (error) {
      if (error instanceof OutboxFullError) {
        throw new SessionError('outbox_full', { code: 'outboxFull' }, { cause: error });
      }
      throw error;
    }
    if (this.connection.state.kind === 'ready') {
      if (this.#turns.current || this.#player.isPlaying) this.#bargeIn();
      this.#pump();
    } else {
      connectUnlessTrying(this.connection);
    }
    this.#refreshAssistant();
    return item;
  }

  /** Send a failed or expired message again (a user action: it restarts the age limit). */
  retrySend(id: string): OutboxItem {
    const item = this.#outbox.retry(id);
    this.#deliverQueued();
    return item;
  }

  /** Take back a message that has not left. */
  cancelSend(id: string): OutboxItem {
    const item = this.#outbox.cancel(id);
    this.#refreshAssistant();
    return item;
  }

  /** Rewrite a message that has not left; it keeps its place in the queue. */
  editSend(id: string, text: string): OutboxItem {
    const trimmed = text.trim();
    if (!trimmed) throw new SessionError('not_ready', { code: 'emptyMessage' });
    return this.#outbox.edit(id, trimmed);
  }

  /** Messages restored from an earlier run go out now if they are still fresh. */
  deliverRestored(): void {
    if (this.#outbox.next()) this.#deliverQueued();
    this.#armExpiry();
  }

  /** The age limit changed (a setting): it applies to the messages already waiting. */
  setOutboxMaxAge(maxAgeMs: number): void {
    this.#outbox.setMaxAge(maxAgeMs);
    this.#outbox.expire();
    this.#armExpiry();
  }

  startTalking(): void {
    this.#sink.warmUp?.();
    this.#voice.start();
  }

  stopTalking(): void {
    this.#voice.stop();
  }

  /** Stop Lumi speaking (the Stop button). */
  abort(): void {
    if (this.#player.isPlaying || this.#turns.current) this.#bargeIn(false);
  }

  setMode(mode: Exclude<ListenMode, 'realtime'> | 'realtime'): void {
    this.#voice.setMode(mode);
    this.#emit({ type: 'modeChanged', mode });
  }

  async close(): Promise<void> {
    this.#voice.cancel();
    this.#turns.clear();
    if (this.#expiryTimer) this.#clock.clearTimeout(this.#expiryTimer);
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    this.connection.dispose();
    await this.#player.close();
  }

  // --- typed text -----------------------------------------------------------------------------

  /** Send now when a session is ready, else connect unless a connection is on its way. */
  #deliverQueued(): void {
    if (this.connection.state.kind === 'ready') this.#pump();
    else connectUnlessTrying(this.connection);
    this.#refreshAssistant();
  }

  /**
   * Send the next queued message, one per turn, when the session can take it. It stays
   * `sending` until the server's first reaction confirms it (#confirmTyped); right after the
   * write the socket must answer a ping, so a frozen server is noticed within the pong timeout.
   */
  #pump(): void {
    if (!this.#canSendTurn() || this.#turns.current || this.#outbox.inFlight) return;
    const item = this.#outbox.next();
    if (!item) return;
    this.#outbox.markSending(item.id);
    const turn = this.#beginTurn('text');
    turn.outboxId = item.id;
    this.connection.sendJson(this.#textMessage(item.text, item.id)).then(
      () => this.connection.probe(),
      () => {
        // The socket died before writing: the text never left, so it goes back in line.
        this.#returnUnconfirmed();
        if (this.#turns.current === turn) this.#turns.end();
      },
    );
  }

  /** The typed item of the current turn, while the server has not confirmed it. */
  #unconfirmedItem(): OutboxItem | undefined {
    const id = this.#turns.current?.outboxId;
    const item = id ? this.#outbox.get(id) : undefined;
    return item?.status === 'sending' ? item : undefined;
  }

  /** The server reacted to the turn: its typed message arrived (docs/protocol.md §6.6). */
  #confirmTyped(): void {
    const item = this.#unconfirmedItem();
    if (item) this.#outbox.markSent(item.id);
  }

  /** The connection lost the turn before the server confirmed it: send it again later. */
  #returnUnconfirmed(): void {
    const item = this.#unconfirmedItem();
    if (item) this.#outbox.requeue(item.id);
  }

  #onOutboxChanged(item: OutboxItem): void {
    this.#emit({ type: 'outboxChanged', item });
    this.#transcript.typed(item);
    this.#persistOutbox?.(this.#outbox.items().filter(isUnsettled));
    this.#armExpiry();
  }

  /** Wake when the oldest queued message expires, so the window says "not sent" on time. */
  #armExpiry(): void {
    if (this.#expiryTimer) this.#clock.clearTimeout(this.#expiryTimer);
    this.#expiryTimer = null;
    const at = this.#outbox.nextExpiryAt();
    if (at === null) return;
    this.#expiryTimer = this.#clock.setTimeout(
      () => {
        this.#expiryTimer = null;
        this.#outbox.expire();
        this.#refreshAssistant();
      },
      Math.max(0, at - this.#clock.now()) + 1,
    );
  }

  // --- turns ----------------------------------------------------------------------------------

  #beginTurn(kind: 'text' | 'voice'): Turn {
    this.#sink.warmUp?.();
    const turn = this.#turns.begin(kind);
    this.#refreshAssistant();
    return turn;
  }

  /**
   * Abort what Lumi is saying (a user action): tell the server, drop buffered audio, close the
   * turn. A typed message the server had not confirmed yet counts as sent: the user moved on.
   */
  #bargeIn(wakeWord = true): void {
    this.#confirmTyped();
    if (this.connection.state.kind === 'ready') {
      void this.connection
        .sendJson(abortSpeaking(wakeWord ? 'wake_word_detected' : undefined))
        .catch(() => undefined);
    }
    this.#player.flush();
    this.#finishTurn(true);
  }

  #finishTurn(aborted: boolean): void {
    const turn = this.#turns.end();
    if (!turn) return;
    const timings = turn.timings(this.#clock.now());
    if (turn.replyId) this.#transcript.closeReply(turn.replyId, timings);
    this.#emit({ type: 'turnEnded', timings, aborted });
    this.#refreshAssistant();
    this.#pump();
  }

  #onTurnSilent(): void {
    // The server answers pings but never reacted to the message: offer a resend, never loop.
    const unconfirmed = this.#unconfirmedItem();
    if (unconfirmed) this.#outbox.markFailed(unconfirmed.id);
    this.#player.flush();
    this.#emitError({ code: 'turnTimedOut' });
    this.#finishTurn(true);
  }

  // --- inbound --------------------------------------------------------------------------------

  #onFrame(frame: InboundFrame): void {
    switch (frame.kind) {
      case 'message':
        this.#onMessage(frame.message);
        return;
      case 'text':
        if (frame.text.trim() !== '认证失败') this.#transcript.system('server', frame.text);
        return;
      case 'unknown':
        this.#emitError({ code: 'unknownMessage', type: frame.type });
        return;
      case 'invalid':
        this.#emitError(
          frame.reason === 'too_deep'
            ? { code: 'messageTooDeep', limit: MAX_JSON_DEPTH }
            : { code: 'invalidMessage', detail: `${frame.reason}: ${frame.detail}` },
        );
        return;
    }
  }

  #onMessage(message: ServerMessage): void {
    this.#turns.touch();
    switch (message.type) {
      case 'stt':
        this.#confirmTyped();
        this.#onStt(message.text);
        return;
      case 'llm':
        this.#confirmTyped();
        if (message.emotion) this.#onEmotion(message.emotion);
        return;
      case 'tts':
        if (message.state === 'start') this.#confirmTyped();
        this.#onTts(message.state, message.text);
        return;
      case 'alert':
        this.#onAlert(message.status, message.message, message.emotion ?? null);
        return;
      case 'system':
        if (message.command === 'reboot') this.#onReboot();
        return;
      case 'goodbye':
        this.connection.noteGoodbye();
        return;
      case 'error':
        this.#emitError(
          message.message
            ? { code: 'serverError', text: message.message }
            : { code: 'serverErrorUnspecified' },
        );
        if (message.message) this.#transcript.system('error', message.message);
        else this.#transcript.notice('error', { code: 'serverErrorUnspecified' });
        return;
      case 'custom':
        // Written past the line's limit, so the transcript's cut marks it and says so.
        this.#transcript.system('server', boundedJson(message.payload, 2 * MAX_DISPLAY_TEXT));
        this.#onServerMessage?.(message);
        return;
      case 'hello':
      case 'pong':
      case 'iot':
      case 'server':
        this.#onServerMessage?.(message);
        return;
      case 'response':
        this.#confirmTyped();
        this.#onDialectResponse(message.content);
        this.#onServerMessage?.(message);
        return;
      default:
        this.#onServerMessage?.(message);
    }
  }

  #onAlert(status: string, text: string, emotion: string | null): void {
    this.#transcript.system('alert', `${status}: ${text}`);
    this.#emit({ type: 'alertReceived', status, message: boundText(text).text, emotion });
    const turn = this.#turns.current;
    if (!turn || turn.replyStarted) {
      this.#confirmTyped();
      return;
    }
    // The official server refuses long typed text with an alert and no reply (§3.4): the
    // message arrived and was turned down, so it is shown as refused and never sent again.
    const id = turn.outboxId;
    const item = id ? this.#outbox.get(id) : undefined;
    if (item && (item.status === 'sending' || item.status === 'sent')) {
      this.#outbox.markRefused(item.id, { code: 'messageRefused', text: `${status}: ${text}` });
    }
    this.#finishTurn(true);
  }

  /** The server restarts the session (`system` `reboot`, docs/protocol.md §3.3): a new socket, the queue kept. */
  #onReboot(): void {
    this.#transcript.notice('server', { code: 'sessionRestartAsked' });
    this.#emitError({ code: 'sessionRestarted' });
    this.connection.disconnect();
    this.connection.connect();
  }

  #onStt(text: string): void {
    const turn = this.#turns.current;
    this.#emit({ type: 'userTranscribed', text: boundText(text).text });
    if (turn?.kind === 'text') {
      // The server echoes typed text as stt, often without its punctuation: the typed line
      // already shows it, so the echo is never matched against the text.
      turn.markResponse();
      return;
    }
    if (!turn) this.#beginTurn('voice');
    this.#turns.current?.markResponse();
    this.#transcript.transcribed(text);
  }

  #onEmotion(emotion: string): void {
    this.#emit({ type: 'emotionChanged', emotion, emoji: emojiForEmotion(emotion) });
    const replyId = this.#turns.current?.replyId;
    if (replyId) this.#transcript.setEmotion(replyId, emotion);
  }

  #onTts(state: string, text: string | undefined): void {
    if (state === 'start') {
      if (!this.#turns.current) this.#beginTurn('voice');
      const turn = this.#turns.current;
      if (!turn) return;
      turn.markResponse();
      turn.replyStarted = true;
      turn.replyId ??= this.#transcript.openReply();
      this.#voice.onReplyStarted();
      this.#player.begin();
      this.#refreshAssistant();
      return;
    }
    if (state === 'sentence_start' && text !== undefined) {
      const turn = this.#turns.current;
      if (!turn?.replyStarted) return;
      turn.markSentence();
      turn.replyId ??= this.#transcript.openReply();
      this.#transcript.appendSentence(turn.replyId, text);
      this.#emit({ type: 'sentenceStarted', text: boundText(text).text });
      return;
    }
    if (state === 'stop') {
      const turn = this.#turns.current;
      // A stop before this turn's start is the server's acknowledgement of our abort.
      if (!turn?.replyStarted) return;
      void this.#endReply();
    }
  }

  async #endReply(): Promise<void> {
    const turn = this.#turns.current;
    if (!turn) return;
    const timings = turn.timings(this.#clock.now());
    if (turn.replyId) this.#transcript.closeReply(turn.replyId, timings);
    this.#turns.end();
    this.#emit({ type: 'turnEnded', timings, aborted: false });
    const drained = await this.#player.end();
    if (drained) this.#emit({ type: 'playbackDrained' });
    this.#refreshAssistant();
    this.#voice.onReplyDrained(drained);
    this.#pump();
  }

  #onDialectResponse(content: string): void {
    const turn = this.#turns.current;
    if (!turn) return;
    turn.markResponse();
    turn.replyId ??= this.#transcript.openReply();
    this.#transcript.appendSentence(turn.replyId, content);
    if (!turn.replyStarted) this.#finishTurn(false);
  }

  #onAudio(opus: Uint8Array, arrivedAt: number, sequence?: number): void {
    this.#turns.touch();
    if (this.#player.push(opus, arrivedAt, sequence)) this.#turns.current?.markAudio(arrivedAt);
  }

  // --- connection -----------------------------------------------------------------------------

  #onConnection(previous: ConnectionState, next: ConnectionState): void {
    this.#emit({ type: 'connectionChanged', previous, next });
    if (next.kind === 'ready') {
      this.#gate.sessionReady(this.connection.link);
      this.#voice.onReady();
      this.#pump();
    } else if (previous.kind === 'ready') {
      this.#gate.sessionLost();
      // The session is gone: whatever was playing or pending belongs to it. A typed message
      // the server never confirmed goes again on the next session.
      this.#returnUnconfirmed();
      this.#voice.onConnectionLost();
      if (this.#turns.current) {
        this.#player.flush();
        this.#finishTurn(true);
      }
      if (next.kind === 'disconnected' && next.reason === 'idle')
        this.#transcript.startNewConversation();
    }
    this.#refreshAssistant();
  }

  /** The server's tool handshake is over (or given up): held turns go now. */
  #onTurnsOpened(why: GateOpening, waitedMs: number): void {
    this.#emit({ type: 'turnsOpened', why, waitedMs });
    this.#voice.onTurnsOpened();
    this.#pump();
    this.#refreshAssistant();
  }

  #canSendTurn(): boolean {
    return this.connection.state.kind === 'ready' && this.#gate.isOpen;
  }

  // --- state ----------------------------------------------------------------------------------

  /** Recompute the assistant state from the facts and emit it when it changed. */
  #refreshAssistant(): void {
    const next = deriveAssistantState({
      connection: this.connection.state.kind,
      turnsHeld: this.#gate.isWaiting,
      listening: this.#voice.isListening,
      turnInFlight: this.#turns.current !== null || this.#voice.isStopHeld,
      playing: this.#player.isPlaying,
      userWaiting: this.#voice.wantsToTalk || this.#outbox.next() !== undefined,
    });
    if (next === this.#assistant) return;
    const previous = this.#assistant;
    this.#assistant = next;
    this.#emit({ type: 'assistantChanged', previous, next });
  }

  #emitError(problem: Problem): void {
    this.#emit({ type: 'errorOccurred', problem });
  }

  #emit(event: SessionEvent): void {
    this.#emitter.emit('event', event);
  }
}

/** A command the session refuses: a code for the caller, the problem for the person. */
export class SessionError extends ProblemError {
  readonly code: SessionErrorCode;
  constructor(code: SessionErrorCode, problem: Problem, options?: ErrorOptions) {
    super(problem, options);
    this.code = code;
  }
}
