/**
 * The servers Lumi knows how to reach. The official cloud is the default profile; the
 * self-hosted xiaozhi-esp32-server setups are presets the setup screen fills in from a host
 * name, because pointing a client at a self-hosted server is the most common support question
 * among xiaozhi clients (py-xiaozhi has more issues on it than on anything else).
 */
import type { ServerProfile } from '../../../shared/settings.ts';

type Endpoint = ServerProfile['endpoint'];

/** The official cloud's OTA endpoint (firmware default, docs/protocol.md §7.1). */
export const OFFICIAL_OTA_URL = 'https://api.tenclass.net/xiaozhi/ota/';

export const DEFAULT_PROFILE = {
  id: 'xiaozhi-me',
  name: 'xiaozhi.me',
  endpoint: { kind: 'ota', url: OFFICIAL_OTA_URL },
  dialect: 'xiaozhi',
  appHeartbeat: false,
  caFile: null,
  activation: 'none',
} as const satisfies Omit<ServerProfile, 'hasToken'>;

export type PresetId = 'xs-simple' | 'xs-control-panel' | 'xs-direct';

export interface ServerPreset {
  readonly id: PresetId;
  readonly name: string;
  readonly description: string;
  readonly kind: Endpoint['kind'];
  readonly scheme: 'http' | 'ws';
  readonly port: number;
  readonly path: string;
}

/** Ports and paths of a default xiaozhi-esp32-server deployment (docs/protocol.md §1.1, §7.1). */
export const SERVER_PRESETS: readonly ServerPreset[] = [
  {
    id: 'xs-simple',
    name: 'xiaozhi-esp32-server',
    description: 'The Python server alone: its OTA endpoint hands out the WebSocket address.',
    kind: 'ota',
    scheme: 'http',
    port: 8003,
    path: '/xiaozhi/ota/',
  },
  {
    id: 'xs-control-panel',
    name: 'xiaozhi-esp32-server with control panel',
    description: 'Full deployment (智控台): OTA and device activation through the control panel.',
    kind: 'ota',
    scheme: 'http',
    port: 8002,
    path: '/xiaozhi/ota/',
  },
  {
    id: 'xs-direct',
    name: 'xiaozhi-esp32-server, direct WebSocket',
    description: 'Skip OTA and connect straight to the WebSocket (no token unless auth is on).',
    kind: 'websocket',
    scheme: 'ws',
    port: 8000,
    path: '/xiaozhi/v1/',
  },
];

/** A host name, IPv4 address or bracketed IPv6 address, with an optional port. */
const HOST_PATTERN = /^(?:\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?)(?::(\d{1,5}))?$/i;

export class PresetError extends Error {}

/**
 * The endpoint a preset gives for `host` (what the user typed: `192.168.1.5`, `nas.local:9003`,
 * or a pasted `http://…` whose scheme and path are dropped). A port typed with the host wins.
 */
export function presetEndpoint(presetId: PresetId, host: string): Endpoint {
  const preset = SERVER_PRESETS.find((each) => each.id === presetId);
  if (!preset) throw new PresetError(`Unknown server preset "${presetId}".`);
  const bare = host
    .trim()
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/.*$/, '');
  const match = HOST_PATTERN.exec(bare);
  if (!match) throw new PresetError(`"${host}" is not a host name or IP address.`);
  const url = `${preset.scheme}://${match[1] === undefined ? `${bare}:${preset.port}` : bare}${preset.path}`;
  return preset.kind === 'ota' ? { kind: 'ota', url } : { kind: 'websocket', url };
}
