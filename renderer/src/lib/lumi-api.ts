/**
 * What the window expects on `window.lumi`: one named method per IPC channel of
 * `shared/ipc.ts`, each resolving to that channel's `Result`, plus the event subscription.
 * The Electron preload and the browser preview's bridge both implement exactly this.
 */
import type { ListenMode } from '../../../shared/assistant.ts';
import type { AppEvent, IpcChannel, IpcResponse } from '../../../shared/ipc.ts';
import type { ServerProfile, Settings, ToolConsent } from '../../../shared/settings.ts';

type Call<C extends IpcChannel> = Promise<IpcResponse<C>>;

export interface LumiApi {
  /** `app:ready`: the window is listening; answers with everything it needs to draw. */
  ready(): Call<'app:ready'>;
  sendText(text: string): Call<'session:sendText'>;
  retrySend(id: string): Call<'session:retrySend'>;
  startTalking(): Call<'session:startTalking'>;
  stopTalking(): Call<'session:stopTalking'>;
  abort(): Call<'session:abort'>;
  setMode(mode: ListenMode): Call<'session:setMode'>;
  connect(): Call<'session:connect'>;
  disconnect(): Call<'session:disconnect'>;
  retry(): Call<'session:retry'>;
  getSettings(): Call<'settings:get'>;
  updateSettings(patch: Partial<Settings>): Call<'settings:update'>;
  listProfiles(): Call<'profiles:list'>;
  /** `token`: a new token to store, `null` to forget the stored one, omitted to keep it. */
  saveProfile(profile: ServerProfile, token?: string | null): Call<'profiles:save'>;
  activateProfile(id: string): Call<'profiles:activate'>;
  removeProfile(id: string): Call<'profiles:remove'>;
  /** JSON of every profile; tokens and device keys only with `includeSecrets`. */
  exportProfiles(includeSecrets: boolean): Call<'profiles:export'>;
  importProfiles(json: string): Call<'profiles:import'>;
  /** Store tokens despite a keystore that does not really encrypt (after the warning). */
  allowStoringSecrets(): Call<'secrets:allowStoring'>;
  runDoctor(): Call<'doctor:run'>;
  listDevices(): Call<'devices:list'>;
  testTone(): Call<'devices:testTone'>;
  /** `before`: the `nextBefore` of the previous page, or null for the newest page. */
  historyPage(before: string | null, limit: number): Call<'history:page'>;
  searchHistory(query: string, limit: number): Call<'history:search'>;
  answerTool(id: string, allow: boolean): Call<'tools:answer'>;
  setToolConsent(tool: string, consent: ToolConsent): Call<'tools:setConsent'>;
  /** Main opens `https:` URLs in the system browser; the window itself never navigates. */
  openLink(url: string): Call<'links:open'>;
  hideWindow(): Call<'window:hide'>;
  setPinned(pinned: boolean): Call<'window:setPinned'>;
  /** Every event main pushes to the window; returns the unsubscribe function. */
  onEvent(listener: (event: AppEvent) => void): () => void;
}
