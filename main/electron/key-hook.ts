/**
 * Loads the native keyboard hook (uiohook-napi) where it can work. Loaded lazily so that a
 * missing or broken native module costs hold-to-talk, not the app.
 */
import { errorDetail } from '../../shared/problems.ts';
import { keyHookBlocker, type KeyHookSource } from './hotkeys.ts';

/** The hook for this session, or why there is none. */
export async function loadKeyHook(
  platform: NodeJS.Platform,
  env: NodeJS.ProcessEnv,
): Promise<KeyHookSource> {
  const blocker = keyHookBlocker(platform, env);
  if (blocker !== null) return { kind: 'unavailable', reason: blocker };
  try {
    const { uIOhook, UiohookKey } = await import('uiohook-napi');
    return { kind: 'hook', hook: uIOhook, keyCodes: UiohookKey };
  } catch (error) {
    return {
      kind: 'unavailable',
      reason: { code: 'hotkeyHookFailed', detail: errorDetail(error) },
    };
  }
}
