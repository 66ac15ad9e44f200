// What the views share: the run's document, the time cursor (an index into the timeline's rows) and the
// current step; views register a render function and are redrawn when these change.
export const state = { run: null, cursor: 0, step: -1, yaml: '', builtin: null };
const listeners = [];
export function onChange(fn) { listeners.push(fn); }
export function changed(what) { for (const fn of listeners) fn(what); }

export function col(name) { return state.run.timeline.columns.indexOf(name); }
export function rows() { return state.run ? state.run.timeline.rows : []; }
export function cursorRow() { const r = rows(); return r[Math.min(state.cursor, r.length - 1)]; }
export function cursorTime() { const r = cursorRow(); return r ? r[0] : 0; }

// The first row at or after a time (the machine's state just after an event).
export function rowAt(timeNs) {
  const r = rows();
  let lo = 0, hi = r.length - 1;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (r[mid][0] < timeNs) lo = mid + 1; else hi = mid; }
  return lo;
}
export function setCursor(i, fromStep = false) {
  const n = rows().length;
  state.cursor = Math.max(0, Math.min(n - 1, i));
  if (!fromStep) {
    // The current step follows the cursor: the last event at or before the cursor's time.
    const steps = state.run.lab.steps, t = cursorTime();
    let s = -1;
    for (let k = 0; k < steps.length && steps[k].time_ns <= t; k++) s = k;
    state.step = s;
  }
  changed('cursor');
}
export function setStep(k) {
  const steps = state.run.lab.steps;
  if (steps.length === 0) return;
  state.step = Math.max(0, Math.min(steps.length - 1, k));
  setCursor(rowAt(steps[state.step].time_ns), true);
}
export async function api(path, body, query = '') {
  const r = await fetch(path + query, { method: 'POST', body, headers: { 'Content-Type': typeof body === 'string' && !body.startsWith('{') ? 'text/yaml' : 'application/json' } });
  const text = await r.text();
  let doc; try { doc = JSON.parse(text); } catch { doc = { error: text }; }
  return { status: r.status, doc, wallMs: r.headers.get('X-Mmsim-Wall-Ms') };
}
export function download(name, text, type) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
export function downloadCanvas(name, canvas) {
  const a = document.createElement('a');
  a.href = canvas.toDataURL('image/png');
  a.download = name;
  a.click();
}
