// The page's strings, one file per language under i18n/ (a third language is one more file there).
import { size, dur, num } from './format.js';

let strings = {};
let current = 'en';

export async function load(lang) {
  const r = await fetch(`i18n/${lang}.json`);
  strings = await r.json();
  current = lang;
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : lang;
}
export function lang() { return current; }

// t('step.kswapd_wake', { free_kb: 23552 }): arguments ending in _kb are sizes, _ns durations; numbers get separators.
export function t(key, args) {
  const s = strings[key] ?? key;
  if (!args) return s;
  return s.replace(/\{(\w+)\}/g, (m, name) => {
    if (!(name in args)) return m;
    const v = args[name];
    if (name.endsWith('_kb')) return size(v);
    if (name.endsWith('_ns')) return dur(v);
    if (typeof v === 'number' && !['pid', 'next_pid'].includes(name)) return num(v);
    return String(v);
  });
}

// Fills the static texts of the page (data-i18n, data-i18n-title).
export function apply(root = document) {
  root.querySelectorAll('[data-i18n]').forEach(e => { e.textContent = t(e.dataset.i18n); });
  root.querySelectorAll('[data-i18n-title]').forEach(e => { e.title = t(e.dataset.i18nTitle); });
}
