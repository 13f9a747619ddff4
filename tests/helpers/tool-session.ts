/**
 * A session wired like the CLI's and the app's: the real device MCP server answers the server's
 * MCP, so turns wait for the tool handshake as they do in Lumi.
 */
import type { SessionEvent } from '../../shared/session-events.ts';
import { createSession } from '../../main/core/app/create-session.ts';
import { ServerFeatures } from '../../main/core/app/server-features.ts';
import type { AudioSink } from '../../main/core/audio/sink.ts';
import { ReplyDecoder } from '../../main/core/audio/opus-codec.ts';
import { NullSink } from '../../main/core/audio/wav-sink.ts';
import { WavVoiceSource } from '../../main/core/audio/wav-source.ts';
import type { DecodedWav } from '../../main/core/audio/wav.ts';
import { allowListPrompt, ConsentGate } from '../../main/core/mcp/consent.ts';
import { NodeDesktopCapabilities } from '../../main/core/mcp/node-capabilities.ts';
import type { Session } from '../../main/core/session/session.ts';
import { systemClock } from '../../main/core/util/clock.ts';

/** `seconds` of a 440 Hz tone at 16 kHz, as a WAV source reads it. */
export function toneWav(seconds: number): DecodedWav {
  const samples = new Float32Array(Math.round(seconds * 16_000));
  for (let i = 0; i < samples.length; i += 1)
    samples[i] = 0.25 * Math.sin((2 * Math.PI * 440 * i) / 16_000);
  return { sampleRate: 16_000, channels: 1, samples };
}

export interface ToolSession {
  readonly session: Session;
  readonly events: SessionEvent[];
  close(): Promise<void>;
}

/**
 * Push-to-talk from a tone (100 ms minimum press, no release tail); device tools attached.
 * `newConversationId` starts conversations (a history store's, to record the session).
 */
export function openToolSession(
  url: string,
  sink: AudioSink = new NullSink(),
  newConversationId?: () => string,
): ToolSession {
  const desktop = new NodeDesktopCapabilities({
    app: {
      getVolume: () => Promise.resolve(50),
      setVolume: () => Promise.resolve(),
      getMode: () => Promise.resolve('manual'),
      setMode: () => Promise.resolve(),
      status: () => Promise.resolve({ connection: 'ready', appVersion: '0.1.0', os: 'linux' }),
    },
    env: { PATH: '' },
    platform: 'linux',
  });
  const features = new ServerFeatures({
    desktop,
    consent: new ConsentGate({
      chosen: () => undefined,
      prompt: allowListPrompt([]),
      clock: systemClock,
    }),
    clock: systemClock,
    appVersion: '0.1.0',
    appHeartbeat: false,
  });
  const session = createSession({
    url,
    token: null,
    deviceId: '02:4c:55:4d:49:10',
    clientId: '10101010-1d1d-4e4e-8f8f-9a9a9a9a9a9a',
    sink,
    decoderFactory: (rate) => new ReplyDecoder(rate),
    mode: 'manual',
    voice: {
      sourceFactory: () => new WavVoiceSource({ input: toneWav(10) }),
      minPressMs: 100,
      releaseTailMs: 0,
    },
    onServerMessage: (message) => features.handle(message),
    ...(newConversationId ? { newConversationId } : {}),
  });
  features.attach(session);
  const events: SessionEvent[] = [];
  session.onEvent((event) => events.push(event));
  return {
    session,
    events,
    async close() {
      features.detach();
      await features.close();
      await session.close();
    },
  };
}
