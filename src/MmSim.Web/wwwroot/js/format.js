// Number formatting shared by the views: sizes from kB, durations from ns.
export function size(kb) {
  const v = Number(kb);
  if (Math.abs(v) >= 1024 * 1024) return trim(v / (1024 * 1024)) + ' GiB';
  if (Math.abs(v) >= 1024) return trim(v / 1024) + ' MiB';
  return v + ' kB';
}
export function dur(ns) {
  const v = Number(ns);
  if (v >= 1e9) return trim(v / 1e9) + ' s';
  if (v >= 1e6) return trim(v / 1e6) + ' ms';
  if (v >= 1e3) return trim(v / 1e3) + ' µs';
  return v + ' ns';
}
export function num(n) { return Number(n).toLocaleString('en-US'); }
function trim(x) { return (Math.round(x * 10) / 10).toString(); }
export function secs(ns) { return (Number(ns) / 1e9).toFixed(3) + ' s'; }
export function esc(s) {
  return String(s).replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}
