// Weft expression and Code node prelude: data access through the host bridge, n8n helper
// functions and extension methods, and a small Luxon-like DateTime.
(function (g) {
  'use strict';
  const host = g.__weft_host;
  delete g.__weft_host;
  const fns = [];
  let cache = {};
  let itemIndex = 0;
  let runIndex = 0;
  let setup = { workflow: {}, execution: {}, vars: {}, zoneOffset: 0 };

  function call(op, name, a, b) {
    const reply = JSON.parse(host(op, name == null ? null : String(name), a == null ? null : a, b == null ? null : b));
    if ('err' in reply) throw new Error(reply.err);
    return reply.ok;
  }
  function cached(key, f) {
    if (!(key in cache)) cache[key] = f();
    return cache[key];
  }
  function hidden(target, name, value) {
    Object.defineProperty(target, name, { value, writable: true, configurable: true, enumerable: false });
  }
  function getter(target, name, get) {
    Object.defineProperty(target, name, { get, configurable: true, enumerable: false });
  }
  function begin(index, run) {
    cache = {};
    itemIndex = index;
    runIndex = run;
  }

  // ---- data access -------------------------------------------------------------------------
  const currentItem = () => cached('item', () => call('item', null, itemIndex));
  getter(g, '$json', () => { const it = currentItem(); return it ? it.json : undefined; });
  getter(g, '$binary', () => { const it = currentItem(); return (it && it.binary) || {}; });
  getter(g, '$itemIndex', () => itemIndex);
  getter(g, '$runIndex', () => runIndex);
  getter(g, '$workflow', () => setup.workflow);
  getter(g, '$execution', () => setup.execution);
  getter(g, '$vars', () => setup.vars);
  getter(g, '$now', () => DateTime.fromMillis(call('now')));
  getter(g, '$today', () => DateTime.fromMillis(call('now')).startOf('day'));
  getter(g, '$prevNode', () => call('prevNode'));
  getter(g, '$parameter', () => call('params'));
  const input = {};
  getter(input, 'item', currentItem);
  hidden(input, 'all', () => cached('all', () => call('inputAll')));
  hidden(input, 'first', () => input.all()[0]);
  hidden(input, 'last', () => { const a = input.all(); return a[a.length - 1]; });
  getter(input, 'params', () => call('params'));
  getter(input, 'context', () => call('context'));
  g.$input = input;

  function nodeProxy(name) {
    const p = {};
    getter(p, 'item', () => cached('paired:' + name, () => call('pairedAt', name, itemIndex)));
    hidden(p, 'itemMatching', (i) => call('pairedAt', name, i));
    hidden(p, 'pairedItem', (i) => call('pairedAt', name, i == null ? itemIndex : i));
    hidden(p, 'all', (branch, run) => cached('all:' + name + ':' + branch + ':' + run, () => call('nodeAll', name, branch, run)));
    hidden(p, 'first', (branch, run) => p.all(branch, run)[0]);
    hidden(p, 'last', (branch, run) => { const a = p.all(branch, run); return a[a.length - 1]; });
    getter(p, 'json', () => { const f = p.first(); return f ? f.json : undefined; });
    getter(p, 'binary', () => { const f = p.first(); return (f && f.binary) || {}; });
    getter(p, 'context', () => call('nodeContext', name));
    getter(p, 'params', () => call('nodeParams', name));
    getter(p, 'parameter', () => call('nodeParams', name));
    getter(p, 'isExecuted', () => call('isExecuted', name));
    getter(p, 'runIndex', () => call('nodeRunIndex', name));
    return p;
  }
  g.$ = (name) => nodeProxy(name);
  g.$node = new Proxy({}, { get: (_, name) => (typeof name === 'string' ? nodeProxy(name) : undefined) });
  g.$items = (name, output, run) => (name == null ? input.all() : nodeProxy(name).all(output, run));
  g.$item = (index) => ({ $node: new Proxy({}, { get: (_, name) => ({ json: nodeProxy(name).itemMatching(index).json }) }) });

  // ---- helper functions ----------------------------------------------------------------------
  g.$if = (test, a, b) => (test ? a : b);
  g.$ifEmpty = (v, alt) => (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0) ||
    (typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) ? alt : v);
  g.$not = (v) => !v;
  g.$min = (...a) => Math.min(...a);
  g.$max = (...a) => Math.max(...a);
  g.$average = (...a) => (a.length ? a.reduce((s, x) => s + x, 0) / a.length : 0);
  const noop = () => undefined;
  g.console = { log: noop, info: noop, warn: noop, error: noop, debug: noop };

  // ---- extension methods ---------------------------------------------------------------------
  const S = String.prototype, A = Array.prototype, N = Number.prototype, O = Object.prototype;
  const emailRe = /[\w.+-]+@[\w-]+\.[\w.-]+/;
  const urlRe = /https?:\/\/[^\s"'<>]+/;
  hidden(S, 'isEmpty', function () { return this.length === 0; });
  hidden(S, 'isNotEmpty', function () { return this.length > 0; });
  hidden(S, 'toNumber', function () { const n = Number(this); if (isNaN(n)) throw new Error('cannot convert to number'); return n; });
  hidden(S, 'toInt', function () { return parseInt(this, 10); });
  hidden(S, 'toFloat', function () { return parseFloat(this); });
  hidden(S, 'toBoolean', function () { const s = this.trim().toLowerCase(); return !['', '0', 'false', 'no', 'f', 'n', 'off'].includes(s); });
  hidden(S, 'toDateTime', function () { return DateTime.fromISO(String(this)); });
  hidden(S, 'toSnakeCase', function () { return this.replace(/([a-z])([A-Z])/g, '$1_$2').replace(/[\s-]+/g, '_').toLowerCase(); });
  hidden(S, 'toTitleCase', function () { return this.replace(/\w\S*/g, (w) => w[0].toUpperCase() + w.slice(1).toLowerCase()); });
  hidden(S, 'toSentenceCase', function () { const s = this.toLowerCase(); return s.charAt(0).toUpperCase() + s.slice(1); });
  hidden(S, 'extractEmail', function () { const m = this.match(emailRe); return m ? m[0] : undefined; });
  hidden(S, 'extractUrl', function () { const m = this.match(urlRe); return m ? m[0] : undefined; });
  hidden(S, 'isEmail', function () { return /^[\w.+-]+@[\w-]+\.[\w.-]+$/.test(this); });
  hidden(S, 'isUrl', function () { return /^https?:\/\/\S+$/.test(this); });
  hidden(S, 'urlEncode', function () { return encodeURIComponent(this); });
  hidden(S, 'urlDecode', function () { return decodeURIComponent(this); });
  hidden(S, 'parseJson', function () { return JSON.parse(this); });
  hidden(S, 'removeTags', function () { return this.replace(/<[^>]*>/g, ''); });
  hidden(A, 'first', function () { return this[0]; });
  hidden(A, 'last', function () { return this[this.length - 1]; });
  hidden(A, 'isEmpty', function () { return this.length === 0; });
  hidden(A, 'isNotEmpty', function () { return this.length > 0; });
  hidden(A, 'unique', function () { const seen = new Set(); return this.filter((x) => { const k = JSON.stringify(x); if (seen.has(k)) return false; seen.add(k); return true; }); });
  hidden(A, 'removeDuplicates', A.unique);
  hidden(A, 'pluck', function (...keys) { return this.map((o) => (keys.length === 1 ? o?.[keys[0]] : Object.fromEntries(keys.map((k) => [k, o?.[k]])))).filter((x) => x !== undefined); });
  hidden(A, 'sum', function () { return this.reduce((s, x) => s + Number(x), 0); });
  hidden(A, 'min', function () { return Math.min(...this); });
  hidden(A, 'max', function () { return Math.max(...this); });
  hidden(A, 'average', function () { return this.length ? this.sum() / this.length : 0; });
  hidden(A, 'compact', function () { return this.filter((x) => x !== null && x !== undefined && x !== ''); });
  hidden(A, 'chunk', function (n) { const out = []; for (let i = 0; i < this.length; i += n) out.push(this.slice(i, i + n)); return out; });
  hidden(A, 'union', function (o) { return [...this, ...o].unique(); });
  hidden(A, 'difference', function (o) { const s = o.map((x) => JSON.stringify(x)); return this.filter((x) => !s.includes(JSON.stringify(x))); });
  hidden(A, 'intersection', function (o) { const s = o.map((x) => JSON.stringify(x)); return this.filter((x) => s.includes(JSON.stringify(x))).unique(); });
  hidden(A, 'smartJoin', function (k, v) { return Object.fromEntries(this.map((o) => [o[k], o[v]])); });
  hidden(A, 'merge', function () { return Object.assign({}, ...this); });
  hidden(N, 'round', function (d = 0) { const f = Math.pow(10, d); return Math.round(this * f) / f; });
  hidden(N, 'floor', function () { return Math.floor(this); });
  hidden(N, 'ceil', function () { return Math.ceil(this); });
  hidden(N, 'isEven', function () { return this % 2 === 0; });
  hidden(N, 'isOdd', function () { return Math.abs(this % 2) === 1; });
  hidden(N, 'isInteger', function () { return Number.isInteger(Number(this)); });
  hidden(N, 'toBoolean', function () { return Number(this) !== 0; });
  hidden(N, 'toDateTime', function (f) { const n = Number(this); return f === 's' ? DateTime.fromSeconds(n) : DateTime.fromMillis(n); });
  hidden(O, 'isEmpty', function () { return Object.keys(this).length === 0; });
  hidden(O, 'isNotEmpty', function () { return Object.keys(this).length > 0; });
  hidden(O, 'hasField', function (k) { return Object.prototype.hasOwnProperty.call(this, k); });
  hidden(O, 'removeField', function (k) { const c = { ...this }; delete c[k]; return c; });
  hidden(O, 'keys', function () { return Object.keys(this); });
  hidden(O, 'values', function () { return Object.values(this); });
  hidden(O, 'compact', function () { return Object.fromEntries(Object.entries(this).filter(([, v]) => v !== null && v !== undefined && v !== '')); });
  hidden(O, 'toJsonString', function () { return JSON.stringify(this); });

  // ---- DateTime (the subset of Luxon that workflows use) -------------------------------------
  const MS = { millisecond: 1, second: 1e3, minute: 6e4, hour: 36e5, day: 864e5, week: 6048e5 };
  const unitName = (u) => String(u).replace(/s$/, '');
  const pad = (n, w = 2) => String(Math.abs(Math.trunc(n))).padStart(w, '0');
  const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
  const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
  class DateTime {
    constructor(ms, offset, utc) { this.ts = ms; this.offset = offset || 0; this.isUtc = !!utc; this.isValid = !isNaN(ms); }
    static now() { return DateTime.fromMillis(call('now')); }
    static fromMillis(ms) { return new DateTime(Number(ms), setup.zoneOffset, false); }
    static fromSeconds(s) { return new DateTime(Number(s) * 1000, setup.zoneOffset, false); }
    static fromJSDate(d) { return new DateTime(d.getTime(), setup.zoneOffset, false); }
    static utc(...p) { return p.length ? new DateTime(Date.UTC(p[0], (p[1] || 1) - 1, p[2] || 1, p[3] || 0, p[4] || 0, p[5] || 0, p[6] || 0), 0, true) : new DateTime(call('now'), 0, true); }
    static local(...p) { const d = DateTime.utc(...p); return new DateTime(d.ts - setup.zoneOffset * 6e4, setup.zoneOffset, false); }
    static isDateTime(v) { return v instanceof DateTime; }
    static fromISO(s, opts) {
      const m = /^(\d{4})-?(\d{2})?-?(\d{2})?(?:[T ](\d{2}):?(\d{2})?:?(\d{2})?(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(String(s).trim());
      if (!m) return new DateTime(NaN, 0, false);
      const ms = m[7] ? Number((m[7] + '00').slice(0, 3)) : 0;
      const base = Date.UTC(+m[1], (m[2] ? +m[2] : 1) - 1, m[3] ? +m[3] : 1, +(m[4] || 0), +(m[5] || 0), +(m[6] || 0), ms);
      let offset = setup.zoneOffset;
      let utc = false;
      if (m[8] === 'Z') { offset = 0; utc = true; } else if (m[8]) { const sign = m[8][0] === '-' ? -1 : 1; const d = m[8].slice(1).replace(':', ''); offset = sign * (+d.slice(0, 2) * 60 + +d.slice(2)); }
      const dt = new DateTime(base - offset * 6e4, offset, utc);
      if (m[8] && !(opts && opts.setZone)) return new DateTime(dt.ts, setup.zoneOffset, false);
      return dt;
    }
    get local() { return new Date(this.ts + this.offset * 6e4); }
    get year() { return this.local.getUTCFullYear(); }
    get month() { return this.local.getUTCMonth() + 1; }
    get day() { return this.local.getUTCDate(); }
    get hour() { return this.local.getUTCHours(); }
    get minute() { return this.local.getUTCMinutes(); }
    get second() { return this.local.getUTCSeconds(); }
    get millisecond() { return this.local.getUTCMilliseconds(); }
    get weekday() { return this.local.getUTCDay() || 7; }
    get quarter() { return Math.floor((this.month - 1) / 3) + 1; }
    toMillis() { return this.ts; }
    valueOf() { return this.ts; }
    toSeconds() { return this.ts / 1000; }
    toUnixInteger() { return Math.floor(this.ts / 1000); }
    toJSDate() { return new Date(this.ts); }
    toUTC() { return new DateTime(this.ts, 0, true); }
    setZone(z) { if (z === 'UTC' || z === 'utc' || z === 'Etc/UTC' || z === 'Etc/GMT') return this.toUTC(); return this; }
    set(values) { return this.plus(Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v - this[unitName(k)]]))); }
    plus(d) { return this.shift(typeof d === 'number' ? { milliseconds: d } : d, 1); }
    minus(d) { return this.shift(typeof d === 'number' ? { milliseconds: d } : d, -1); }
    shift(d, sign) {
      const l = this.local;
      for (const [k, v] of Object.entries(d)) {
        const u = unitName(k), n = sign * v;
        if (u === 'year') l.setUTCFullYear(l.getUTCFullYear() + n);
        else if (u === 'quarter') l.setUTCMonth(l.getUTCMonth() + 3 * n);
        else if (u === 'month') l.setUTCMonth(l.getUTCMonth() + n);
        else if (MS[u]) l.setTime(l.getTime() + n * MS[u]);
      }
      return new DateTime(l.getTime() - this.offset * 6e4, this.offset, this.isUtc);
    }
    startOf(unit) {
      const u = unitName(unit), l = this.local;
      const order = ['year', 'quarter', 'month', 'week', 'day', 'hour', 'minute', 'second'];
      const at = order.indexOf(u);
      if (at < 0) return this;
      if (u === 'week') { l.setUTCDate(l.getUTCDate() - ((l.getUTCDay() + 6) % 7)); }
      if (u === 'year') l.setUTCMonth(0, 1);
      if (u === 'quarter') l.setUTCMonth(Math.floor(l.getUTCMonth() / 3) * 3, 1);
      if (u === 'month') l.setUTCDate(1);
      if (at <= order.indexOf('day')) l.setUTCHours(0, 0, 0, 0);
      if (u === 'hour') l.setUTCMinutes(0, 0, 0);
      if (u === 'minute') l.setUTCSeconds(0, 0);
      if (u === 'second') l.setUTCMilliseconds(0);
      return new DateTime(l.getTime() - this.offset * 6e4, this.offset, this.isUtc);
    }
    endOf(unit) { return this.startOf(unit).plus({ [unitName(unit)]: 1 }).minus(1); }
    diff(other, unit = 'milliseconds') { const ms = this.ts - other.ts; const u = unitName(unit); return { [unit]: ms / (MS[u] || 1), as: (x) => ms / (MS[unitName(x)] || 1), toMillis: () => ms }; }
    diffTo(other, unit = 'days') { const o = typeof other === 'string' ? DateTime.fromISO(other) : other; return (o.ts - this.ts) / (MS[unitName(unit)] || 1); }
    offsetText() { if (this.isUtc) return 'Z'; const o = this.offset, s = o < 0 ? '-' : '+'; return s + pad(Math.abs(o) / 60) + ':' + pad(Math.abs(o) % 60); }
    toISODate() { return this.year + '-' + pad(this.month) + '-' + pad(this.day); }
    toISO() {
      if (!this.isValid) return null;
      return this.toISODate() + 'T' + pad(this.hour) + ':' + pad(this.minute) + ':' + pad(this.second) + '.' + pad(this.millisecond, 3) + this.offsetText();
    }
    toString() { return this.isValid ? this.toISO() : 'Invalid DateTime'; }
    toJSON() { return this.toISO(); }
    toLocaleString() { return this.toISO(); }
    toFormat(fmt) {
      const tokens = /(yyyy|yy|MMMM|MMM|MM|M|dd|d|EEEE|EEE|HH|H|hh|h|mm|m|ss|s|SSS|a|ZZ|Z|X|x|'[^']*')/g;
      return String(fmt).replace(tokens, (t) => {
        switch (t) {
          case 'yyyy': return String(this.year);
          case 'yy': return pad(this.year % 100);
          case 'MMMM': return MONTHS[this.month - 1];
          case 'MMM': return MONTHS[this.month - 1].slice(0, 3);
          case 'MM': return pad(this.month);
          case 'M': return String(this.month);
          case 'dd': return pad(this.day);
          case 'd': return String(this.day);
          case 'EEEE': return DAYS[this.weekday % 7];
          case 'EEE': return DAYS[this.weekday % 7].slice(0, 3);
          case 'HH': return pad(this.hour);
          case 'H': return String(this.hour);
          case 'hh': return pad(this.hour % 12 || 12);
          case 'h': return String(this.hour % 12 || 12);
          case 'mm': return pad(this.minute);
          case 'm': return String(this.minute);
          case 'ss': return pad(this.second);
          case 's': return String(this.second);
          case 'SSS': return pad(this.millisecond, 3);
          case 'a': return this.hour < 12 ? 'AM' : 'PM';
          case 'ZZ': return this.isUtc ? '+00:00' : this.offsetText();
          case 'Z': return (this.offset < 0 ? '-' : '+') + Math.abs(this.offset) / 60;
          case 'X': return String(Math.floor(this.ts / 1000));
          case 'x': return String(this.ts);
          default: return t.slice(1, -1);
        }
      });
    }
    format(fmt) { return this.toFormat(fmt); }
    equals(o) { return o instanceof DateTime && o.ts === this.ts; }
    isBetween(a, b) { return this.ts > a.ts && this.ts < b.ts; }
    isWeekend() { return this.weekday > 5; }
    extract(unit = 'day') { return this[unitName(unit)]; }
    beginningOf(unit) { return this.startOf(unit); }
    endOfMonth() { return this.endOf('month'); }
  }
  g.DateTime = DateTime;
  g.Duration = { fromObject: (o) => ({ ...o, toMillis: () => Object.entries(o).reduce((s, [k, v]) => s + v * (MS[unitName(k)] || 0), 0) }) };

  // ---- entry points used by the engine -------------------------------------------------------
  function encode(v) {
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return 'u';
    const s = JSON.stringify(v);
    return s === undefined ? 'u' : s;
  }
  function toItem(v) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && v.json !== null && typeof v.json === 'object') {
      const out = { json: v.json };
      if (v.binary) out.binary = v.binary;
      if (v.pairedItem !== undefined) out.pairedItem = v.pairedItem;
      return out;
    }
    return { json: v };
  }
  g.__weft_setup = (text) => {
    setup = JSON.parse(text);
    const data = setup.execution.customData || {};
    const custom = {};
    hidden(custom, 'set', (key, value) => { data[String(key)] = String(value); });
    hidden(custom, 'get', (key) => data[String(key)]);
    hidden(custom, 'setAll', (values) => { for (const [k, v] of Object.entries(values || {})) data[k] = String(v); });
    hidden(custom, 'getAll', () => ({ ...data }));
    setup.execution.customData = custom;
    return '';
  };
  g.__weft_compile_expr = (code) => { fns.push(new Function('return (' + code + '\n);')); return String(fns.length - 1); };
  g.__weft_compile_code = (code) => { fns.push((0, eval)('(async function (items, item) {\n' + code + '\n})')); return String(fns.length - 1); };
  g.__weft_eval = (id, index, run) => { begin(index, run); return encode(fns[id]()); };
  g.__weft_run_code = (id, index, run) => {
    begin(index < 0 ? 0 : index, run);
    if (index < 0) {
      const items = input.all();
      return fns[id](items, undefined).then((r) => {
        if (r === undefined || r === null) return '[]';
        const list = Array.isArray(r) ? r : [r];
        return JSON.stringify(list.map(toItem));
      });
    }
    const current = currentItem();
    return fns[id](undefined, current).then((r) => {
      if (r === undefined || r === null) return 'u';
      if (Array.isArray(r)) return JSON.stringify(r.map(toItem));
      return JSON.stringify([toItem(r)]);
    });
  };
})(globalThis);
