// uPlot helpers: a chart over the run's time with the shared cursor drawn as a line, clicking and dragging on
// it moves the cursor.
import { state, rows, rowAt, setCursor, cursorTime } from './state.js';

export function timeChart(container, { series, data, yLabel, xLabel, height = 340, onDraw = null }) {
  const width = Math.max(480, container.clientWidth || 900);
  const u = new uPlot({
    width, height,
    scales: { x: { time: false } },
    axes: [{ label: xLabel }, { label: yLabel, size: 70 }],
    series: [{ label: xLabel, value: (u, v) => v == null ? '' : v.toFixed(3) + ' s' }, ...series],
    cursor: { drag: { x: false, y: false, setScale: false } },
    legend: { live: true },
    hooks: {
      draw: [u => {
        const x = u.valToPos(cursorTime() / 1e9, 'x', true);
        const ctx = u.ctx;
        ctx.save();
        ctx.strokeStyle = '#111';
        ctx.lineWidth = 2 * devicePixelRatio;
        ctx.beginPath();
        ctx.moveTo(x, u.bbox.top);
        ctx.lineTo(x, u.bbox.top + u.bbox.height);
        ctx.stroke();
        ctx.restore();
        if (onDraw) onDraw(u);
      }],
    },
  }, data, container);
  let down = false;
  const move = e => {
    const t = u.posToVal(e.offsetX, 'x');
    setCursor(rowAt(t * 1e9));
  };
  u.over.addEventListener('mousedown', e => { down = true; move(e); });
  u.over.addEventListener('mousemove', e => { if (down) move(e); });
  window.addEventListener('mouseup', () => { down = false; });
  return u;
}

export function xs() { return rows().map(r => r[0] / 1e9); }
export function column(name, scale = 1) {
  const i = state.run.timeline.columns.indexOf(name);
  return rows().map(r => r[i] * scale);
}
