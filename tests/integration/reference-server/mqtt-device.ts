/**
 * A small MQTT+UDP device for the reference server's own tests, written from docs/protocol.md §7
 * and not from the server's code: MQTT.js for the control plane, node:dgram and AES-128-CTR for
 * the audio. It records every message and datagram with its arrival time.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import opus from '@discordjs/opus';
import { connectAsync, type MqttClient } from 'mqtt';
import type { MqttSection } from '../../fixtures/reference-server.ts';

export interface DeviceMessage {
  readonly seq: number;
  readonly at: number;
  readonly message: Readonly<Record<string, unknown>>;
}

export interface DeviceDatagram {
  readonly at: number;
  readonly type: number;
  readonly connectionId: string;
  readonly timestamp: number;
  readonly sequence: number;
  /** The decrypted Opus packet. */
  readonly payload: Buffer;
}

/** The `udp` object of the server hello. */
export interface HelloUdp {
  readonly server: string;
  readonly port: number;
  readonly encryption: string;
  readonly key: string;
  readonly nonce: string;
}

const DEFAULT_WAIT_MS = 5_000;
const HEADER = 16;
const SAMPLE_RATE = 16_000;
const FRAME_SAMPLES = 960;

/** The client hello of the firmware over MQTT (docs/protocol.md §7). */
export function mqttHello(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'hello',
    version: 3,
    transport: 'udp',
    features: { mcp: true },
    audio_params: { format: 'opus', sample_rate: 16000, channels: 1, frame_duration: 60 },
    ...extra,
  };
}

/** 60 ms of 16 kHz Opus: a tone, or silence when `amplitude` is 0. */
export function opusFrame(amplitude = 0, hz = 440): Buffer {
  const encoder = new opus.OpusEncoder(SAMPLE_RATE, 1);
  const pcm = Buffer.alloc(FRAME_SAMPLES * 2);
  for (let i = 0; i < FRAME_SAMPLES; i += 1) {
    pcm.writeInt16LE(
      Math.round(amplitude * 32_767 * Math.sin((2 * Math.PI * hz * i) / SAMPLE_RATE)),
      i * 2,
    );
  }
  return encoder.encode(pcm);
}

export class MqttDevice {
  readonly messages: DeviceMessage[] = [];
  readonly datagrams: DeviceDatagram[] = [];
  readonly section: MqttSection;
  readonly #client: MqttClient;
  readonly #waiters = new Set<() => boolean>();
  #udp: Socket | null = null;
  #hello: HelloUdp | null = null;
  #sequence = 0;
  /** Decrypt downstream with this key instead of the hello's (null: the hello's). */
  keyOverride: Buffer | null = null;

  private constructor(client: MqttClient, section: MqttSection) {
    this.#client = client;
    this.section = section;
    client.on('message', (_topic, payload) => {
      const message = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
      this.messages.push({ seq: this.messages.length, at: performance.now(), message });
      this.#wake();
    });
  }

  /** Connect and subscribe with the OTA's credentials; rejects when the CONNACK refuses. */
  static async connect(section: MqttSection): Promise<MqttDevice> {
    const client = await connectAsync(`mqtt://${section.endpoint}`, {
      clientId: section.client_id,
      username: section.username,
      password: section.password,
      keepalive: section.keepalive,
      reconnectPeriod: 0,
    });
    const device = new MqttDevice(client, section);
    await client.subscribeAsync(section.subscribe_topic);
    return device;
  }

  get connected(): boolean {
    return this.#client.connected;
  }

