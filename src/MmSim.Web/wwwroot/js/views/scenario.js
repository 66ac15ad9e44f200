// Scenario view: pick a built-in (with its explanation) or edit YAML; errors from the CLI's parser at their line.
import { t, lang } from '../i18n.js';
import { state, changed, api } from '../state.js';
import { esc, dur, num } from '../format.js';

let scenarios = null;
let el;
let selected = 'oom-protect';
let yaml = '';
let builtinText = '';
let message = null; // { kind: 'error'|'info', text, line }

async function loadBuiltin(name) {
  const r = await fetch('api/scenarios/' + encodeURIComponent(name));
  builtinText = yaml = await r.text();
  selected = name;
  message = null;
}

function gutter(text, badLine) {
  const n = text.split('\n').length;
  let out = '';
  for (let i = 1; i <= n; i++) out += i === badLine ? `<span class="bad">${i}</span>\n` : i + '\n';
  return out;
}

function draw() {
  const s = scenarios.find(x => x.name === selected);
  const desc = s ? (lang() === 'zh' && s.description_zh ? s.description_zh : s.description) : '';
  el.innerHTML = `
    <h2>${esc(t('scenario.heading'))}</h2>
    <div class="row">
      <div class="col">
        <label>${esc(t('scenario.pick'))}
          <select data-testid="scenario-select" id="scenario-select">
            ${scenarios.map(x => `<option value="${esc(x.name)}" ${x.name === selected ? 'selected' : ''}>${esc(x.name)} — ${esc(x.title ?? '')}</option>`).join('')}
            <option value="" ${selected === '' ? 'selected' : ''}>${esc(t('scenario.custom'))}</option>
          </select></label>
        <p class="desc" data-testid="scenario-description">${esc(desc ?? '')}</p>
        <button class="primary" data-testid="run" id="run">${esc(t('scenario.run'))}</button>
        <div id="scenario-message" data-testid="scenario-message">${message
          ? `<div class="${message.kind}" data-testid="${message.kind === 'error' ? 'scenario-error' : 'scenario-info'}">${esc(message.text)}</div>` : ''}</div>
      </div>
      <div class="col">
        <div class="muted">${esc(t('scenario.editor'))}</div>
        <div class="editor"><div class="gutter" data-testid="gutter">${gutter(yaml, message?.line)}</div>
          <textarea data-testid="scenario-yaml" id="scenario-yaml" spellcheck="false"></textarea></div>
      </div>
    </div>`;
  const ta = el.querySelector('#scenario-yaml');
  ta.value = yaml;
  const fit = () => { ta.style.height = 'auto'; ta.style.height = ta.scrollHeight + 'px'; };
  ta.oninput = () => {
    yaml = ta.value;
    el.querySelector('.gutter').innerHTML = gutter(yaml, 0);
    fit();
  };
  setTimeout(fit, 0);
  el.querySelector('#scenario-select').onchange = async e => {
    if (e.target.value) await loadBuiltin(e.target.value); else selected = '';
    draw();
  };
  el.querySelector('#run').onclick = run;
}

export async function run() {
  const btn = el.querySelector('#run');
  btn.disabled = true;
  message = { kind: 'info', text: t('scenario.running') };
  el.querySelector('#scenario-message').innerHTML = `<div class="muted">${esc(message.text)}</div>`;
  // An unchanged built-in runs as `mmsim run NAME` does (same source and name in the report).
  const unchanged = selected && yaml === builtinText;
  const r = await api('api/run', unchanged ? '' : yaml, unchanged ? '?builtin=' + encodeURIComponent(selected) : '');
  btn.disabled = false;
  if (r.status !== 200) {
    message = r.status === 400 && r.doc.line > 0
      ? { kind: 'error', text: t('scenario.error_at', { line: r.doc.line, error: r.doc.error }), line: r.doc.line }
      : { kind: 'error', text: t('err.server', { status: r.status, error: r.doc.error }) };
    draw();
    return;
  }
  message = { kind: 'info', text: t('scenario.ran', { time: dur(r.doc.simulated_ns), accesses: num(r.doc.lab.accesses), wall: (r.wallMs ?? '?') + ' ms' }) };
  state.run = r.doc;
  state.yaml = yaml;
  state.builtin = unchanged ? selected : null;
  state.cursor = r.doc.timeline.rows.length - 1;
  state.step = -1;
  draw();
  changed('run');
}

export function currentYaml() { return { yaml, builtin: selected && yaml === builtinText ? selected : null }; }

export default {
  id: 'scenario',
  async init(e) {
    el = e;
    if (!scenarios) {
      scenarios = await (await fetch('api/scenarios')).json();
      await loadBuiltin(selected);
    }
    draw();
  },
};
