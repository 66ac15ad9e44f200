// Processes: /proc/PID/status figures, oom_score and oom_score_adj at the cursor, ranked as the OOM killer would.
import { t } from '../i18n.js';
import { state } from '../state.js';
import { esc, size } from '../format.js';

let el;

function draw() {
  if (!state.run) { el.innerHTML = `<p class="muted">${esc(t('scenario.need_run'))}</p>`; return; }
  const lab = state.run.lab;
  const procs = lab.process_rows[Math.min(state.cursor, lab.process_rows.length - 1)] ?? [];
  const meta = Object.fromEntries(lab.processes.map(p => [p.pid, p]));
  // select_bad_process: highest badness first; -1000 and gone tasks are not candidates.
  const ranked = procs.map(p => ({ pid: p[0], state: p[1], rss: p[2], anon: p[3], file: p[4], swap: p[5], pte: p[6], score: p[7], badness: p[8] }))
    .sort((a, b) => (b.badness ?? -Infinity) - (a.badness ?? -Infinity));
  let rank = 0;
  const rowsHtml = ranked.map(p => {
    const m = meta[p.pid] ?? { name: '?', oom_score_adj: 0 };
    const candidate = p.badness !== null && p.badness !== undefined && m.oom_score_adj !== -1000;
    return `<tr data-testid="process-row"><td>${candidate ? ++rank : '—'}</td><td>${p.pid}</td><td class="l">${esc(m.name)}</td>
      <td class="l">${esc(t('proc.state' + p.state))}</td><td>${size(p.rss)}</td><td>${size(p.anon)}</td><td>${size(p.file)}</td>
      <td>${size(p.swap)}</td><td>${p.pte} kB</td><td>${p.score}</td><td>${m.oom_score_adj}</td><td>${p.badness ?? '—'}</td></tr>`;
  }).join('');
  const fin = state.run.processes;
  el.innerHTML = `<h2>${esc(t('proc.heading'))}</h2><p class="muted">${esc(t('proc.note'))}</p>
    <table data-testid="process-table"><tr><th>${esc(t('proc.rank'))}</th><th>pid</th><th class="l">${esc(t('proc.name'))}</th><th class="l">${esc(t('proc.state'))}</th>
      <th>VmRSS</th><th>RssAnon</th><th>RssFile</th><th>VmSwap</th><th>VmPTE</th><th>oom_score</th><th>oom_score_adj</th><th>${esc(t('proc.badness'))}</th></tr>${rowsHtml}</table>
    <h3>${esc(t('proc.final'))}</h3>
    <table><tr><th>pid</th><th class="l">${esc(t('proc.name'))}</th><th class="l">${esc(t('proc.state'))}</th><th>VmPeak</th><th>VmHWM</th><th>VmRSS</th><th>VmSwap</th><th>minflt</th><th>majflt</th><th class="l">signal</th></tr>
      ${fin.map(p => `<tr><td>${p.pid}</td><td class="l">${esc(p.name)}</td><td class="l">${esc(p.state)}</td><td>${size(p.VmPeak)}</td><td>${size(p.VmHWM)}</td>
        <td>${size(p.VmRSS)}</td><td>${size(p.VmSwap)}</td><td>${p.minflt}</td><td>${p.majflt}</td><td class="l">${esc(p.signal ?? '')}</td></tr>`).join('')}</table>`;
}

export default {
  id: 'processes',
  init(e) { el = e; },
  render() { if (!el.hidden) draw(); },
};
