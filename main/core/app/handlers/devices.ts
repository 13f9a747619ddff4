/** The `devices:*` channels: the audio devices to choose from, and a tone to test the output. */
import { testTone } from '../../audio/cues.ts';
import { listAudioDevices } from '../../audio/devices.ts';
import type { SpeakerSink } from '../../audio/speaker-sink.ts';
import type { AreaHandlers } from '../handlers.ts';

export function deviceHandlers(speaker: SpeakerSink): AreaHandlers<'devices'> {
  return {
    'devices:list': () => listAudioDevices(),
    'devices:testTone': () => {
      speaker.playClip(testTone(speaker.sampleRate));
    },
  };
}
