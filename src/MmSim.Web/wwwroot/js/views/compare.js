// Compare: the Scenario tab's scenario under two settings, side by side.
import { t } from '../i18n.js';
import { api, downloadCanvas } from '../state.js';
import { esc, size } from '../format.js';
import { currentYaml } from './scenario.js';

let el;
const form = { a: 'machine.swap=512MiB', b: 'machine.swap=0' };
let docs = null, error = '';

const counters = ['pswpout', 'pswpin', 'pgsteal_kswapd', 'pgsteal_direct', 'pgscan_kswapd', 'pgscan_direct', 'pgmajfault', 'oom_kill', 'allocstall_movable'];

// Two uPlot charts of free, anonymous and swap-used memory, on the same scales so that they compare.
function charts() {
  const all = docs.filter(d => !d.error);
  const maxT = Math.max(...all.map(d => d.simulated_ns / 1e9), 0.001);
  const maxY = Math.max(...all.flatMap(d => {
    const c = d.timeline.columns;
    return d.timeline.rows.map(r => Math.max(r[c.indexOf('MemFree')], r[c.indexOf('AnonPages')], r[c.indexOf('SwapUsed')]) / 1024);
  }), 1);
  docs.forEach((d, i) => {
    if (d.error) return;
    const c = d.timeline.columns, rows = d.timeline.rows;
    const col = n => rows.map(r => r[c.indexOf(n)] / 1024);
    const box = el.querySelector('#cmp-chart-' + i);
    const u = new uPlot({
      width: Math.max(360, box.clientWidth || 520), height: 240,
      scales: { x: { time: false, range: [0, maxT] }, y: { range: [0, maxY * 1.05] } },
      axes: [{ label: t('timeline.time') }, { label: t('timeline.mib'), size: 60 }],
      series: [{}, { label: t('timeline.free'), stroke: '#2ca02c', width: 2 }, { label: t('timeline.anon'), stroke: '#e8743b', width: 2 },
        { label: t('timeline.swap'), stroke: '#9467bd', width: 2 }],
      legend: { show: i === 0 },
    }, [rows.map(r => r[0] / 1e9), col('MemFree'), col('AnonPages'), col('SwapUsed')], box);
    box.querySelector('canvas').setAttribute('data-testid', 'compare-chart');
    // A PNG of each chart, as the other views' charts have (the same helper).
    el.querySelector('#cmp-png-' + i).onclick = () => downloadCanvas(`mmsim-compare-${i === 0 ? 'a' : 'b'}.png`, u.ctx.canvas);
  });
}

function draw() {
  let out = '';
  if (docs) {
    out = `<div class="row">${docs.map((d, i) => `<div class="col"><h3>${esc(i === 0 ? form.a : form.b)}</h3>${d.error
      ? `<div class="error">${esc(d.error)}</div>` : `<div class="chart" id="cmp-chart-${i}"></div>
      <div class="downloads"><button id="cmp-png-${i}" data-testid="download-compare-png-${i === 0 ? 'a' : 'b'}">${esc(t('dl.png'))}</button></div>`}</div>`).join('')}</div>`;
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
  if (docs) charts();
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
