// Page replacement: a reference string and frame counts in, the textbook table out (mmsim replay --explain).
import { t } from '../i18n.js';
import { api } from '../state.js';
import { esc } from '../format.js';

let el;
const form = { refs: '7,0,1,2,0,3,0,4,2,3,0,3,2,1,2,0,1,7,0,1', frames: '3', policies: 'fifo,lru,opt' };
let result = '';

function draw() {
  el.innerHTML = `<h2>${esc(t('rp.heading'))}</h2>
    <label>${esc(t('rp.refs'))} <input type="text" size="50" id="rp-refs" data-testid="replay-refs" value="${esc(form.refs)}"></label>
    <label>${esc(t('rp.frames'))} <input type="text" size="6" id="rp-frames" data-testid="replay-frames" value="${esc(form.frames)}"></label>
    <label>${esc(t('rp.policies'))} <input type="text" size="22" id="rp-policies" data-testid="replay-policies" value="${esc(form.policies)}"></label>
    <button class="primary" id="rp-run" data-testid="replay-run">${esc(t('rp.run'))}</button>
    <button id="rp-belady" data-testid="replay-belady" title="${esc(t('rp.belady_note'))}">${esc(t('rp.belady'))}</button>
    <div id="rp-result" data-testid="replay-result">${result}</div>`;
  el.querySelector('#rp-run').onclick = run;
  el.querySelector('#rp-belady').onclick = () => {
    form.refs = '1,2,3,4,1,2,5,1,2,3,4,5'; form.frames = '3,4'; form.policies = 'fifo';
    draw();
    run();
  };
}

async function run() {
  form.refs = el.querySelector('#rp-refs').value;
  form.frames = el.querySelector('#rp-frames').value;
  form.policies = el.querySelector('#rp-policies').value;
  const frames = form.frames.split(/[ ,]+/).filter(Boolean).map(Number);
  const policies = form.policies.split(/[ ,]+/).filter(Boolean);
  const r = await api('api/replay', JSON.stringify({ refs: form.refs, frames, policies, explain: true }));
  if (r.status !== 200) { result = `<div class="error">${esc(r.doc.error)}</div>`; draw(); return; }
  const d = r.doc;
  let html = `<table><tr><th class="l">${esc(t('rp.policy'))}</th><th>${esc(t('rp.frames'))}</th><th>${esc(t('rp.faults'))}</th><th>${esc(t('rp.hits'))}</th><th>${esc(t('rp.ratio'))}</th></tr>
    ${d.results.map(x => `<tr data-testid="replay-row" data-policy="${esc(x.policy)}" data-frames="${x.frames}" data-faults="${x.misses}">
      <td class="l">${esc(x.policy)}</td><td>${x.frames}</td><td>${x.misses}</td><td>${x.hits}</td><td>${x.miss_ratio.toFixed(3)}</td></tr>`).join('')}</table>`;
  for (const ex of d.explain ?? []) {
    html += `<h3>${esc(t('rp.table', { policy: ex.policy, frames: ex.frames, faults: ex.faults }))}</h3>
      <table class="textbook"><tr><th class="l">${esc(t('rp.ref'))}</th>${ex.steps.map(s => `<th>${s.ref}</th>`).join('')}</tr>`;
    for (let f = 0; f < ex.frames; f++)
      html += `<tr><th class="l">${esc(t('rp.frame', { n: f }))}</th>${ex.steps.map(s => `<td class="${s.fault ? 'fault' : ''}">${s.frames[f] ?? ''}</td>`).join('')}</tr>`;
    html += `<tr><th class="l">${esc(t('rp.fault_row'))}</th>${ex.steps.map(s => `<td class="f">${s.fault ? '*' : ''}</td>`).join('')}</tr>
      <tr><th class="l">${esc(t('rp.evicted'))}</th>${ex.steps.map(s => `<td>${s.evicted ?? ''}</td>`).join('')}</tr></table>`;
  }
  result = html;
  draw();
}

export default { id: 'replace', init(e) { el = e; draw(); } };
