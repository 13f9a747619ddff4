/**
 * Where an export with secrets goes: a save dialog in main, modal to the chat window when it is
 * open. Main writes the file (the core's `profiles:exportSecrets`); the window only learns the
 * path, so tokens and device keys never reach the renderer.
 */
import path from 'node:path';
import type { BaseWindow, SaveDialogOptions, SaveDialogReturnValue } from 'electron';

/** The part of Electron's `dialog` used here. */
export interface SaveDialogLike {
  showSaveDialog(window: BaseWindow, options: SaveDialogOptions): Promise<SaveDialogReturnValue>;
  showSaveDialog(options: SaveDialogOptions): Promise<SaveDialogReturnValue>;
}

export interface ExportDialogOptions {
  readonly dialog: SaveDialogLike;
  /** The window the dialog belongs to, when there is one. */
  readonly window: () => BaseWindow | null;
  /** The folder the dialog opens in (the user's home or documents). */
  readonly folder: string;
}

/**
 * Asks where to save, under the given title (the core's words, in the user's language);
 * resolves with the chosen path, or null when the user cancels.
 */
export function exportFileChooser(
  options: ExportDialogOptions,
): (suggestedName: string, title: string) => Promise<string | null> {
  return async (suggestedName, title) => {
    const dialogOptions: SaveDialogOptions = {
      title,
      defaultPath: path.join(options.folder, suggestedName),
      filters: [{ name: 'JSON', extensions: ['json'] }],
      properties: ['showOverwriteConfirmation'],
    };
    const window = options.window();
    const answer = window
      ? await options.dialog.showSaveDialog(window, dialogOptions)
      : await options.dialog.showSaveDialog(dialogOptions);
    return answer.canceled || answer.filePath === '' ? null : answer.filePath;
  };
}
