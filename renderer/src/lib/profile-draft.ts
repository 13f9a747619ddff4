import type { ProfileTransport, ServerProfile } from '../../../shared/settings.ts';
import type { MessageKey } from '../i18n/translate.ts';

/** The editable fields of a server profile, as the form holds them. */
export interface ProfileDraft {
  name: string;
  endpointKind: ServerProfile['endpoint']['kind'];
  url: string;
  dialect: ServerProfile['dialect'];
  appHeartbeat: boolean;
  caFile: string;
  allowInsecureWebSocket: boolean;
  transport: ProfileTransport;
}

/** Schemes each endpoint accepts: the WebSocket itself, or the HTTP OTA endpoint that names it. */
const SCHEMES: Readonly<Record<ProfileDraft['endpointKind'], readonly string[]>> = {
  websocket: ['ws:', 'wss:'],
  ota: ['http:', 'https:'],
};

export function draftOf(profile: ServerProfile): ProfileDraft {
  return {
    name: profile.name,
    endpointKind: profile.endpoint.kind,
    url: profile.endpoint.url,
    dialect: profile.dialect,
    appHeartbeat: profile.appHeartbeat,
    caFile: profile.caFile ?? '',
    allowInsecureWebSocket: profile.allowInsecureWebSocket ?? false,
    transport: profile.transport ?? 'auto',
  };
}

/** A fresh profile for "Add server": xiaozhi dialect, found through an OTA endpoint. */
export function newProfile(id: string): ServerProfile {
  return {
    id,
    name: '',
    endpoint: { kind: 'ota', url: '' },
    dialect: 'xiaozhi',
    appHeartbeat: false,
    caFile: null,
    hasToken: false,
    activation: 'none',
  };
}

/** What is wrong with a draft, as a message key, or null when it can be saved. */
export function draftProblem(draft: ProfileDraft): MessageKey | null {
  if (draft.name.trim() === '') return 'profile.problemName';
  const url = draft.url.trim();
  if (!URL.canParse(url)) return 'profile.problemUrl';
  if (!SCHEMES[draft.endpointKind].includes(new URL(url).protocol)) {
    return draft.endpointKind === 'websocket'
      ? 'profile.problemWsScheme'
      : 'profile.problemOtaScheme';
  }
  return null;
}

/** The profile a valid draft describes; identity, token flag and activation stay as they were. */
export function applyDraft(profile: ServerProfile, draft: ProfileDraft): ServerProfile {
  const caFile = draft.caFile.trim();
  const { allowInsecureWebSocket: _previous, transport: _transport, ...rest } = profile;
  return {
    ...rest,
    name: draft.name.trim(),
    endpoint: { kind: draft.endpointKind, url: draft.url.trim() },
    dialect: draft.dialect,
    appHeartbeat: draft.appHeartbeat,
    caFile: caFile === '' ? null : caFile,
    // Present only when on, as main stores it.
    ...(draft.allowInsecureWebSocket ? { allowInsecureWebSocket: true } : {}),
    ...(draft.transport !== 'auto' ? { transport: draft.transport } : {}),
  };
}
