import { mount } from 'svelte';
import App from './App.svelte';
import { resolveLocale, translate, translateProblem } from './i18n/translate.ts';
import { Lumi } from './state/lumi.svelte.ts';
import './styles/global.css';

const target = document.getElementById('app');
if (target === null) throw new Error('index.html has no #app element');

const started = await Lumi.start(window.lumi, navigator.language);
if (started.ok) {
  mount(App, { target, props: { lumi: started.value } });
} else {
  // Without a snapshot there is nothing to draw; say so in the system language.
  const message = document.createElement('p');
  message.className = 'startup-failed';
  const locale = resolveLocale('system', navigator.language);
  message.textContent = translate(locale, 'startup.failed', {
    message: translateProblem(locale, started.problem),
  });
  target.replaceChildren(message);
}
