/**
 * Typed messages that are not settled yet (queued, unconfirmed, failed, expired), kept across
 * restarts of the app, per profile, in `outbox.json`.
 *
 * A JSON file written atomically (safe-file.ts) rather than a table in `history.sqlite`: the
 * outbox must outlive whatever happens to the history (turned off, retention, a damaged database
 * moved aside), it holds at most a few dozen short items, and it changes only when a typed
 * message does, so rewriting it whole is cheap and a crash leaves the old or the new file. The
 * file is 0600: it holds what the user typed. A damaged file is moved aside and Lumi starts with
 * an empty outbox, as with the other stores.
 *
 * A refused item's `error` is a problem (code and parameters) for the window to word. Lumi before
 * that kept the server's alert text as a plain string; such a row still loads, as the
 * `messageRefused` problem with that text.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Problem } from '../../../shared/problems.ts';
import type { OutboxItem } from '../../../shared/session-events.ts';
import { systemClock, type Clock } from '../util/clock.ts';
import * as z from '../util/zod.ts';
import { ProblemSchema } from './problem-schema.ts';
import { moveAside, writeFileAtomic } from './safe-file.ts';

export const OUTBOX_FILE = 'outbox.json';

const OutboxItemSchema = z.object({
  id: z.string(),
  text: z.string(),
  status: z.enum(['queued', 'sending', 'sent', 'refused', 'failed', 'expired', 'cancelled']),
  createdAt: z.number(),
  error: z.nullable(
    z.union([
      ProblemSchema,
      z.pipe(
        z.string(),
        z.transform((text): Problem => ({ code: 'messageRefused', text })),
      ),
    ]),
  ),
});
const OutboxFileSchema = z.object({
  version: z.literal(1),
  profiles: z.record(z.string(), z.array(OutboxItemSchema)),
});
type OutboxFile = z.infer<typeof OutboxFileSchema>;

export interface OutboxStoreOptions {
  readonly dir: string;
  readonly clock?: Clock;
}

export class OutboxStore {
  readonly #path: string;
  readonly #clock: Clock;
  #file: OutboxFile | null = null;

  constructor(options: OutboxStoreOptions) {
    this.#path = join(options.dir, OUTBOX_FILE);
    this.#clock = options.clock ?? systemClock;
  }

  /** The unsettled messages a profile left behind. */
  load(profileId: string): readonly OutboxItem[] {
    return this.#read().profiles[profileId] ?? [];
  }

  /** Keep the profile's unsettled messages (an empty list forgets the profile's entry). */
  save(profileId: string, items: readonly OutboxItem[]): void {
    const file = this.#read();
    if (items.length === 0 && !(profileId in file.profiles)) return;
    const others = Object.entries(file.profiles).filter(([id]) => id !== profileId);
    const kept: [string, OutboxItem[]][] =
      items.length === 0 ? others : [...others, [profileId, [...items]]];
    const next: OutboxFile = { version: 1, profiles: Object.fromEntries(kept) };
    writeFileAtomic(this.#path, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
    this.#file = next;
  }

  #read(): OutboxFile {
    if (this.#file) return this.#file;
    this.#file = { version: 1, profiles: {} };
    if (!existsSync(this.#path)) return this.#file;
    const parsed = parseOutboxFile(readFileSync(this.#path, 'utf8'));
    if (parsed) this.#file = parsed;
    else moveAside(this.#path, this.#clock.now());
    return this.#file;
  }
}

function parseOutboxFile(text: string): OutboxFile | null {
  try {
    const parsed = OutboxFileSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
