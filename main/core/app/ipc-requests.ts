/**
 * The shape every IPC request must have before a handler sees it. The window is trusted code,
 * but a compromised renderer is exactly what the sandbox assumes, so nothing crosses unchecked.
 * Settings patches and profiles are checked for shape here and for meaning by the core's store.
 */
import * as z from '../util/zod.ts';
import type { IpcChannel, IpcRequest } from '../../../shared/ipc.ts';
import type { Settings } from '../../../shared/settings.ts';

/** Typed text longer than this is refused at the boundary (no chat message needs more). */
export const MAX_TEXT_LENGTH = 8_000;
/** History pages and search results are capped so one request cannot pull the whole database. */
export const MAX_PAGE_LIMIT = 500;
export const MAX_QUERY_LENGTH = 500;
export const MAX_ID_LENGTH = 200;
export const MAX_URL_LENGTH = 4_096;
/** A profiles export is a few kilobytes; a megabyte leaves room for hundreds of profiles. */
export const MAX_IMPORT_LENGTH = 1024 * 1024;

/** A string of 1 to `max` characters. */
const text = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));
/** A string of at most `max` characters (empty allowed). */
const upTo = (max: number) => z.string().check(z.maxLength(max));
const id = text(MAX_ID_LENGTH);
const limit = z.int().check(z.gte(1), z.lte(MAX_PAGE_LIMIT));
/** Channels without a payload ignore whatever arrives. */
const none = z.pipe(
  z.unknown(),
  z.transform(() => undefined),
);

const isPlainRecord = (value: unknown): boolean =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.getPrototypeOf(value) === Object.prototype;

const profile = z.object({
  id,
  name: text(MAX_ID_LENGTH),
  endpoint: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('websocket'), url: upTo(MAX_URL_LENGTH) }),
    z.object({ kind: z.literal('ota'), url: upTo(MAX_URL_LENGTH) }),
  ]),
  dialect: z.enum(['xiaozhi', 'lumi']),
  appHeartbeat: z.boolean(),
  caFile: z.nullable(upTo(MAX_URL_LENGTH)),
  allowInsecureWebSocket: z.optional(z.boolean()),
  transport: z.optional(z.enum(['auto', 'websocket', 'mqtt'])),
  hasToken: z.boolean(),
  activation: z.enum(['none', 'pending', 'activated']),
});

/** One schema per channel; the mapped type makes a missing channel a compile error. */
export const requestSchemas: { readonly [C in IpcChannel]: z.ZodMiniType<IpcRequest<C>> } = {
  'app:ready': none,
  'session:connect': none,
  'session:disconnect': none,
  'session:retry': none,
  'session:sendText': z.object({ text: text(MAX_TEXT_LENGTH) }),
  'session:retrySend': z.object({ id }),
  'session:cancelSend': z.object({ id }),
  'session:editSend': z.object({ id, text: text(MAX_TEXT_LENGTH) }),
  'session:startTalking': none,
  'session:stopTalking': none,
  'session:abort': none,
  'session:setMode': z.object({ mode: z.enum(['manual', 'auto', 'realtime']) }),
  'settings:get': none,
  'settings:update': z.object({ patch: z.custom<Partial<Settings>>(isPlainRecord) }),
  'profiles:list': none,
  'profiles:save': z.object({
    profile,
    token: z.optional(z.nullable(upTo(MAX_URL_LENGTH))),
  }),
  'profiles:activate': z.object({ id }),
  'profiles:remove': z.object({ id }),
  'profiles:export': none,
  'profiles:exportSecrets': none,
  'profiles:import': z.object({ json: upTo(MAX_IMPORT_LENGTH) }),
  'secrets:allowStoring': none,
  'doctor:run': none,
  'devices:list': none,
  'devices:testTone': none,
  'history:page': z.object({ before: z.nullable(upTo(MAX_ID_LENGTH)), limit }),
  'history:search': z.object({ query: upTo(MAX_QUERY_LENGTH), limit }),
  'tools:answer': z.object({ id, allow: z.boolean() }),
  'tools:setConsent': z.object({
    tool: id,
    consent: z.enum(['allow', 'ask', 'deny']),
  }),
  'links:open': z.object({ url: upTo(MAX_URL_LENGTH) }),
  'window:hide': none,
  'window:setPinned': z.object({ pinned: z.boolean() }),
};

/** Every request channel, in the contract's order. */
export const IPC_CHANNELS = Object.keys(requestSchemas) as IpcChannel[];
