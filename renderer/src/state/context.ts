import { getContext, setContext } from 'svelte';
import type { Lumi } from './lumi.svelte.ts';

/**
 * The context key for the window's state. A plain key (rather than `createContext`) so that
 * component tests can hand a `Lumi` in through the render options' context map.
 */
export const LUMI_CONTEXT = Symbol('lumi');

/** Makes `lumi` available to every component below the caller. */
export function provideLumi(lumi: Lumi): void {
  setContext(LUMI_CONTEXT, lumi);
}

/** The window's state, from the nearest `provideLumi`. */
export function useLumi(): Lumi {
  const lumi = getContext<Lumi | undefined>(LUMI_CONTEXT);
  if (lumi === undefined) throw new Error('useLumi() needs provideLumi() in a parent component');
  return lumi;
}
