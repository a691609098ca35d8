// Verifies a route entry's signature with the routers' public keys, as Sidetrack's edge agents and
// its Java consumer interceptor do: an Ed25519 signature, by the key whose id the entry names, over
// the entry's RouteStatement bytes (core/trust/RouteStatement: version 1 without topics, version 2
// with). Node's own crypto; no Sidetrack code.

'use strict';

const crypto = require('crypto');
const fs = require('fs');

const PEM_PUBLIC = /-----BEGIN PUBLIC KEY-----[A-Za-z0-9+/=\s]*-----END PUBLIC KEY-----/g;

/** The bytes a router signed for `route` (a decoded RouteEntry). */
function statementBytes(route) {
  const parts = [];
  const raw = (b) => parts.push(b);
  const int32 = (v) => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    raw(b);
  };
  const string = (s) => {
    const b = Buffer.from(s, 'utf8');
    int32(b.length);
    raw(b);
  };
  const flag = (v) => raw(Buffer.from([v ? 1 : 0]));
  const optional = (s) => {
    flag(s !== null && s !== undefined);
    if (s !== null && s !== undefined) string(s);
  };
  const headers = (hs) => {
    int32(hs.length);
    for (const h of hs) {
      string(h.name);
      string(h.kind);
      string(h.value);
    }
  };
  const baggage = (bs) => {
    int32(bs.length);
    for (const b of bs) {
      string(b.key);
      string(b.value);
    }
  };

  // the canonical order of topics: sorted, each once
  const topics = [...new Set(route.topics || [])].sort();
  const m = route.match;
  raw(Buffer.from(topics.length === 0 ? 'sidetrack-route-v1' : 'sidetrack-route-v2', 'ascii'));
  string(route.interceptId);
  string(route.workload);
  string(route.owner);
  string(route.target);
  const createdAt = Buffer.alloc(8);
  createdAt.writeBigInt64BE(BigInt(route.createdAt));
  raw(createdAt);
  string(route.failureMode);
  flag(m.global);
  optional(m.pathPrefix);
  optional(m.method);
  headers(m.headers || []);
  baggage(m.baggage || []);
  const groups = m.anyOf || [];
  int32(groups.length);
  for (const g of groups) {
    headers(g.headers || []);
    baggage(g.baggage || []);
  }
  if (topics.length > 0) {
    int32(topics.length);
    topics.forEach(string);
  }
  return Buffer.concat(parts);
}

/** The id of a public key: the first 8 bytes of the SHA-256 of its SubjectPublicKeyInfo, in hex. */
function keyIdOf(key) {
  const spki = key.export({ type: 'spki', format: 'der' });
  return crypto.createHash('sha256').update(spki).digest().subarray(0, 8).toString('hex');
}

/** The routers' keys this consumer trusts, by key id, read from PEM files. */
class TrustedKeys {
  /** @param files PEM files, each with one or more `PUBLIC KEY` blocks (Ed25519) */
  static read(files) {
    const byId = new Map();
    for (const file of files) {
      let text;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (e) {
        throw new Error(`cannot read trusted router key file ${file}: ${e.code || e.message}`);
      }
      const blocks = text.match(PEM_PUBLIC) || [];
      if (blocks.length === 0) throw new Error(`no '-----BEGIN PUBLIC KEY-----' block in ${file}`);
      for (const pem of blocks) {
        const key = crypto.createPublicKey(pem);
        if (key.asymmetricKeyType !== 'ed25519') {
          throw new Error(`a trusted router key must be Ed25519, got ${key.asymmetricKeyType} in ${file}`);
        }
        byId.set(keyIdOf(key), key);
      }
    }
    return new TrustedKeys(byId);
  }

  constructor(byId) {
    this.byId = byId;
  }

  /** Why `route` is refused, or null when a trusted router signed it. */
  refusal(route) {
    const signature = route.signature || Buffer.alloc(0);
    if (signature.length === 0 || !route.signatureKeyId) return 'unsigned';
    const key = this.byId.get(route.signatureKeyId);
    if (!key) return `signed by key ${route.signatureKeyId}, which is not trusted`;
    let ok = false;
    try {
      ok = crypto.verify(null, statementBytes(route), key, signature);
    } catch (e) {
      // a malformed signature is a bad one
    }
    return ok ? null : `bad signature (key ${route.signatureKeyId})`;
  }
}

module.exports = { TrustedKeys, statementBytes, keyIdOf };
