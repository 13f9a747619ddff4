/**
 * The MQTT + UDP carrier (docs/protocol.md §1.4; FW `main/protocols/mqtt_protocol.cc`): JSON
 * messages published to the OTA's `publish_topic` and received on its `subscribe_topic`, reply
 * and microphone audio as encrypted UDP datagrams (udp-channel.ts).
 *
 * Unlike a WebSocket, the MQTT connection (the "link") outlives a session: a session is a hello
 * and ends with `goodbye` from either side, and the next conversation says hello again on the same
 * link. So the factory owns the link and each carrier is one session on it. MQTT.js never
 * reconnects by itself (reconnectPeriod 0): a lost link ends the session, and the connection's
 * own backoff opens the next one, which brings the link up again.
 */
import mqtt, { type ErrorWithReasonCode, type MqttClient } from 'mqtt';
import type { Problem } from '../../../shared/problems.ts';
import type { MqttEndpoint } from '../ota/mqtt-section.ts';
import type { ServerHello } from '../protocol/server-messages.ts';
import { type Clock, SECOND, type TimerHandle } from '../util/clock.ts';
import { Emitter } from '../util/emitter.ts';
import * as z from '../util/zod.ts';
import type { Carrier, CarrierEvents, CarrierFactory, CloseReport } from './carrier.ts';
import { MqttPacketSizeGuard } from './mqtt-packet-size.ts';
import { MAX_PAYLOAD_BYTES } from './options.ts';
import { socketProblem } from './socket-errors.ts';
import { UdpChannel } from './udp-channel.ts';
import { parseUdpKeys } from './udp-packet.ts';

/**
 * The firmware's 10 s for the broker, as for a WebSocket upgrade (docs/protocol.md §2.3): from
 * the TCP connect to the SUBACK, since MQTT.js's own timeout ends at the CONNACK and a broker
 * that never confirms the subscription would leave the attempt connecting forever.
 */
export const MQTT_CONNECT_TIMEOUT = 10 * SECOND;
/**
 * The largest MQTT packet we read: a JSON message as large as the WebSocket accepts, plus the
 * longest topic a PUBLISH can name (a 2-byte length and up to 65 535 bytes) and a packet id.
 */
export const MAX_MQTT_PACKET_BYTES = MAX_PAYLOAD_BYTES + 2 + 65_535 + 2;
/**
 * Reply audio starts within a frame or two of `tts start`; none in this long means the
 * datagrams do not reach us (a firewall, a NAT that drops UDP).
 */
export const UDP_SILENCE_LIMIT = 3 * SECOND;
/** Clean end and lost link, in WebSocket close codes (close-reason.ts speaks those). */
const CLEAN_END = 1000;
const LINK_LOST = 1006;
/** CONNACK codes of refused credentials: MQTT 3.1.1 (4, 5) and MQTT 5 (134, 135). */
const REFUSED_CREDENTIALS = new Set([4, 5, 134, 135]);

/** The report of a link that died of `error`. */
function linkLost(error: Problem): CloseReport {
  return { code: LINK_LOST, httpStatus: null, authRejected: false, error };
}

/** A UDP port; `dgram` throws on anything else. */
const MAX_PORT = 65_535;

const UdpSectionSchema = z.object({
  server: z.string().check(z.minLength(1)),
  port: z.int().check(z.positive(), z.lte(MAX_PORT)),
  key: z.string(),
  nonce: z.string(),
});

export interface MqttCarrierOptions {
  readonly endpoint: MqttEndpoint;
  /** PEM of an extra CA to trust for a self-hosted broker; TLS stays verified. */
  readonly ca?: string | null;
  /** Ask OTA again after the broker refused the credentials; null when it gave none. */
  readonly refreshEndpoint?: () => Promise<MqttEndpoint | null>;
  readonly clock: Clock;
  readonly connectTimeoutMs?: number;
  readonly udpSilenceLimitMs?: number;
  /** Dropped datagrams and the like, for the protocol log. */
  readonly log: (text: string) => void;
}

