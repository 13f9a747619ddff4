import type { AssistantState, ListenMode } from '../../../shared/assistant.ts';
import type { ConnectionState } from '../../../shared/connection-state.ts';

/** A device activation the user still has to complete on the server's console. */
export interface ActivationRequest {
  readonly code: string;
  readonly message: string;
  readonly consoleUrl: string | null;
}

/** The connection, what the assistant is doing, and the listening mode. */
export class SessionStatus {
  connection: ConnectionState;
  assistant: AssistantState;
  mode: ListenMode;
  activation = $state.raw<ActivationRequest | null>(null);

  constructor(connection: ConnectionState, assistant: AssistantState, mode: ListenMode) {
    this.connection = $state.raw(connection);
    this.assistant = $state(assistant);
    this.mode = $state(mode);
  }

  setConnection(next: ConnectionState): void {
    this.connection = next;
    // Reaching the server means the console accepted the code.
    if (next.kind === 'ready') this.activation = null;
  }
}
