// Compare: the Scenario tab's scenario under two settings, side by side.
import { t } from '../i18n.js';
import { api } from '../state.js';
import { esc, size } from '../format.js';
import { currentYaml } from './scenario.js';

let el;
const form = { a: 'machine.swap=512MiB', b: 'machine.swap=0' };
let docs = null, error = '';

const counters = ['pswpout', 'pswpin', 'pgsteal_kswapd', 'pgsteal_direct', 'pgscan_kswapd', 'pgscan_direct', 'pgmajfault', 'oom_kill', 'allocstall_movable'];

function chartSvg(doc) {
  // A small line chart of free and anonymous memory, drawn as SVG (two side by side, same scale).
  const rows = doc.timeline.rows, c = doc.timeline.columns;
  const W = 420, H = 160, maxT = rows[rows.length - 1][0] || 1;
  const maxY = Math.max(...rows.map(r => Math.max(r[c.indexOf('MemFree')], r[c.indexOf('AnonPages')], r[c.indexOf('SwapUsed')])), 1);
  const line = (name, colour) => `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${rows.map(r => `${(r[0] / maxT * W).toFixed(1)},${(H - r[c.indexOf(name)] / maxY * H).toFixed(1)}`).join(' ')}"/>`;
  return `<svg width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" style="border:1px solid #d9dde3;background:#fff">
    ${line('MemFree', '#2ca02c')}${line('AnonPages', '#e8743b')}${line('SwapUsed', '#9467bd')}</svg>`;
}

function draw() {
  let out = '';
  if (docs) {
    out = `<div class="row">${docs.map((d, i) => `<div class="col"><h3>${esc(i === 0 ? form.a : form.b)}</h3>${d.error
      ? `<div class="error">${esc(d.error)}</div>` : chartSvg(d)}</div>`).join('')}</div>
      <p class="muted"><span style="color:#2ca02c">■</span> ${esc(t('timeline.free'))} <span style="color:#e8743b">■</span> ${esc(t('timeline.anon'))} <span style="color:#9467bd">■</span> ${esc(t('timeline.swap'))}</p>`;
    if (!docs.some(d => d.error)) {
      out += `<table data-testid="compare-table"><tr><th class="l">${esc(t('cmp.counter'))}</th><th>A</th><th>B</th></tr>
        ${counters.map(n => `<tr><td class="l">${n}</td><td>${docs[0].vmstat[n] ?? 0}</td><td>${docs[1].vmstat[n] ?? 0}</td></tr>`).join('')}
        ${docs[0].processes.map((p, i) => `<tr><td class="l">${esc(p.name)}[${p.pid}]</td><td>${esc(p.state)}, VmRSS ${size(p.VmRSS)}, VmSwap ${size(p.VmSwap)}</td>
          <td>${esc(docs[1].processes[i]?.state ?? '')}, VmRSS ${size(docs[1].processes[i]?.VmRSS ?? 0)}, VmSwap ${size(docs[1].processes[i]?.VmSwap ?? 0)}</td></tr>`).join('')}</table>`;
    }
  }
  el.innerHTML = `<h2>${esc(t('cmp.heading'))}</h2><p class="muted">${esc(t('cmp.hint'))}</p>
    <label>${esc(t('cmp.a'))} <input type="text" size="30" id="cmp-a" data-testid="compare-a" value="${esc(form.a)}"></label>
    <label>${esc(t('cmp.b'))} <input type="text" size="30" id="cmp-b" data-testid="compare-b" value="${esc(form.b)}"></label>
    <button class="primary" id="cmp-run" data-testid="compare-run">${esc(t('cmp.run'))}</button>
    <div data-testid="compare-result">${error ? `<div class="error">${esc(error)}</div>` : ''}${out}</div>`;
  el.querySelector('#cmp-run').onclick = run;
}

async function run() {
  form.a = el.querySelector('#cmp-a').value;
  form.b = el.querySelector('#cmp-b').value;
  const { yaml, builtin } = currentYaml();
  const one = async setting => {
    const q = new URLSearchParams();
    if (builtin) q.set('builtin', builtin);
    for (const s of setting.split(';').map(x => x.trim()).filter(Boolean)) q.append('set', s);
    const r = await api('api/run', builtin ? '' : yaml, '?' + q.toString());
    return r.status === 200 ? r.doc : { error: t('err.server', { status: r.status, error: r.doc.error }) };
  };
  docs = await Promise.all([one(form.a), one(form.b)]);
  error = '';
  draw();
}

export default { id: 'compare', init(e) { el = e; draw(); } };
