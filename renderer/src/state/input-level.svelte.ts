import { createSubscriber } from 'svelte/reactivity';
import { METER_FLOOR_DBFS } from '../lib/format.ts';
import type { LumiApi } from '../../../shared/ipc.ts';

/**
 * The microphone level main reports (`inputLevel` events, one per captured frame). It listens
 * only while a meter is on screen, so the window does no work for levels nobody sees.
 */
export class InputLevel {
  #dbfs = METER_FLOOR_DBFS;
  #speaking = false;
  readonly #subscribe: () => void;

  constructor(api: LumiApi) {
    this.#subscribe = createSubscriber((update) => {
      const unsubscribe = api.onEvent((event) => {
        if (event.type !== 'inputLevel') return;
        this.#dbfs = event.dbfs;
        this.#speaking = event.speaking;
        update();
      });
      return () => {
        unsubscribe();
        // A meter shown again later starts from silence, not from a stale reading.
        this.#dbfs = METER_FLOOR_DBFS;
        this.#speaking = false;
      };
    });
  }

  /** The latest level in dBFS. */
  get dbfs(): number {
    this.#subscribe();
    return this.#dbfs;
  }

  /** Whether the voice detector hears speech. */
  get speaking(): boolean {
    this.#subscribe();
    return this.#speaking;
  }
}
