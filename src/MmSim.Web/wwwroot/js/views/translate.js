// Address translation: an address in, each level's index out (the document of mmsim translate --json); and
// segmentation's base/limit check.
import { t } from '../i18n.js';
import { api, state } from '../state.js';
import { esc } from '../format.js';

let el;
const form = { scheme: 'x86_64', address: '0x00007f1234567abc', page: '', segments: '0:1400:1000,1:6300:400,2:4300:400:r', segment: '2', offset: '53', access: 'r' };
let result = '', segResult = '', walkResult = '';
const walk = { pid: '', address: '', access: 'r' };

function draw() {
  el.innerHTML = `<h2>${esc(t('tr.heading'))}</h2>
    <div class="row"><div class="col">
      <label>${esc(t('tr.scheme'))} <select id="tr-scheme" data-testid="translate-scheme">
        ${['x86_64', 'x86_64_la57', 'i386', 'i386_pae'].map(s => `<option ${s === form.scheme ? 'selected' : ''}>${s}</option>`).join('')}</select></label>
      <label>${esc(t('tr.page'))} <select id="tr-page">${['', '2MiB', '1GiB', '4MiB'].map(p => `<option value="${p}" ${p === form.page ? 'selected' : ''}>${p || '4KiB'}</option>`).join('')}</select></label><br>
      <label>${esc(t('tr.address'))} <input type="text" size="24" id="tr-address" data-testid="translate-address" value="${esc(form.address)}"></label>
      <button class="primary" id="tr-run" data-testid="translate-run">${esc(t('tr.run'))}</button>
      <div data-testid="translate-result" id="tr-result">${result}</div>
    </div><div class="col">
      <h3>${esc(t('tr.seg_heading'))}</h3>
      <label>${esc(t('tr.segments'))}<br><input type="text" size="40" id="seg-table" data-testid="segment-table" value="${esc(form.segments)}"></label><br>
      <label>${esc(t('tr.segment'))} <input type="text" size="4" id="seg-n" data-testid="segment-number" value="${esc(form.segment)}"></label>
      <label>${esc(t('tr.seg_offset'))} <input type="text" size="8" id="seg-off" data-testid="segment-offset" value="${esc(form.offset)}"></label>
      <label>${esc(t('tr.access'))} <select id="seg-access">${['r', 'w', 'x'].map(a => `<option ${a === form.access ? 'selected' : ''}>${a}</option>`).join('')}</select></label>
      <button class="primary" id="seg-run" data-testid="segment-run">${esc(t('tr.run'))}</button>
      <div data-testid="segment-result" id="seg-result">${segResult}</div>
    </div></div>
    ${walkForm()}`;
  el.querySelector('#tr-run').onclick = translate;
  el.querySelector('#seg-run').onclick = segment;
  const wr = el.querySelector('#walk-run');
  if (wr) {
    wr.onclick = doWalk;
    el.querySelector('#walk-pid').onchange = e => { walk.pid = e.target.value; walk.address = ''; draw(); };
    el.querySelector('#walk-vma').onchange = e => { el.querySelector('#walk-address').value = e.target.value; };
  }
}

function procs() { return state.run ? state.run.lab.processes.filter(p => p.vmas.length > 0) : []; }

function walkForm() {
  const list = procs();
  if (list.length === 0) return '';
  if (!list.some(p => String(p.pid) === walk.pid)) { walk.pid = String(list[0].pid); walk.address = ''; }
  const p = list.find(x => String(x.pid) === walk.pid);
  if (!walk.address) walk.address = '0x' + (BigInt(p.vmas[0].start) + 0xabcn).toString(16);
  return `<h3>${esc(t('tr.walk_heading'))}</h3>
    <label>${esc(t('tr.pid'))} <select id="walk-pid" data-testid="walk-pid">${list.map(x => `<option value="${x.pid}" ${String(x.pid) === walk.pid ? 'selected' : ''}>${x.pid} ${esc(x.name)}</option>`).join('')}</select></label>
    <label>${esc(t('tr.vma'))} <select id="walk-vma">${p.vmas.map(v => `<option value="${esc(v.start)}">${esc(v.name)} ${esc(v.start)}–${esc(v.end)}</option>`).join('')}</select></label>
    <label>${esc(t('tr.address'))} <input type="text" size="20" id="walk-address" data-testid="walk-address" value="${esc(walk.address)}"></label>
    <label>${esc(t('tr.access'))} <select id="walk-access">${['r', 'w'].map(a => `<option ${a === walk.access ? 'selected' : ''}>${a}</option>`).join('')}</select></label>
    <button class="primary" id="walk-run" data-testid="walk-run">${esc(t('tr.walk'))}</button>
    <div data-testid="walk-result">${walkResult}</div>`;
}

