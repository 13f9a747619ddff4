/**
 * `app:ready`, the window's first call after every (re)load: it answers with the snapshot and
 * repeats what the window must not miss (start-up problems, open tool questions). And
 * `links:open`: the window never navigates; main opens checked `https:` links in the browser.
 */
import type { AppEvent, Snapshot } from '../../../../shared/ipc.ts';
import type { DesktopCapabilities } from '../../mcp/capabilities.ts';
import { checkOpenableUrl } from '../../mcp/desktop-tools.ts';
import { reported, type AreaHandlers } from '../handlers.ts';
import type { ToolPrompts } from '../tool-prompts.ts';

export interface AppHandlersDeps {
  readonly snapshot: () => Snapshot;
  /** Problems found while opening the stores, as error events for the window. */
  readonly startupProblems: () => readonly AppEvent[];
  readonly prompts: ToolPrompts;
  readonly desktop: () => DesktopCapabilities;
  readonly emit: (event: AppEvent) => void;
}

export function appHandlers(deps: AppHandlersDeps): AreaHandlers<'app' | 'links'> {
  return {
    'app:ready': () => {
      for (const problem of deps.startupProblems()) deps.emit(problem);
      for (const prompt of deps.prompts.open()) deps.emit({ type: 'toolPrompted', prompt });
      return deps.snapshot();
    },
    'links:open': async ({ url }) => {
      const checked = reported(() => checkOpenableUrl(url));
      await deps.desktop().openExternal(checked.href);
    },
  };
}
