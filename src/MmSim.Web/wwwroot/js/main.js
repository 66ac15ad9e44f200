// The web lab's entry point: language, tabs, the shared time cursor and step buttons, and the views.
import * as i18n from './i18n.js';
import { state, onChange, setCursor, setStep, rows, cursorTime } from './state.js';
import { secs } from './format.js';
import { stepSentence } from './views/timeline.js';
import scenario from './views/scenario.js';
import timeline from './views/timeline.js';
import memory from './views/memory.js';
import lru from './views/lru.js';
import processes from './views/processes.js';
import translate from './views/translate.js';
import replace from './views/replace.js';
import compare from './views/compare.js';

const views = [scenario, timeline, memory, lru, processes, translate, replace, compare];
let active = 'scenario';

function show(id) {
  active = id;
  for (const v of views) {
    document.getElementById('view-' + v.id).hidden = v.id !== id;
    document.getElementById('tab-' + v.id).setAttribute('aria-selected', String(v.id === id));
  }
  views.find(v => v.id === id).render?.('show');
  document.getElementById('cursorbar').hidden = !state.run || ['translate', 'replace', 'compare', 'scenario'].includes(id) && !state.run;
}

function renderTabs() {
  const nav = document.getElementById('tabs');
  nav.innerHTML = '';
  for (const v of views) {
    const b = document.createElement('button');
    b.id = 'tab-' + v.id;
    b.dataset.testid = 'tab-' + v.id;
    b.setAttribute('data-testid', 'tab-' + v.id);
    b.setAttribute('role', 'tab');
    b.textContent = i18n.t('tab.' + v.id);
    b.onclick = () => show(v.id);
    nav.appendChild(b);
  }
}

function renderCursorBar() {
  const bar = document.getElementById('cursorbar');
  bar.hidden = !state.run;
  if (!state.run) return;
  const slider = document.getElementById('cursor');
  slider.max = String(rows().length - 1);
  slider.value = String(state.cursor);
  document.getElementById('cursor-time').textContent = secs(cursorTime());
  const steps = state.run.lab.steps;
  document.getElementById('step-sentence').textContent = state.step >= 0 && steps[state.step]
    ? `${state.step + 1}/${steps.length} · ${stepSentence(steps[state.step])}` : '';
}

async function setLanguage(lang) {
  await i18n.load(lang);
  localStorage.setItem('mmsim.lang', lang);
  i18n.apply();
  renderTabs();
  for (const v of views) v.init?.(document.getElementById('view-' + v.id), true);
  show(active);
  renderCursorBar();
}

async function start() {
  const langs = await (await fetch('api/languages')).json();
  const select = document.getElementById('lang');
  for (const l of langs) {
    const o = document.createElement('option');
    o.value = l;
    o.textContent = l === 'zh' ? '中文' : l === 'en' ? 'English' : l;
    select.appendChild(o);
  }
  // The first choice comes from the browser's Accept-Language (the server put it in <html lang>), then the user's.
  const first = localStorage.getItem('mmsim.lang') || document.documentElement.lang || 'en';
  select.value = langs.includes(first) ? first : 'en';
  select.onchange = () => setLanguage(select.value);
  document.getElementById('cursor').oninput = e => setCursor(Number(e.target.value));
  document.getElementById('step-forward').onclick = () => setStep(state.step + 1);
  document.getElementById('step-back').onclick = () => setStep(state.step - 1);
  document.addEventListener('keydown', e => {
    if (!state.run || e.target.closest('textarea, input, select')) return;
    if (e.key === 'ArrowRight') setStep(state.step + 1);
    if (e.key === 'ArrowLeft') setStep(state.step - 1);
  });
  onChange(what => {
    renderCursorBar();
    for (const v of views) if (v.id === active || what === 'run') v.render?.(what);
    if (what === 'run') show('timeline');
  });
  await setLanguage(select.value);
  document.body.dataset.ready = 'true';
}

start();