/** Owns the MQTT link; opens one session carrier per attempt on it. */
export class MqttCarriers implements CarrierFactory {
  readonly transport = 'mqtt';
  readonly helloTransport = 'udp';
  readonly #options: MqttCarrierOptions;
  readonly #idle = new Emitter<{ text: (raw: string) => void }>();
  #endpoint: MqttEndpoint;
  #client: MqttClient | null = null;
  #linkUp: Promise<void> | null = null;
  #link = 0;
  #session: MqttCarrier | null = null;
  /** Until the link is subscribed: MQTT_CONNECT_TIMEOUT. */
  #linkTimer: TimerHandle | null = null;

  constructor(options: MqttCarrierOptions) {
    this.#options = options;
    this.#endpoint = options.endpoint;
  }

  get url(): string {
    const { tls, host, port } = this.#endpoint;
    return `${tls ? 'mqtts' : 'mqtt'}://${host}:${port}`;
  }

  open(): Carrier {
    this.#session?.finish({ code: CLEAN_END, httpStatus: null, authRejected: false, error: null });
    const session = new MqttCarrier(this, this.#options);
    this.#session = session;
    this.#ensureLink().then(
      () => session.linkUp(this.#link),
      (report: CloseReport) => session.finish(report),
    );
    return session;
  }

  get idleLink(): number | null {
    return this.#client?.connected ? this.#link : null;
  }

  refreshCredentials = async (): Promise<boolean> => {
    const refresh = this.#options.refreshEndpoint;
    const fresh = refresh ? await refresh() : null;
    if (!fresh) return false;
    this.#endpoint = fresh;
    this.#dropLink();
    return true;
  };

  onIdleText(listener: (raw: string) => void): () => void {
    return this.#idle.on('text', listener);
  }

  sendIdleText = (text: string): Promise<void> => this.publish(text);

  release(): void {
    this.#session = null;
    this.#dropLink();
  }

  /** Publish one JSON message to the server; resolves once the client wrote it. */
  publish(text: string): Promise<void> {
    const client = this.#client;
    if (!client?.connected) return Promise.reject(new Error('MQTT is not connected.'));
    return new Promise((resolve, reject) => {
      client.publish(this.#endpoint.publishTopic, text, { qos: 0 }, (error) => {
        if (error) reject(error);
        else resolve();
      });
    });
  }

