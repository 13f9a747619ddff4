/** The `tools:*` channels: the user's answer to a device tool's question, and standing choices. */
import type { Settings } from '../../../../shared/settings.ts';
import type { AreaHandlers } from '../handlers.ts';
import type { ToolPrompts } from '../tool-prompts.ts';

export interface ToolHandlersDeps {
  readonly prompts: ToolPrompts;
  readonly settings: () => Settings;
  readonly updateSettings: (patch: Partial<Settings>) => Settings;
}

export function toolHandlers({
  prompts,
  settings,
  updateSettings,
}: ToolHandlersDeps): AreaHandlers<'tools'> {
  return {
    'tools:answer': ({ id, allow }) => {
      prompts.answer(id, allow);
    },
    'tools:setConsent': ({ tool, consent }) => {
      updateSettings({ toolConsent: { ...settings().toolConsent, [tool]: consent } });
    },
  };
}
