/**
 * Child process for the crash test: streams an assistant reply into the history, one committed
 * write per sentence, as fast as it can, reporting each commit on stdout, until it is killed.
 */
import { HistoryStore } from '../../../main/core/store/history.ts';

const [path] = process.argv.slice(2);
if (path === undefined) throw new Error('usage: history-writer.child.ts <db path>');

const store = new HistoryStore(path);
const conversationId = store.startConversation('home', Date.now());
const base = {
  conversationId,
  emotion: null,
  systemKind: null,
  timings: null,
};
store.upsert({
  ...base,
  id: 'user-1',
  role: 'user',
  text: '讲一个很长的故事',
  status: 'sent',
  createdAt: Date.now(),
  updatedAt: Date.now(),
});
process.stdout.write(`conversation ${conversationId}\n`);

const createdAt = Date.now();
let text = '';
for (let sentence = 1; ; sentence += 1) {
  text += `第${sentence}句。Sentence ${sentence}. `;
  store.upsert({
    ...base,
    id: 'reply-1',
    role: 'assistant',
    text,
    status: 'streaming',
    createdAt,
    updatedAt: Date.now(),
  });
  // Pipes are written synchronously on Linux, so this line is out before the next write starts.
  process.stdout.write(`committed ${sentence}\n`);
}
