import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../main/core/log/logger.ts';
import type { Clock } from '../../../main/core/util/clock.ts';

const TOKEN = 'eyJhbGciOi.J9-realistic-token-value';
const HMAC_TOKEN = 'Zk3nP0q9wXv8s7T6u5R4e3W2q1A0b9C8d7E6f5G4h3I.1745249872';

const fixedClock: Clock = {
  now: () => Date.UTC(2026, 10, 21, 12, 0, 0),
  setTimeout: () => ({ id: 0 }),
  clearTimeout: () => undefined,
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lumi-log-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function readAll(): string {
  return readdirSync(dir)
    .map((name) => readFileSync(join(dir, name), 'utf8'))
    .join('');
}

describe('logger', () => {
  it('writes one JSON object per line with time, level, scope and fields', () => {
    const logger = createLogger({ dir, clock: fixedClock });
    logger.child('ota').info('answer received', { status: 200 });
    logger.close();
    const [line] = readFileSync(join(dir, 'lumi.log'), 'utf8').trim().split('\n');
    expect(JSON.parse(line ?? '')).toEqual({
      time: '2026-11-21T12:00:00.000Z',
      level: 'info',
      scope: 'ota',
      msg: 'answer received',
      status: 200,
    });
  });

  it('drops lines below the level', () => {
    const logger = createLogger({ dir, level: 'warn' });
    logger.info('quiet');
    logger.warn('loud');
    logger.close();
    expect(readAll()).not.toContain('quiet');
    expect(readAll()).toContain('loud');
  });

  it('never lets a token reach the file, whichever way it is handed in', () => {
    const logger = createLogger({ dir, level: 'debug' });
    logger.debug(`connecting with Authorization: Bearer ${TOKEN}`);
    logger.info('ota answer', {
      body: `{"websocket":{"url":"ws://h:8000/xiaozhi/v1/","token":"${HMAC_TOKEN}"}}`,
      headers: { Authorization: `Bearer ${TOKEN}`, 'Device-Id': 'aa:bb:cc:dd:ee:ff' },
      nested: { deep: { deeper: { token: TOKEN, password: 'hunter22' } } },
    });
    logger.error('upgrade failed', { error: new Error(`server rejected ${HMAC_TOKEN}`) });
    logger.child('ws').warn(`retrying wss://h/v1/?authorization=Bearer%20${TOKEN}`);
    logger.close();
    const text = readAll();
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(HMAC_TOKEN.slice(0, 24));
    expect(text).not.toContain('hunter22');
    expect(text).toContain('aa:bb:cc:dd:ee:ff');
    expect(text).toContain('server rejected');
  });

  it('rotates by size and keeps only the configured number of files', () => {
    const logger = createLogger({ dir, maxFileBytes: 400, maxFiles: 3 });
    for (let index = 0; index < 40; index += 1) {
      logger.info(`line ${index}`, { padding: 'x'.repeat(60) });
    }
    logger.close();
    const files = readdirSync(dir).sort();
    expect(files).toEqual(['lumi.1.log', 'lumi.2.log', 'lumi.log']);
    for (const name of files) {
      expect(readFileSync(join(dir, name)).byteLength).toBeLessThanOrEqual(400);
    }
    const current = readFileSync(join(dir, 'lumi.log'), 'utf8');
    expect(current).toContain('line 39');
    expect(readAll()).not.toContain('"line 0"');
  });

  it('keeps its own keys when a field has the same name', () => {
    const logger = createLogger({ dir, clock: fixedClock });
    logger.info('real message', { msg: 'impostor', level: 'x' });
    logger.close();
    const record = JSON.parse(readFileSync(join(dir, 'lumi.log'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(record['msg']).toBe('real message');
    expect(record['level']).toBe('info');
    expect(record['field_msg']).toBe('impostor');
  });
});