async function doWalk() {
  read();
  walk.address = el.querySelector('#walk-address').value;
  walk.access = el.querySelector('#walk-access').value;
  const body = { pid: Number(walk.pid), address: walk.address, access: walk.access };
  if (state.builtin) body.builtin = state.builtin; else body.scenario = state.yaml;
  const r = await api('api/translate', JSON.stringify(body));
  if (r.status !== 200) walkResult = `<div class="error">${esc(r.doc.error)}</div>`;
  else {
    const d = r.doc;
    walkResult = `<table><tr><th class="l">${esc(t('tr.level'))}</th><th>${esc(t('tr.table_pfn'))}</th><th>${esc(t('tr.index'))}</th><th class="l">${esc(t('tr.entry'))}</th><th>${esc(t('tr.pfn'))}</th><th class="l">${esc(t('tr.flags'))}</th></tr>
      ${d.levels.map(l => `<tr data-testid="walk-level"><td class="l">${esc(l.name)}</td><td>${l.table_pfn}</td><td>${l.index}</td><td class="l"><code>${esc(l.entry)}</code></td><td>${l.pfn ?? '—'}</td><td class="l">${esc(l.flags)}</td></tr>`).join('')}</table>
      <p class="${d.fault ? 'error' : ''}">${esc(d.fault ? t('tr.walk_fault', { fault: d.fault, reason: d.reason }) : t('tr.walk_physical', { phys: d.physical, reason: d.reason }))}</p>`;
  }
  draw();
}

function read() {
  form.scheme = el.querySelector('#tr-scheme').value;
  form.page = el.querySelector('#tr-page').value;
  form.address = el.querySelector('#tr-address').value;
  form.segments = el.querySelector('#seg-table').value;
  form.segment = el.querySelector('#seg-n').value;
  form.offset = el.querySelector('#seg-off').value;
  form.access = el.querySelector('#seg-access').value;
}

async function translate() {
  read();
  const body = { scheme: form.scheme, address: form.address };
  if (form.page) body.page = form.page;
  const r = await api('api/translate', JSON.stringify(body));
  if (r.status !== 200) result = `<div class="error">${esc(r.doc.error)}</div>`;
  else {
    const d = r.doc;
    result = `<p>${esc(d.scheme)} ${esc(d.address)}: ${esc(t('tr.canonical'))} ${d.canonical ? '✓' : '✗'}, ${esc(t('tr.space'))} ${esc(d.space)}</p>
      <table><tr><th class="l">${esc(t('tr.level'))}</th><th>${esc(t('tr.index'))}</th><th>${esc(t('tr.hex'))}</th></tr>
      ${d.levels.map(l => `<tr data-testid="translate-level"><td class="l">${esc(l.name)}</td><td>${l.index}</td><td>0x${l.index.toString(16)}</td></tr>`).join('')}
      <tr><td class="l">${esc(t('tr.offset'))}</td><td>${d.offset}</td><td>0x${d.offset.toString(16)}</td></tr></table>`;
  }
  draw();
}

async function segment() {
  read();
  const r = await api('api/translate', JSON.stringify({ segments: form.segments, segment: Number(form.segment), offset: form.offset, access: form.access }));
  if (r.status !== 200) segResult = `<div class="error">${esc(r.doc.error)}</div>`;
  else segResult = r.doc.physical !== undefined
    ? `<p>${esc(t('tr.physical', { phys: r.doc.physical, off: r.doc.offset }))}</p>`
    : `<p class="error">${esc(t('tr.fault', { fault: r.doc.fault }))}</p>`;
  draw();
}

export default { id: 'translate', init(e) { el = e; draw(); }, render(what) { if (what === 'run' || what === 'show') draw(); } };
