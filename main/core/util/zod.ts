/**
 * zod as the project uses it: the tree-shakable `zod/mini` build, with English messages.
 * Import it as a namespace (`import * as z from '…/util/zod.ts'`) so bundles keep only what
 * is used.
 *
 * The classic build carries every method on every schema and all of its locales whatever is
 * used; in the core process it cost ~10 MB of resident memory (bench `rss.core`) for the same
 * checks. Every schema imports zod from here, so the locale is set before any parse.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';
