/**
 * The CLI's audio: decoders, the speaker, the microphone or a WAV file, device listing, and an
 * exit that naudiodon's stuck threads cannot hold up (native-stdout.ts keeps its banners off
 * stdout).
 */
import type { Problem } from '../../shared/problems.ts';
import { listAudioDevices, nativeAudioStuck } from '../core/audio/devices.ts';
import { MicrophoneCapture } from '../core/audio/microphone.ts';
import { ReplyDecoder } from '../core/audio/opus-codec.ts';
import type { AudioSink } from '../core/audio/sink.ts';
import { SpeakerSink } from '../core/audio/speaker-sink.ts';
import { WavVoiceSource } from '../core/audio/wav-source.ts';
import type { DecodedWav } from '../core/audio/wav.ts';
import type { ReplyDecoderFactory } from '../core/session/ports.ts';
import type { VoiceOptions } from '../core/session/voice-turns.ts';
import type { TalkOptions } from './args.ts';

/**
 * After the WAV ends, a little silence keeps streaming, like a person letting go of the button a
 * moment after the last word.
 */
const SAY_TRAILING_SILENCE_MS = 300;

export const cliAudio = {
  decoderFactory: ((rate) => new ReplyDecoder(rate)) satisfies ReplyDecoderFactory,

  async listDevices(json: boolean): Promise<number> {
    try {
      const devices = await listAudioDevices();
      if (json) {
        for (const device of devices) process.stdout.write(`${JSON.stringify(device)}\n`);
      } else if (devices.length === 0) {
        process.stdout.write('No audio devices found (is a sound server running?).\n');
      } else {
        for (const d of devices) {
          const io = [d.maxInputChannels > 0 ? 'in' : '', d.maxOutputChannels > 0 ? 'out' : '']
            .filter(Boolean)
            .join('/');
          process.stdout.write(`${d.name}  (${io}, ${d.defaultSampleRate} Hz, ${d.hostApi})\n`);
        }
      }
      return 0;
    } catch (error) {
      process.stderr.write(`lumi-cli: cannot list audio devices: ${(error as Error).message}\n`);
      return 1;
    }
  },

  /** The speaker; `onError` hears of a device that fails or dies mid-reply. */
  async openSpeaker(
    deviceName: string | null,
    onError: (problem: Problem) => void,
  ): Promise<{ ok: true; value: AudioSink } | { ok: false; message: string }> {
    try {
      const sink = new SpeakerSink({ deviceName });
      sink.on('error', onError);
      sink.warmUp();
      return { ok: true, value: sink };
    } catch (error) {
      return { ok: false, message: `cannot open the speaker: ${(error as Error).message}` };
    }
  },

  microphoneVoice(options: TalkOptions): VoiceOptions {
    return {
      sourceFactory: () => new MicrophoneCapture({ deviceName: options.inputDevice }),
    };
  },

  /** Speak `input`: a WAV file's path, or its audio already read (main.ts checks it first). */
  wavVoice(input: string | DecodedWav): VoiceOptions {
    return {
      sourceFactory: () =>
        new WavVoiceSource({ input, trailingSilenceMs: SAY_TRAILING_SILENCE_MS }),
    };
  },

  exit,
};

/**
 * Ends the process with `code`. `process.exit()` first joins libuv's worker threads, and one
 * stuck in a dead naudiodon stream never returns (devices.ts): the process would hang with its
 * main thread in `pthread_join`. Then the process instead replaces itself with a shell that
 * exits with the same code — execve(2) ends every thread at once. Output written so far is
 * already out: stdout and stderr are written synchronously.
 */
function exit(code: number): never {
  if (nativeAudioStuck() && process.execve) {
    process.execve('/bin/sh', ['sh', '-c', `exit ${code}`]);
  }
  process.exit(code);
}