  /** Ask the broker for a PINGRESP (answered as the session's `alive`). */
  ping(): boolean {
    if (!this.#client?.connected) return false;
    this.#client.sendPing();
    return true;
  }

  /** The session ended: the link stays for the next one. */
  sessionEnded(session: MqttCarrier): void {
    if (this.#session === session) this.#session = null;
  }

  /** Cut the link (a dead broker): its session ends with `error`. */
  cut(error: Problem): void {
    const session = this.#session;
    this.#dropLink();
    session?.finish({ code: LINK_LOST, httpStatus: null, authRejected: false, error });
  }

  #dropLink(): void {
    const client = this.#client;
    this.#client = null;
    this.#linkUp = null;
    this.#stopLinkTimer();
    client?.removeAllListeners();
    client?.on('error', () => undefined);
    client?.end(true);
  }

  /** Connect and subscribe unless the link is up; rejects with the close report. */
  #ensureLink(): Promise<void> {
    if (this.#linkUp) return this.#linkUp;
    const endpoint = this.#endpoint;
    const client = this.#connectClient(endpoint);
    this.#client = client;
    const up = new Promise<void>((resolve, reject) => {
      let failure: CloseReport | null = null;
      let subscribed = false;
      // Set first: ending the client fails the pending subscription with an error of its own.
      this.#linkTimer = this.#options.clock.setTimeout(() => {
        this.#linkTimer = null;
        const { host, port } = endpoint;
        failure ??= linkLost({ code: 'connectTimedOut', host, port });
        client.end(true);
      }, this.#connectTimeoutMs);
      const sizes = new MqttPacketSizeGuard(MAX_MQTT_PACKET_BYTES);
      client.stream.on('data', (chunk: Buffer) => {
        if (failure || sizes.feed(chunk) === null) return;
        failure = linkLost({ code: 'messageTooLarge' });
        client.end(true);
      });
      client.on('error', (error) => {
        failure ??= this.#failureOf(error);
      });
      client.on('connect', () => {
        client.subscribe(endpoint.subscribeTopic, { qos: 0 }, (error) => {
          if (error) {
            failure ??= this.#failureOf(error);
            client.end(true);
            return;
          }
          subscribed = true;
          this.#stopLinkTimer();
          this.#link += 1;
          resolve();
        });
      });
      client.on('message', (topic, payload) => {
        if (topic !== endpoint.subscribeTopic || this.#client !== client) return;
        const text = payload.toString('utf8');
        if (this.#session?.isOpen) this.#session.emit('text', text);
        else this.#idle.emit('text', text);
      });
      client.on('packetreceive', (packet) => {
        if (packet.cmd === 'pingresp' && this.#client === client) this.#session?.emit('alive');
      });
      client.on('close', () => {
        if (this.#client !== client) return;
        this.#client = null;
        this.#linkUp = null;
        this.#stopLinkTimer();
        const report: CloseReport = failure ?? {
          code: LINK_LOST,
          httpStatus: null,
          authRejected: false,
          error: subscribed
            ? { code: 'connectionReset' }
            : { code: 'connectTimedOut', host: endpoint.host, port: endpoint.port },
        };
        if (!subscribed) reject(report);
        else this.#session?.finish(report);
      });
    });
    this.#linkUp = up;
    return up;
  }

  #connectClient(endpoint: MqttEndpoint): MqttClient {
    return mqtt.connect({
      host: endpoint.host,
      port: endpoint.port,
      protocol: endpoint.tls ? 'mqtts' : 'mqtt',
      clientId: endpoint.clientId,
      username: endpoint.username,
      password: endpoint.password,
      keepalive: endpoint.keepaliveSeconds,
      // Lumi's backoff reconnects (connection.ts), never MQTT.js's fixed period.
      reconnectPeriod: 0,
      connectTimeout: this.#connectTimeoutMs,
      clean: true,
      rejectUnauthorized: true,
      ...(this.#options.ca ? { ca: this.#options.ca } : {}),
    });
  }

  get #connectTimeoutMs(): number {
    return this.#options.connectTimeoutMs ?? MQTT_CONNECT_TIMEOUT;
  }

  #stopLinkTimer(): void {
    if (this.#linkTimer) this.#options.clock.clearTimeout(this.#linkTimer);
    this.#linkTimer = null;
  }

  #failureOf(error: Error): CloseReport {
    const { host, port } = this.#endpoint;
    const reasonCode = (error as Partial<ErrorWithReasonCode>).code;
    if (typeof reasonCode === 'number' && REFUSED_CREDENTIALS.has(reasonCode)) {
      const reason = error.message.replace(/^Connection refused: /, '');
      return {
        code: LINK_LOST,
        httpStatus: null,
        authRejected: true,
        error: { code: 'brokerRefused', reason },
      };
    }
    const problem = socketProblem(error, { host, port });
    return { code: LINK_LOST, httpStatus: null, authRejected: false, error: problem };
  }
}

/** One session (hello … goodbye) on the MQTT link. */
class MqttCarrier extends Emitter<CarrierEvents> implements Carrier {
  readonly #factory: MqttCarriers;
  readonly #options: MqttCarrierOptions;
  #link = 0;
  #sessionId: string | null = null;
  #udp: UdpChannel | null = null;
  #watch: TimerHandle | null = null;
  #receivedAtStart = 0;
  #state: 'opening' | 'open' | 'ended' = 'opening';

  constructor(factory: MqttCarriers, options: MqttCarrierOptions) {
    super();
    this.#factory = factory;
    this.#options = options;
  }

  get link(): number {
    return this.#link;
  }

  /** Messages of the link belong to this session (else they are between sessions). */
  get isOpen(): boolean {
    return this.#state === 'open';
  }

  linkUp(link: number): void {
    if (this.#state !== 'opening') return;
    this.#link = link;
    this.#state = 'open';
    this.emit('opened');
  }

  sendText(text: string): Promise<void> {
    if (this.#state !== 'open') return Promise.reject(new Error('The MQTT session is over.'));
    return this.#factory.publish(text);
  }

  sendAudio(opus: Uint8Array, timestamp: number): 'sent' | 'dropped' {
    return this.#udp?.send(opus, timestamp) ?? 'dropped';
  }

  probe(): boolean {
    return this.#state === 'open' && this.#factory.ping();
  }

  async sessionStarted(hello: ServerHello): Promise<void> {
    this.#sessionId = hello.session_id ?? null;
    const section = UdpSectionSchema.safeParse(hello.udp);
    const keys = section.success ? parseUdpKeys(section.data.key, section.data.nonce) : null;
    if (!section.success || !keys) {
      this.terminate({ code: 'udpMissing' });
      return;
    }
    const server = { host: section.data.server, port: section.data.port };
    this.#udp = new UdpChannel(server, keys, this.#options.clock, {
      audio: (opus, arrivedAt, sequence) => this.emit('audio', opus, arrivedAt, sequence),
      failed: () => this.terminate(this.#blocked()),
    });
    await this.#udp.start();
  }

  replyStarted(): void {
    const udp = this.#udp;
    if (!udp || this.#watch) return;
    this.#receivedAtStart = udp.received;
    this.#watch = this.#options.clock.setTimeout(() => {
      this.#watch = null;
      if (this.#udp === udp && udp.received === this.#receivedAtStart) {
        this.terminate(this.#blocked());
      }
    }, this.#limitMs);
  }

  replyEnded(): void {
    const udp = this.#udp;
    if (!udp || !this.#watch) return;
    this.#options.clock.clearTimeout(this.#watch);
    this.#watch = null;
    // A whole reply went by without one datagram: no need to wait out the limit.
    if (udp.received === this.#receivedAtStart) this.terminate(this.#blocked());
  }

  goodbyeReceived(): void {
    this.finish({ code: CLEAN_END, httpStatus: null, authRejected: false, error: null });
  }

  close(): void {
    if (this.#state === 'open') {
      // Both sides end a session with goodbye (docs/protocol.md §3.2); the link stays up.
      const goodbye = JSON.stringify({ session_id: this.#sessionId, type: 'goodbye' });
      this.#factory.publish(goodbye).catch(() => undefined);
    }
    this.finish({ code: CLEAN_END, httpStatus: null, authRejected: false, error: null });
  }

  terminate(error?: Problem): void {
    if (this.#state === 'ended') return;
    const report = { code: LINK_LOST, httpStatus: null, authRejected: false, error: error ?? null };
    // A session that failed on its own (no UDP) leaves the link; a dead link is cut.
    if (error?.code === 'udpBlocked' || error?.code === 'udpMissing') this.finish(report);
    else this.#factory.cut(error ?? { code: 'connectionReset' });
  }

  /** The session is over: close its UDP channel and report once. */
  finish(report: CloseReport): void {
    if (this.#state === 'ended') return;
    this.#state = 'ended';
    if (this.#watch) this.#options.clock.clearTimeout(this.#watch);
    this.#watch = null;
    this.#udp?.close();
    if (this.#udp && Object.values(this.#udp.dropped).some((count) => count > 0)) {
      this.#options.log(`UDP datagrams dropped: ${JSON.stringify(this.#udp.dropped)}`);
    }
    this.#udp = null;
    this.#factory.sessionEnded(this);
    // Asynchronously, as a socket's close: the caller finishes its own step first.
    queueMicrotask(() => this.emit('closed', report));
  }

  get #limitMs(): number {
    return this.#options.udpSilenceLimitMs ?? UDP_SILENCE_LIMIT;
  }

  #blocked(): Problem {
    return { code: 'udpBlocked', seconds: Math.ceil(this.#limitMs / 1000) };
  }
}
