/**
 * Emotion names the xiaozhi servers put in `llm` and `alert` messages, and the emoji Lumi shows
 * for each. The list is the server's own (xiaozhi-esp32-server `core/utils/textUtils.py`); the
 * emoji follow the faces the ESP32 firmware draws for the same names.
 */
export const EMOTION_EMOJI = {
  neutral: '😶',
  happy: '🙂',
  laughing: '😆',
  funny: '😂',
  sad: '😔',
  angry: '😠',
  crying: '😭',
  loving: '😍',
  embarrassed: '😳',
  surprised: '😯',
  shocked: '😱',
  thinking: '🤔',
  winking: '😉',
  cool: '😎',
  relaxed: '😌',
  delicious: '🤤',
  kissy: '😘',
  confident: '😏',
  sleepy: '😴',
  silly: '😜',
  confused: '🙄',
} as const satisfies Readonly<Record<string, string>>;

export type EmotionName = keyof typeof EMOTION_EMOJI;

/** The server's default when it sends no emotion (`happy`, shown as a plain smile). */
export const FALLBACK_EMOJI = EMOTION_EMOJI.happy;

/** Whether a string from the wire is one of the emotion names Lumi knows. */
export function isEmotionName(name: string): name is EmotionName {
  return Object.hasOwn(EMOTION_EMOJI, name);
}

/** The emoji for an emotion name; unknown or missing names get the fallback smile. */
export function emojiForEmotion(name: string | null | undefined): string {
  if (name === null || name === undefined) return FALLBACK_EMOJI;
  const key = name.trim().toLowerCase();
  return isEmotionName(key) ? EMOTION_EMOJI[key] : FALLBACK_EMOJI;
}
