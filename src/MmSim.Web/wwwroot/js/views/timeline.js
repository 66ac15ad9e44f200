// Timeline and step mode: memory over time with the watermarks and the events marked, the event list with one
// sentence per event, downloads.
import { t } from '../i18n.js';
import { state, rows, setStep, download, downloadCanvas } from '../state.js';
import { esc, secs } from '../format.js';
import { timeChart, xs, column } from '../chart.js';

let el, chart = null, drawnFor = null;

export function stepSentence(s) {
  return t('step.' + s.kind, { ...s.args, message: s.message ?? '' });
}

function csv() {
  const cols = state.run.timeline.columns;
  return [cols.join(','), ...rows().map(r => r.join(','))].join('\n') + '\n';
}

function build() {
  const run = state.run;
  el.innerHTML = `
    <h2>${esc(t('timeline.heading'))}</h2>
    <p class="muted">${esc(t('timeline.hint'))}</p>
    <div class="chart" data-testid="timeline" id="timeline-chart"></div>
    <p class="muted">${esc(t('timeline.legend_markers'))}</p>
    <div class="downloads">
      <button data-testid="download-json" id="dl-json">${esc(t('dl.json'))}</button>
      <button data-testid="download-csv" id="dl-csv">${esc(t('dl.csv'))}</button>
      <button data-testid="download-png" id="dl-png">${esc(t('dl.png'))}</button>
    </div>
    <h2>${esc(t('timeline.events'))}</h2>
    <ul class="events" data-testid="event-list" id="event-list"></ul>
    ${run.lab.steps_dropped ? `<p class="muted">${esc(t('steps.dropped', { n: run.lab.steps_dropped }))}</p>` : ''}`;
  const MiB = 1 / 1024;
  const w = run.lab.watermarks_kb;
  const n = rows().length;
  const flat = v => new Array(n).fill(v * MiB);
  const box = el.querySelector('#timeline-chart');
  // Event marks, as elements over the plot so that they can be pointed at (and found by tests).
  const layer = document.createElement('div');
  layer.className = 'markers';
  if (chart) chart.destroy();
  chart = timeChart(box, {
    xLabel: t('timeline.time'), yLabel: t('timeline.mib'),
    series: [
      { label: t('timeline.free'), stroke: '#2ca02c', width: 2 },
      { label: t('timeline.anon'), stroke: '#e8743b', width: 2 },
      { label: t('timeline.file'), stroke: '#4c9be8', width: 2 },
      { label: t('timeline.dirty'), stroke: '#1b4f9c', width: 1 },
      { label: t('timeline.swap'), stroke: '#9467bd', width: 2 },
      { label: t('timeline.wmark_min'), stroke: '#d62728', width: 1, dash: [4, 4] },
      { label: t('timeline.wmark_low'), stroke: '#ff7f0e', width: 1, dash: [4, 4] },
      { label: t('timeline.wmark_high'), stroke: '#bcbd22', width: 1, dash: [4, 4] },
    ],
    // The marks are placed once the scales exist (uPlot draws after construction), and again on each redraw.
    onDraw: u => layer.querySelectorAll('.marker').forEach(m => { m.style.left = u.valToPos(Number(m.dataset.t) / 1e9, 'x') + 'px'; }),
    data: [xs(), column('MemFree', MiB), column('AnonPages', MiB), column('Cached', MiB), column('Dirty', MiB),
      column('SwapUsed', MiB), flat(w.min), flat(w.low), flat(w.high)],
  });
  chart.over.appendChild(layer);
  run.lab.steps.forEach((s, k) => {
    if (!['oom_kill', 'oom_kill_next', 'oom_kill_allocating', 'kswapd_wake', 'direct_reclaim', 'swap_out'].includes(s.kind)) return;
    const m = document.createElement('div');
    m.className = 'marker';
    m.dataset.kind = s.kind;
    m.setAttribute('data-testid', 'timeline-marker');
    m.dataset.t = String(s.time_ns);
    m.style.left = chart.valToPos(s.time_ns / 1e9, 'x') + 'px';
    m.style.height = '100%';
    m.title = `${secs(s.time_ns)}: ${stepSentence(s)}`;
    if (s.kind.startsWith('oom_kill')) m.innerHTML = `<span class="tag">OOM: ${esc(s.args.comm)}</span>`;
    m.onclick = () => setStep(k);
    layer.appendChild(m);
  });

  const list = el.querySelector('#event-list');
  list.innerHTML = run.lab.steps.map((s, k) => `<li data-index="${k}" data-kind="${esc(s.kind)}" data-testid="event">
      <span class="t">${secs(s.time_ns)}</span><span class="s">${esc(stepSentence(s))}</span>
      ${s.message ? `<span class="msg">${esc(s.message)}</span>` : ''}</li>`).join('');
  list.onclick = e => { const li = e.target.closest('li'); if (li) setStep(Number(li.dataset.index)); };
  el.querySelector('#dl-json').onclick = () => download('mmsim-report.json', JSON.stringify(state.run, null, 2), 'application/json');
  el.querySelector('#dl-csv').onclick = () => download('mmsim-timeline.csv', csv(), 'text/csv');
  el.querySelector('#dl-png').onclick = () => downloadCanvas('mmsim-timeline.png', chart.ctx.canvas);
  drawnFor = state.run;
}

function follow() {
  if (!chart) return;
  chart.redraw(false, false);
  const list = el.querySelector('#event-list');
  list.querySelectorAll('li.current').forEach(li => li.classList.remove('current'));
  const li = list.querySelector(`li[data-index="${state.step}"]`);
  if (li) {
    li.classList.add('current');
    list.scrollTop = li.offsetTop - list.offsetTop - list.clientHeight / 2;
  }
}

export default {
  id: 'timeline',
  init(e) {
    el = e;
    drawnFor = null;
    if (!state.run) el.innerHTML = `<p class="muted">${esc(t('scenario.need_run'))}</p>`;
  },
  render(what) {
    if (!state.run || el.hidden) return;
    if (drawnFor !== state.run || what === 'show' && !chart) build();
    follow();
  },
};
