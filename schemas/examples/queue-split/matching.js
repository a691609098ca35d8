// Which intercept takes a Kafka record: the header contract of schemas/README.md ("The queue
// split"), decided the way Sidetrack's edge agents decide a request, the record's headers standing
// for the request's. Pure functions, no I/O.
//
// Implemented: required exact headers (`match.headers` of kind EXACT), required baggage members
// (`match.baggage`), and any-of groups (`match.anyOf`) whose alternatives are exact headers or
// baggage members; that covers the default personal intercept (x-sidetrack-id: V or baggage
// sidetrack-id=V). Not implemented: REGEX header rules (Sidetrack uses RE2; JavaScript's RegExp is
// a different dialect). A route with one anywhere is left out, so it takes no record here.

'use strict';

const Precedence = Object.freeze({ EXACT_HEADER: 0, HEADER_REGEX: 1, PATH_ONLY: 2 });

function list(x) {
  return Array.isArray(x) ? x : [];
}

/** Why a route cannot be decided by this example, or null when it can. */
function unsupportedReason(route) {
  const m = route.match || {};
  if (m.global || m.pathPrefix || m.method) {
    // registry-stream refuses these on routes with topics: records have no path or method
    return 'path, method or global rules do not apply to records';
  }
  const headers = list(m.headers).concat(...list(m.anyOf).map((g) => list(g.headers)));
  if (headers.some((h) => h.kind !== 'EXACT')) {
    return 'REGEX header rules are not implemented by this example';
  }
  return null;
}

/** The precedence class of a route (the most specific matching class wins). */
function precedenceOf(match) {
  const m = match || {};
  if (list(m.headers).some((h) => h.kind === 'EXACT')) return Precedence.EXACT_HEADER;
  let groupHeaders = false;
  for (const g of list(m.anyOf)) {
    const hs = list(g.headers);
    if (hs.length > 0 && hs.every((h) => h.kind === 'EXACT')) return Precedence.EXACT_HEADER;
    groupHeaders = groupHeaders || hs.length > 0;
  }
  return list(m.headers).length > 0 || groupHeaders ? Precedence.HEADER_REGEX : Precedence.PATH_ONLY;
}

/** Percent-decodes a baggage value as UTF-8; a malformed escape is kept as it is. */
function percentDecode(value) {
  if (!value.includes('%')) return value;
  const input = Buffer.from(value, 'utf8');
  const out = [];
  const hex = (b) => {
    const c = String.fromCharCode(b);
    return /[0-9a-fA-F]/.test(c) ? parseInt(c, 16) : -1;
  };
  for (let i = 0; i < input.length; i++) {
    if (input[i] === 0x25 && i + 2 < input.length) {
      const hi = hex(input[i + 1]);
      const lo = hex(input[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out.push(input[i]);
  }
  return Buffer.from(out).toString('utf8');
}

/** W3C baggage `k=v;props,k2=v2` of every baggage header: keys trimmed, the first of a key counts. */
function parseBaggage(values) {
  const members = new Map();
  for (const header of values) {
    for (const member of header.split(',')) {
      const semi = member.indexOf(';');
      const kv = semi < 0 ? member : member.substring(0, semi);
      const eq = kv.indexOf('=');
      if (eq <= 0) continue;
      const key = kv.substring(0, eq).trim();
      if (!members.has(key)) members.set(key, percentDecode(kv.substring(eq + 1).trim()));
    }
  }
  return members;
}

/**
 * A record's headers as routing reads them: kafkajs gives `{ name: Buffer | Buffer[] }`; names
 * compare ignoring case, values are UTF-8, a header present several times matches if any value does.
 */
class RecordHeaders {
  constructor(kafkaHeaders) {
    this.byName = new Map();
    for (const [name, raw] of Object.entries(kafkaHeaders || {})) {
      const lower = name.toLowerCase();
      const values = this.byName.get(lower) || [];
      for (const v of Array.isArray(raw) ? raw : [raw]) {
        if (v !== null && v !== undefined) values.push(Buffer.isBuffer(v) ? v.toString('utf8') : String(v));
      }
      this.byName.set(lower, values);
    }
    this.baggage = null;
  }

  values(lowerName) {
    return this.byName.get(lowerName) || [];
  }

  has(lowerName, value) {
    return this.values(lowerName).includes(value);
  }

  baggageMember(key) {
    if (this.baggage === null) this.baggage = parseBaggage(this.values('baggage'));
    return this.baggage.get(key);
  }
}

function describeHeader(h) {
  return `${h.name} = ${h.value}`;
}

function describeBaggage(b) {
  return `baggage ${b.key} = ${b.value}`;
}

/** The rule that took the record (for the log), or null when the route does not match. */
function matchRoute(match, headers) {
  const m = match || {};
  const taken = [];
  for (const h of list(m.headers)) {
    if (!headers.has(h.name.toLowerCase(), h.value)) return null;
    taken.push(describeHeader(h));
  }
  for (const b of list(m.baggage)) {
    if (headers.baggageMember(b.key) !== b.value) return null;
    taken.push(describeBaggage(b));
  }
  for (const g of list(m.anyOf)) {
    const header = list(g.headers).find((h) => headers.has(h.name.toLowerCase(), h.value));
    if (header) {
      taken.push(describeHeader(header));
      continue;
    }
    const member = list(g.baggage).find((b) => headers.baggageMember(b.key) === b.value);
    if (!member) return null;
    taken.push(describeBaggage(member));
  }
  return taken.join(' and ');
}

function olderFirst(a, b) {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.interceptId < b.interceptId ? -1 : a.interceptId > b.interceptId ? 1 : 0;
}

/**
 * The routing of one workload's route entries (decoded `RouteEntry` values): per topic, the routes
 * that name it, most specific class first, then the older. Immutable.
 */
class RecordRouting {
  /** @param routes RouteEntry values, one per intercept id; routes without topics are left out */
  constructor(routes) {
    this.byTopic = new Map();
    this.size = 0;
    for (const route of routes) {
      const topics = list(route.topics);
      if (topics.length === 0) continue;
      this.size += 1;
      const ranked = { route, precedence: precedenceOf(route.match) };
      for (const topic of topics) {
        if (!this.byTopic.has(topic)) this.byTopic.set(topic, []);
        this.byTopic.get(topic).push(ranked);
      }
    }
    for (const ranked of this.byTopic.values()) {
      ranked.sort((a, b) => a.precedence - b.precedence || olderFirst(a.route, b.route));
    }
  }

  /** The topics some route takes records of. */
  topics() {
    return [...this.byTopic.keys()].sort();
  }

  /**
   * The route that takes a record of `topic` with `kafkaHeaders`, as `{ route, rule }`, or null
   * when the workload's own consumers keep it.
   */
  routeFor(topic, kafkaHeaders) {
    const ranked = this.byTopic.get(topic);
    if (!ranked) return null;
    const headers = new RecordHeaders(kafkaHeaders);
    for (const { route } of ranked) {
      const rule = matchRoute(route.match, headers);
      if (rule !== null) return { route, rule };
    }
    return null;
  }
}

RecordRouting.EMPTY = new RecordRouting([]);

module.exports = { RecordRouting, unsupportedReason, parseBaggage, percentDecode, precedenceOf, Precedence };
