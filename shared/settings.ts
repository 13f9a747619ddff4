import type { ListenMode } from './assistant.ts';

/** Per-tool consent for the device tools the server may call over MCP. */
export type ToolConsent = 'allow' | 'ask' | 'deny';

export type Language = 'system' | 'en' | 'zh-CN';

/** A server the user can talk to. Secrets (token, device key) are never part of this object. */
export interface ServerProfile {
  readonly id: string;
  readonly name: string;
  /** How Lumi finds the WebSocket: directly, or through the server's OTA endpoint. */
  readonly endpoint:
    | { readonly kind: 'websocket'; readonly url: string }
    | { readonly kind: 'ota'; readonly url: string };
  /** Speak the original Lumi message dialect (ids, timestamps, `chat`) instead of xiaozhi's. */
  readonly dialect: 'xiaozhi' | 'lumi';
  /** Send `{"type":"ping"}` every 30 s (servers with enable_websocket_ping). */
  readonly appHeartbeat: boolean;
  /** PEM file of a CA to trust for a self-hosted wss:// server. */
  readonly caFile: string | null;
  /**
   * Accept a `ws://` address from an `https://` OTA endpoint, although the token then travels in
   * clear. Absent (false) unless the user turned it on.
   */
  readonly allowInsecureWebSocket?: boolean;
  /**
   * Which transport of the OTA answer to use: `auto` (absent) follows the firmware, MQTT + UDP
   * when offered, and falls back to the WebSocket when UDP does not get through.
   */
  readonly transport?: ProfileTransport;
  /** Whether a token is stored for this profile (the token itself stays in main). */
  readonly hasToken: boolean;
  readonly activation: 'none' | 'pending' | 'activated';
}

export type ProfileTransport = 'auto' | 'websocket' | 'mqtt';

/** Settings the window edits. Persisted by main; validated on every change. */
export interface Settings {
  readonly activeProfileId: string;
  readonly mode: Exclude<ListenMode, 'realtime'>;
  /** Realtime mode (always-open microphone, barge-in by voice) needs headphones or AEC. */
  readonly realtimeEnabled: boolean;
  readonly cues: boolean;
  /** 0–100, Lumi's own output gain. */
  readonly volume: number;
  readonly inputDevice: string | null;
  readonly outputDevice: string | null;
  readonly frameDurationMs: 20 | 40 | 60;
  /** Hang up a hands-free conversation after this much silence (below the servers' 120 s). */
  readonly idleHangupSeconds: number;
  readonly hotkeys: {
    readonly toggleTalk: string;
    readonly holdToTalk: string;
    /** Hold = push-to-talk, double-tap = hands-free, on the hold key. */
    readonly doubleTapHandsFree: boolean;
  };
  readonly language: Language;
  readonly startAtLogin: boolean;
  readonly notifications: boolean;
  readonly historyRetentionDays: number | null;
  /**
   * Keep the thumbnail of each picture Lumi sent (the screen, a photo) with its line in the
   * history. Off: the line is stored without the picture, which only the live window shows.
   */
  readonly keepPictureThumbnails: boolean;
  /**
   * Typed messages older than this are not sent on their own (no answers to stale questions):
   * they show as "not sent — resend?".
   */
  readonly outboxMaxAgeMinutes: number;
  readonly toolConsent: Readonly<Record<string, ToolConsent>>;
}

export interface AudioDevice {
  readonly id: number;
  readonly name: string;
  readonly hostApi: string;
  readonly maxInputChannels: number;
  readonly maxOutputChannels: number;
  readonly defaultSampleRate: number;
}
