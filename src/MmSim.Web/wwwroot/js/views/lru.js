// LRU lists: the five lists' sizes over time, and at the cursor their sizes and the moves since the last sample;
// on small machines also the pages of each list, head to tail, with the moves since the previous snapshot marked.
import { t } from '../i18n.js';
import { state, rows, cursorRow, cursorTime, downloadCanvas } from '../state.js';
import { esc, secs } from '../format.js';
import { timeChart, xs, column } from '../chart.js';

let el, chart = null, drawnFor = null;
const lists = ['Active(anon)', 'Inactive(anon)', 'Active(file)', 'Inactive(file)', 'Unevictable'];

function build() {
  el.innerHTML = `<h2>${esc(t('lru.heading'))}</h2><p class="muted">${esc(t('lru.note'))}</p>
    <div class="chart" data-testid="lru-chart" id="lru-chart"></div>
    <div class="downloads"><button id="lru-png">${esc(t('dl.png'))}</button></div>
    <table id="lru-table" data-testid="lru-table"></table><p id="lru-moves" data-testid="lru-moves"></p>
    <h3>${esc(t('lru.pages_heading'))}</h3><div id="lru-pages" data-testid="lru-pages"></div>`;
  if (chart) chart.destroy();
  const MiB = 1 / 1024;
  chart = timeChart(el.querySelector('#lru-chart'), {
    xLabel: t('timeline.time'), yLabel: t('timeline.mib'), height: 300,
    series: lists.map((n, i) => ({ label: n, stroke: ['#e8743b', '#f5b38f', '#1f6feb', '#8fb8f5', '#6b7280'][i], width: 2 })),
    data: [xs(), ...lists.map(n => column(n, MiB))],
  });
  el.querySelector('#lru-png').onclick = () => downloadCanvas('mmsim-lru.png', chart.ctx.canvas);
  drawnFor = state.run;
}

function follow() {
  chart.redraw(false, false);
  const c = state.run.timeline.columns, r = cursorRow();
  const prev = rows()[Math.max(0, state.cursor - 1)];
  const d = n => r[c.indexOf(n)] - prev[c.indexOf(n)];
  el.querySelector('#lru-table').innerHTML = `<tr><th class="l">${esc(t('lru.list'))}</th><th>${esc(t('lru.size'))}</th></tr>` +
    lists.map(n => `<tr><td class="l">${n}</td><td>${r[c.indexOf(n)].toLocaleString('en-US')} kB</td></tr>`).join('');
  el.querySelector('#lru-moves').textContent = t('lru.moves', {
    act: d('pgactivate'), deact: d('pgdeactivate'), steal: d('pgsteal_kswapd') + d('pgsteal_direct'), swap: d('pswpout'),
  });
  pages();
}

// The server's snapshot at or before the cursor (taken at the frame grid's points).
function snapshotAt(time) {
  const snaps = state.run.lab.lru_pages.snapshots;
  let s = snaps[0];
  for (const x of snaps) if (x.time_ns <= time) s = x;
  return s;
}

const moveKinds = ['added', 'activated', 'deactivated', 'reclaimed', 'freed'];

function owner(p, files) {
  return p[1] === 1 ? t('lru.owner_file', { file: files[p[2]] ?? '?', index: String(p[3]) })
    : p[2] >= 0 ? t('lru.owner_anon', { pid: String(p[2]), vpn: '0x' + p[3].toString(16) }) : t('lru.owner_anon_none');
}

function pages() {
  const box = el.querySelector('#lru-pages');
  const lp = state.run.lab.lru_pages;
  const snap = lp && snapshotAt(cursorTime());
  if (!snap) { box.innerHTML = ''; return; }
  if (!snap.lists) {
    box.innerHTML = `<p class="muted">${esc(t('lru.pages_too_many', { max: lp.max_pages.toLocaleString('en-US'), time: secs(snap.time_ns) }))}</p>`;
    return;
  }
  const mark = new Map();
  // Rows are pages on the lists now: added, activated or deactivated (a reclaimed or freed page is gone; its
  // frame may hold a newly added page, listed below the lists).
  for (const k of ['added', 'activated', 'deactivated']) for (const pfn of snap.moves[k]) mark.set(pfn, k);
  const legend = moveKinds.map(k => `<span><i class="mv-${k}"></i>${esc(t('lru.mv_' + k))}: ${snap.moves[k].length}</span>`).join('');
  const gone = [...snap.moves.reclaimed.map(p => [p, 'reclaimed']), ...snap.moves.freed.map(p => [p, 'freed'])];
  box.innerHTML = `<p>${esc(t('lru.pages_caption', { time: secs(snap.time_ns), max: lp.max_pages.toLocaleString('en-US') }))}</p>
    <div class="legend">${legend}</div>
    <div class="lru-cols">${snap.lists.map((list, i) => `<div class="lru-col" data-list="${esc(lp.lists[i])}">
      <h4>${esc(lp.lists[i])} <span class="muted">(${list.length})</span></h4>
      <div class="lru-scroll"><table><tr><th>#</th><th>pfn</th><th class="l">${esc(t('lru.owner'))}</th></tr>
      ${list.map((p, n) => `<tr class="${mark.has(p[0]) ? 'mv-' + mark.get(p[0]) : ''}" data-pfn="${p[0]}"><td>${n === 0 ? esc(t('lru.head')) : n === list.length - 1 ? esc(t('lru.tail')) : n}</td><td>${p[0]}</td><td class="l">${esc(owner(p, lp.files))}</td></tr>`).join('')}
      </table></div></div>`).join('')}</div>
    ${gone.length ? `<p data-testid="lru-gone">${esc(t('lru.gone'))} ${runs(gone).map(([a, b, k]) =>
      `<span class="mv-${k}" data-count="${b - a + 1}">${a === b ? a : a + '–' + b}</span>`).join(' ')}</p>` : ''}`;
}

// Runs of consecutive frames of one kind, [first, last, kind], so that hundreds of reclaimed pages stay one line.
function runs(gone) {
  const out = [];
  for (const [p, k] of [...gone].sort((x, y) => x[0] - y[0])) {
    const r = out[out.length - 1];
    if (r && r[2] === k && r[1] === p - 1) r[1] = p; else out.push([p, p, k]);
  }
  return out;
}

export default {
  id: 'lru',
  init(e) { el = e; drawnFor = null; el.innerHTML = ''; },
  render() {
    if (el.hidden) return;
    if (!state.run) { el.innerHTML = `<p class="muted">${esc(t('scenario.need_run'))}</p>`; return; }
    if (drawnFor !== state.run || !chart) build();
    follow();
  },
};
