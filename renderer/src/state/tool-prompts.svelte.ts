import type { ToolPrompt } from '../../../shared/ipc.ts';

/** Tool calls waiting for the user's Allow or Deny, oldest first. */
export class ToolPrompts {
  items = $state.raw<readonly ToolPrompt[]>([]);

  add(prompt: ToolPrompt): void {
    this.items = [...this.items.filter((item) => item.id !== prompt.id), prompt];
  }

  remove(id: string): void {
    if (this.items.some((item) => item.id === id)) {
      this.items = this.items.filter((item) => item.id !== id);
    }
  }
}
