/**
 * The UDP audio channel of one MQTT session (docs/protocol.md §1.4): a socket of its own,
 * upstream Opus sealed with sequences from 1, downstream datagrams checked, opened and passed on
 * with their sequence (the packet-order stage after it drops duplicates and stale ones). Nothing a
 * datagram holds can throw out of here: what does not fit is counted and dropped.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Clock } from '../util/clock.ts';
import { openDatagram, sealDatagram, type DatagramFault, type UdpKeys } from './udp-packet.ts';

/**
 * A 20 ms Opus silence frame (CELT, fullband: TOC 0xf8 then an all-zero range-coded body). The
 * gateway learns our address from the first datagram, so one goes out right after the hello,
 * before any reply audio could need the way back.
 */
export const OPUS_SILENCE_FRAME = Uint8Array.of(0xf8, 0xff, 0xfe);
/** Upstream: more than this waiting in the socket and new frames are dropped, not queued. */
const SEND_BACKLOG_LIMIT = 4;

export interface UdpChannelEvents {
  readonly audio: (opus: Uint8Array, arrivedAt: number, sequence: number) => void;
  /** The socket failed (an ICMP "port unreachable" shows as ECONNREFUSED on the next send). */
  readonly failed: (error: Error) => void;
}

export type UdpDropCounts = Record<DatagramFault, number>;

export class UdpChannel {
  readonly #socket: Socket;
  readonly #keys: UdpKeys;
  readonly #clock: Clock;
  #sequence = 0;
  #pending = 0;
  #received = 0;
  #closed = false;
  readonly dropped: UdpDropCounts = { short: 0, type: 0, length: 0, connection: 0 };

  constructor(
    server: { readonly host: string; readonly port: number },
    keys: UdpKeys,
    clock: Clock,
    events: UdpChannelEvents,
  ) {
    this.#keys = keys;
    this.#clock = clock;
    this.#socket = createSocket(isIPv6(server.host) ? 'udp6' : 'udp4');
    this.#socket.on('error', (error) => {
      if (!this.#closed) events.failed(error);
    });
    this.#socket.on('message', (datagram) => {
      const opened = openDatagram(this.#keys, datagram);
      if (!opened.ok) {
        this.dropped[opened.fault] += 1;
        return;
      }
      this.#received += 1;
      events.audio(opened.opus, this.#clock.now(), opened.sequence);
    });
    // connect() makes the kernel filter other senders and report an unreachable port to us.
    this.#socket.connect(server.port, server.host);
  }

  /** Datagrams accepted so far (the `udpBlocked` watch compares this before and after). */
  get received(): number {
    return this.#received;
  }

  /**
   * Send the first datagram (silence): the gateway learns our address from it. Resolves once it
   * is written, so the session goes ready only when reply audio can find its way back.
   */
  start(): Promise<void> {
    return new Promise((resolve) => {
      this.send(OPUS_SILENCE_FRAME, 0, resolve);
    });
  }

  /** Seal and send one Opus packet; dropped when the channel is closed or backed up. */
  send(opus: Uint8Array, timestamp: number, written?: () => void): 'sent' | 'dropped' {
    if (this.#closed || this.#pending >= SEND_BACKLOG_LIMIT) return 'dropped';
    this.#sequence += 1;
    const datagram = sealDatagram(this.#keys, opus, timestamp, this.#sequence);
    this.#pending += 1;
    const sendNow = (): void => {
      if (this.#closed) return;
      this.#socket.send(datagram, () => {
        this.#pending -= 1;
        written?.();
      });
    };
    // Before the socket is connected a send would need the address again: wait for it.
    if (this.#connected) sendNow();
    else this.#socket.once('connect', sendNow);
    return 'sent';
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close();
  }

  get #connected(): boolean {
    try {
      this.#socket.remoteAddress();
      return true;
    } catch {
      return false;
    }
  }
}
