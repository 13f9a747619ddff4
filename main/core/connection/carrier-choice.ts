/**
 * Which carriers the connection's attempts use (docs/protocol.md §1.4): the factory it was given
 * (MQTT + UDP from OTA) or its own WebSocket, and auto's one switch from the first to the second
 * when the OTA answer offered a WebSocket too and the other transport cannot get a session
 * through. Owns what outlives sessions until then: the factory and its idle messages.
 */
import type { CarrierFactory } from './carrier.ts';

export class CarrierChoice {
  readonly #webSocket: () => CarrierFactory;
  readonly #fallBackAllowed: boolean;
  #current: CarrierFactory;
  #releaseIdle: () => void;

  /** `given` (else the WebSocket) until a fallback; its idle messages go to `onIdleText`. */
  constructor(
    given: CarrierFactory | undefined,
    webSocket: () => CarrierFactory,
    fallBackAllowed: boolean,
    onIdleText: (raw: string) => void,
  ) {
    this.#webSocket = webSocket;
    this.#fallBackAllowed = fallBackAllowed;
    this.#current = given ?? webSocket();
    this.#releaseIdle = this.#current.onIdleText?.(onIdleText) ?? (() => {});
  }

  get current(): CarrierFactory {
    return this.#current;
  }

  /** Switch to the WebSocket, once; true when it switched. */
  fallBack(): boolean {
    if (!this.#fallBackAllowed || this.#current.transport === 'websocket') return false;
    this.release();
    this.#current = this.#webSocket();
    return true;
  }

  /** End what outlives sessions (the MQTT connection). */
  release(): void {
    this.#releaseIdle();
    this.#releaseIdle = () => {};
    this.#current.release();
  }
}
