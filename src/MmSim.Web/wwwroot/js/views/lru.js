// LRU lists: the five lists' sizes over time, and at the cursor their sizes and the moves since the last sample.
import { t } from '../i18n.js';
import { state, rows, cursorRow, downloadCanvas } from '../state.js';
import { esc } from '../format.js';
import { timeChart, xs, column } from '../chart.js';

let el, chart = null, drawnFor = null;
const lists = ['Active(anon)', 'Inactive(anon)', 'Active(file)', 'Inactive(file)', 'Unevictable'];

function build() {
  el.innerHTML = `<h2>${esc(t('lru.heading'))}</h2><p class="muted">${esc(t('lru.note'))}</p>
    <div class="chart" data-testid="lru-chart" id="lru-chart"></div>
    <div class="downloads"><button id="lru-png">${esc(t('dl.png'))}</button></div>
    <table id="lru-table" data-testid="lru-table"></table><p id="lru-moves" data-testid="lru-moves"></p>`;
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