  /** Resolves when the MQTT connection closes. */
  closed(): Promise<void> {
    if (!this.#client.connected) return Promise.resolve();
    return new Promise((resolve) => this.#client.once('close', () => resolve()));
  }

  send(message: Record<string, unknown>): void {
    this.#client.publish(this.section.publish_topic, JSON.stringify(message));
  }

  /**
   * Send a hello and wait for the server's; then open UDP and send one silence frame so the
   * gateway learns our address (unless `punch` is false).
   */
  async hello(
    extra: Record<string, unknown> = {},
    punch = true,
  ): Promise<Readonly<Record<string, unknown>>> {
    const from = this.messages.length;
    this.send(mqttHello(extra));
    const { message } = await this.waitFor('hello', undefined, from);
    this.#hello = message.udp as HelloUdp;
    this.#sequence = 0;
    this.#udp?.close();
    const udp = createSocket('udp4');
    udp.on('message', (datagram) => this.#onDatagram(datagram));
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', () => resolve()));
    this.#udp = udp;
    if (punch) this.sendAudio(opusFrame());
    return message;
  }

  /** Encrypt and send one Opus packet with the next sequence number (or the one given). */
  sendAudio(packet: Buffer, sequence = this.#sequence + 1): void {
    const hello = this.#hello;
    if (hello === null || this.#udp === null) throw new Error('mqtt device: no hello yet');
    this.#sequence = Math.max(this.#sequence, sequence);
    this.sendRaw(
      seal(Buffer.from(hello.key, 'hex'), Buffer.from(hello.nonce, 'hex'), sequence, packet),
    );
  }

  /** Send bytes as they are to the hello's UDP endpoint. */
  sendRaw(datagram: Buffer): void {
    const hello = this.#hello;
    if (hello === null || this.#udp === null) throw new Error('mqtt device: no hello yet');
    this.#udp.send(datagram, hello.port, hello.server);
  }

  /** The first message of this type (and state) from `from` on, now or later. */
  async waitFor(
    type: string,
    state?: string,
    from = 0,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<DeviceMessage> {
    return this.#until(
      () =>
        this.messages.find(
          (m) =>
            m.seq >= from &&
            m.message.type === type &&
            (state === undefined || m.message.state === state),
        ),
      timeoutMs,
      `${type}${state === undefined ? '' : `:${state}`}`,
    );
  }

  /** Resolves once `count` datagrams have arrived. */
  waitForDatagrams(count: number, timeoutMs = DEFAULT_WAIT_MS): Promise<readonly DeviceDatagram[]> {
    return this.#until(
      () => (this.datagrams.length >= count ? this.datagrams : undefined),
      timeoutMs,
      `${count} datagrams`,
    );
  }

  async close(): Promise<void> {
    this.#udp?.close();
    this.#udp = null;
    await this.#client.endAsync();
  }

  #onDatagram(datagram: Buffer): void {
    const hello = this.#hello;
    if (hello === null || datagram.length < HEADER) return;
    const header = datagram.subarray(0, HEADER);
    const key = this.keyOverride ?? Buffer.from(hello.key, 'hex');
    const decipher = createDecipheriv('aes-128-ctr', key, header);
    this.datagrams.push({
      at: performance.now(),
      type: header[0] ?? -1,
      connectionId: header.subarray(4, 8).toString('hex'),
      timestamp: header.readUInt32BE(8),
      sequence: header.readUInt32BE(12),
      payload: Buffer.concat([decipher.update(datagram.subarray(HEADER)), decipher.final()]),
    });
    this.#wake();
  }

  #until<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const value = probe();
        if (value === undefined) return false;
        clearTimeout(timer);
        resolve(value);
        return true;
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`mqtt device: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      if (!check()) this.#waiters.add(check);
    });
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) if (waiter()) this.#waiters.delete(waiter);
  }
}

/** One datagram as the firmware builds it: the nonce with length and sequence patched in. */
export function seal(key: Buffer, nonce: Buffer, sequence: number, payload: Buffer): Buffer {
  const header = Buffer.from(nonce);
  header[0] = 0x01;
  header.writeUInt16BE(payload.length, 2);
  header.writeUInt32BE(0, 8);
  header.writeUInt32BE(sequence, 12);
  const cipher = createCipheriv('aes-128-ctr', key, header);
  return Buffer.concat([header, cipher.update(payload), cipher.final()]);
}
