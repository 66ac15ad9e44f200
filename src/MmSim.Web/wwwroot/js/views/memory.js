// Physical memory: the frames as a grid coloured by use, at the cursor (the server sends at most 4096 cells,
// each the dominant use of its frames, so a million frames draw as fast as a thousand).
import { t } from '../i18n.js';
import { state, cursorTime, cursorRow, downloadCanvas } from '../state.js';
import { esc, secs, size } from '../format.js';

const colours = ['#e8eaed', '#e8743b', '#4c9be8', '#1b4f9c', '#a56de2', '#6b7280', '#ffffff'];
let el;

function snapshotAt(time) {
  const snaps = state.run.lab.frames.snapshots;
  let s = snaps[0];
  for (const x of snaps) if (x.time_ns <= time) s = x;
  return s;
}

function draw() {
  if (!state.run) { el.innerHTML = `<p class="muted">${esc(t('scenario.need_run'))}</p>`; return; }
  const f = state.run.lab.frames;
  const snap = snapshotAt(cursorTime());
  const cols = Math.ceil(Math.sqrt(f.cells * 2));
  const rowsN = Math.ceil(f.cells / cols);
  const cell = Math.max(3, Math.min(14, Math.floor(1100 / cols)));
  if (!el.querySelector('canvas')) {
    el.innerHTML = `<h2>${esc(t('memory.heading'))}</h2><p id="mem-caption"></p>
      <div class="legend">${f.categories.map((c, i) => `<span><i style="background:${colours[i]}"></i>${esc(t('memory.' + c))}</span>`).join('')}</div>
      <canvas class="grid" data-testid="memory-grid"></canvas>
      <div class="downloads"><button id="mem-png" data-testid="download-memory-png">${esc(t('dl.png'))}</button></div>
      <h3>${esc(t('memory.meminfo'))}</h3><table id="meminfo"></table>`;
    el.querySelector('#mem-png').onclick = () => downloadCanvas('mmsim-memory.png', el.querySelector('canvas'));
  }
  const canvas = el.querySelector('canvas');
  canvas.width = cols * cell;
  canvas.height = rowsN * cell;
  const ctx = canvas.getContext('2d');
  for (let i = 0; i < f.cells; i++) {
    ctx.fillStyle = colours[snap.cells.charCodeAt(i) - 48];
    ctx.fillRect((i % cols) * cell, Math.floor(i / cols) * cell, cell - (cell > 4 ? 1 : 0), cell - (cell > 4 ? 1 : 0));
  }
  el.querySelector('#mem-caption').textContent = t('memory.caption', {
    frames: f.count.toLocaleString('en-US'), page: size(state.run.lab.page_size / 1024), per: f.per_cell, time: secs(snap.time_ns),
  });
  const r = cursorRow(), c = state.run.timeline.columns;
  const shown = ['MemFree', 'MemAvailable', 'AnonPages', 'Cached', 'Dirty', 'PageTables', 'SwapUsed'];
  el.querySelector('#meminfo').innerHTML = shown.map(n => `<tr><th class="l">${n}</th><td>${r[c.indexOf(n)].toLocaleString('en-US')} kB</td></tr>`).join('');
}

export default {
  id: 'memory',
  init(e) { el = e; el.innerHTML = ''; },
  render() { if (!el.hidden) draw(); },
};
