import type { AppEvent, LumiApi, SecretsConsentReason, Snapshot } from '../../../shared/ipc.ts';
import type { Result } from '../../../shared/result.ts';
import type { Settings } from '../../../shared/settings.ts';
import { isSafeLink } from '../lib/links.ts';
import { ChatHistory } from './chat-history.svelte.ts';
import { I18n } from './i18n.svelte.ts';
import { InputLevel } from './input-level.svelte.ts';
import { Notices } from './notices.svelte.ts';
import { Preferences } from './preferences.svelte.ts';
import { SessionStatus } from './session-status.svelte.ts';
import { TalkControl } from './talk-control.svelte.ts';
import { ToolPrompts } from './tool-prompts.svelte.ts';

export type View = 'chat' | 'settings';

/**
 * The window's state, fed by one subscription to main's events. Built from the snapshot
 * `ready()` returns; events that arrive before it are held and applied after it, so a
 * snapshot never overwrites something newer.
 */
export class Lumi {
  readonly api: LumiApi;
  readonly status: SessionStatus;
  readonly chat: ChatHistory;
  readonly prefs: Preferences;
  readonly tools = new ToolPrompts();
  readonly notices = new Notices();
  readonly i18n: I18n;
  readonly level: InputLevel;
  readonly talk: TalkControl;
  readonly appVersion: string;
  readonly platform: string;
  view = $state<View>('chat');
  pinned = $state(false);
  /** Why tokens are kept for this session only (the banner words it); null when stored safely. */
  secretsConsent = $state<SecretsConsentReason | null>(null);
  /** A link the user clicked, waiting for them to confirm opening it. */
  pendingLink = $state<string | null>(null);
  #unsubscribe: () => void = () => {};

  private constructor(api: LumiApi, snapshot: Snapshot, systemLanguage: string) {
    this.api = api;
    this.status = new SessionStatus(snapshot.connection, snapshot.assistant, snapshot.mode);
    this.prefs = new Preferences(api, snapshot.settings, snapshot.profiles);
    this.prefs.hotkeys = {
      problems: snapshot.hotkeyProblems,
      holdToTalkAvailable: snapshot.holdToTalkAvailable,
    };
    this.chat = new ChatHistory((before, limit) => api.historyPage(before, limit));
    this.i18n = new I18n(() => this.prefs.settings.language, systemLanguage);
    this.level = new InputLevel(api);
    this.talk = new TalkControl(api, (result) => this.report(result));
    this.appVersion = snapshot.appVersion;
    this.platform = snapshot.platform;
    this.secretsConsent = snapshot.secretsConsent;
  }

  /** The user allows storing tokens despite the weak keystore. */
  async allowStoringSecrets(): Promise<void> {
    const result = await this.api.allowStoringSecrets();
    this.report(result);
    if (result.ok) this.secretsConsent = null;
  }

  /**
   * Subscribes to main's events, asks for the snapshot and loads the newest history page.
   * @param systemLanguage the system language tag, for the `system` language setting
   */
  static async start(api: LumiApi, systemLanguage: string): Promise<Result<Lumi>> {
    const early: AppEvent[] = [];
    let lumi: Lumi | null = null;
    const unsubscribe = api.onEvent((event) => {
      if (lumi === null) early.push(event);
      else lumi.dispatch(event);
    });
    const ready = await api.ready();
    if (!ready.ok) {
      unsubscribe();
      return ready;
    }
    const started = new Lumi(api, ready.value, systemLanguage);
    started.#unsubscribe = unsubscribe;
    for (const item of ready.value.outbox) started.chat.applyOutbox(item);
    lumi = started;
    for (const event of early) started.dispatch(event);
    started.report(await started.chat.loadNewest());
    return { ok: true, value: started };
  }

  /** Stops listening to main. */
  dispose(): void {
    this.#unsubscribe();
  }

  /** Applies one event from main. */
  dispatch(event: AppEvent): void {
    switch (event.type) {
      case 'connectionChanged':
        this.status.setConnection(event.next);
        return;
      case 'assistantChanged':
        this.status.assistant = event.next;
        return;
      case 'modeChanged':
        this.status.mode = event.mode;
        return;
      case 'messageUpserted':
        this.chat.upsertMessage(event.message);
        return;
      case 'messageAppended':
        this.chat.appendToMessage(event);
        return;
      case 'outboxChanged':
        this.chat.applyOutbox(event.item);
        return;
      case 'taskUpdated':
        this.chat.upsertTask(event.task);
        return;
      case 'settingsChanged':
        this.prefs.settings = event.settings;
        return;
      case 'profilesChanged':
        this.prefs.profiles = event.profiles;
        return;
      case 'toolPrompted':
        this.tools.add(event.prompt);
        return;
      case 'toolPromptClosed':
        this.tools.remove(event.id);
        return;
      case 'activationRequired':
        this.status.activation = {
          code: event.code,
          message: event.message,
          consoleUrl: event.consoleUrl,
        };
        return;
      case 'secretsConsentRequired':
        this.secretsConsent = event.reason;
        return;
      case 'viewRequested':
        this.view = event.view;
        return;
      case 'hotkeyPressed':
        this.talk.hotkeyHeld = event.action === 'talkDown';
        return;
      case 'errorOccurred':
        this.notices.push({ key: 'notice.error', problem: event.problem });
        return;
      case 'deviceError':
        this.notices.push({
          key: event.direction === 'input' ? 'notice.inputDevice' : 'notice.outputDevice',
          problem: event.problem,
        });
        return;
      case 'inputTooQuiet':
        this.notices.push({ key: 'notice.tooQuiet' }, 'info');
        return;
      // The session also turns these into `messageUpserted` (transcripts, sentences, alerts,
      // emotions) or they are for other front ends (protocol log, jitter and frame statistics).
      // Input levels reach the meters through InputLevel's own subscription.
      case 'userTranscribed':
      case 'sentenceStarted':
      case 'emotionChanged':
      case 'alertReceived':
      case 'turnEnded':
      case 'protocolLogged':
      case 'inputLevel':
      case 'jitterStats':
      case 'playbackDrained':
      case 'audioFrameSkipped':
      case 'audioFrameDropped':
      case 'turnsOpened':
        return;
      default: {
        const unhandled: never = event;
        return unhandled;
      }
    }
  }

  /** Shows a failed call's problem as a notice; returns whether the call succeeded. */
  report(result: Result<unknown>): boolean {
    if (!result.ok) this.notices.push({ key: 'notice.failed', problem: result.problem });
    return result.ok;
  }

  /**
   * Sends a settings change to main; a refusal shows as a notice. Returns whether it applied.
   * @param undo puts back the control the user moved, when main refuses the change (the
   *   control already shows the new value, and an unchanged setting would not redraw it)
   */
  async updateSettings(patch: Partial<Settings>, undo?: () => void): Promise<boolean> {
    const applied = this.report(await this.prefs.update(patch));
    if (!applied) undo?.();
    return applied;
  }

  /** Asks the user to confirm opening a link; only `https:` links get that far. */
  requestLink(url: string): void {
    if (isSafeLink(url)) this.pendingLink = url;
  }

  /** Opens the confirmed link through main, which hands it to the system browser. */
  async confirmLink(): Promise<void> {
    const url = this.pendingLink;
    this.pendingLink = null;
    if (url !== null && isSafeLink(url)) this.report(await this.api.openLink(url));
  }

  async togglePinned(): Promise<void> {
    const next = !this.pinned;
    if (this.report(await this.api.setPinned(next))) this.pinned = next;
  }
}
