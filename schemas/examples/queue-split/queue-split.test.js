// Unit tests of the pure parts: `npm test` (node --test). The whole consumer against a real broker,
// schema registry and registry-stream is tested by cli/src/test/.../QueueSplitNodeExampleIT.java.

'use strict';

const test = require('node:test');
const assert = require('node:assert');
const crypto = require('crypto');
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2');
const { RecordRouting, unsupportedReason, parseBaggage } = require('./matching');
const { partitionOf, murmur2 } = require('./routes');
const { TrustedKeys, keyIdOf } = require('./trust');
const { parse, decide, UsageError } = require('./consumer');

function personal(id, value, createdAt, topics = ['orders.created']) {
  return {
    interceptId: id,
    workload: 'orders',
    owner: value,
    target: 'router:9000',
    createdAt,
    failureMode: 'FAIL_OPEN',
    signature: Buffer.alloc(0),
    signatureKeyId: '',
    topics,
    match: {
      headers: [],
      baggage: [],
      pathPrefix: null,
      method: null,
      global: false,
      anyOf: [
        {
          headers: [{ name: 'x-sidetrack-id', kind: 'EXACT', value }],
          baggage: [{ key: 'sidetrack-id', value }],
        },
      ],
    },
  };
}

const h = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Array.isArray(v) ? v.map((x) => Buffer.from(x)) : Buffer.from(v)]));

test('murmur2 is Kafka default partitioner\'s (as kafkajs implements it)', () => {
  for (const s of ['', 'a', 'ab', 'abc', 'orders', 'payments-service', 'ünïcode/wörkload']) {
    assert.strictEqual(murmur2(Buffer.from(s, 'utf8')), kafkajsMurmur2(Buffer.from(s, 'utf8')) | 0, s);
  }
  assert.ok(partitionOf('orders', 3) >= 0 && partitionOf('orders', 3) < 3);
});

test('the personal intercept takes a record by header (any case) or by baggage member', () => {
  const routing = new RecordRouting([personal('i-alice', 'alice', 1000)]);
  assert.strictEqual(routing.routeFor('orders.created', h({ 'X-Sidetrack-Id': 'alice' })).route.interceptId, 'i-alice');
  const byBaggage = routing.routeFor('orders.created', h({ baggage: 'foo=1, sidetrack-id = alice ;p=1' }));
  assert.strictEqual(byBaggage.rule, 'baggage sidetrack-id = alice');
  assert.strictEqual(routing.routeFor('orders.created', h({ 'x-sidetrack-id': ['bob', 'alice'] })).route.owner, 'alice');
  assert.strictEqual(routing.routeFor('orders.created', h({ 'x-sidetrack-id': 'bob' })), null);
  assert.strictEqual(routing.routeFor('orders.created', {}), null);
  assert.strictEqual(routing.routeFor('payments', h({ 'x-sidetrack-id': 'alice' })), null);
});

test('baggage: values percent-decoded, the first member of a key counts', () => {
  const m = parseBaggage(['sidetrack-id=al%C3%AFce,sidetrack-id=bob', 'k=%zz']);
  assert.strictEqual(m.get('sidetrack-id'), 'alïce');
  assert.strictEqual(m.get('k'), '%zz');
});

test('the most specific route wins, then the older', () => {
  const exact = personal('i-exact', 'alice', 2000);
  const baggageOnly = { ...personal('i-bag', 'carol', 1000), match: { headers: [], baggage: [{ key: 'sidetrack-id', value: 'alice' }], anyOf: [] } };
  const older = personal('i-old', 'dave', 500);
  let routing = new RecordRouting([baggageOnly, exact]);
  assert.strictEqual(routing.routeFor('orders.created', h({ baggage: 'sidetrack-id=alice' })).route.interceptId, 'i-exact');
  routing = new RecordRouting([exact, older, { ...older, interceptId: 'i-old2', createdAt: 500 }]);
  assert.strictEqual(routing.routeFor('orders.created', h({ 'x-sidetrack-id': 'alice' })).route.interceptId, 'i-exact');
  older.match.anyOf[0].headers[0].value = 'alice';
  routing = new RecordRouting([exact, older]);
  assert.strictEqual(routing.routeFor('orders.created', h({ 'x-sidetrack-id': 'alice' })).route.interceptId, 'i-old');
});

test('required headers and baggage must all hold', () => {
  const route = { ...personal('i-1', 'alice', 1), match: { headers: [{ name: 'x-tenant', kind: 'EXACT', value: 't1' }], baggage: [{ key: 'env', value: 'dev' }], anyOf: [] } };
  const routing = new RecordRouting([route]);
  assert.strictEqual(routing.routeFor('orders.created', h({ 'x-tenant': 't1' })), null);
  assert.strictEqual(routing.routeFor('orders.created', h({ 'x-tenant': 't1', baggage: 'env=dev' })).rule, 'x-tenant = t1 and baggage env = dev');
});

test('regex rules are not implemented: such a route is left out, with the reason', () => {
  const route = { ...personal('i-1', 'alice', 1), match: { headers: [{ name: 'x-sidetrack-id', kind: 'REGEX', value: 'al.*' }], baggage: [], anyOf: [] } };
  assert.match(unsupportedReason(route), /REGEX/);
  assert.strictEqual(unsupportedReason(personal('i-2', 'bob', 1)), null);
});

test('cluster mode skips what a route takes; developer mode keeps only the developer\'s', () => {
  const routing = new RecordRouting([personal('i-alice', 'alice', 1), personal('i-bob', 'bob', 2)]);
  const cluster = { mode: 'cluster' };
  const alice = { mode: 'developer', developerId: 'alice' };
  assert.strictEqual(decide(cluster, routing, 'orders.created', h({ 'x-sidetrack-id': 'alice' })).keep, false);
  assert.strictEqual(decide(cluster, routing, 'orders.created', {}).keep, true);
  assert.strictEqual(decide(alice, routing, 'orders.created', h({ 'x-sidetrack-id': 'alice' })).keep, true);
  assert.strictEqual(decide({ mode: 'developer', developerId: 'i-alice' }, routing, 'orders.created', h({ baggage: 'sidetrack-id=alice' })).keep, true);
  assert.strictEqual(decide(alice, routing, 'orders.created', h({ 'x-sidetrack-id': 'bob' })).keep, false);
  assert.strictEqual(decide(alice, routing, 'orders.created', {}).keep, false);
});

test('a signed route verifies; a changed or unsigned one is refused', (t) => {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  const dir = require('fs').mkdtempSync(require('path').join(require('os').tmpdir(), 'keys-'));
  const file = require('path').join(dir, 'router.pub.pem');
  require('fs').writeFileSync(file, publicKey.export({ type: 'spki', format: 'pem' }));
  const trusted = TrustedKeys.read([file]);
  const route = personal('i-alice', 'alice', 1700000000123, ['b.topic', 'a.topic']);
  assert.strictEqual(trusted.refusal(route), 'unsigned');
  const { statementBytes } = require('./trust');
  route.signature = crypto.sign(null, statementBytes(route), privateKey);
  route.signatureKeyId = keyIdOf(publicKey);
  assert.strictEqual(trusted.refusal(route), null);
  assert.ok(statementBytes(route).subarray(0, 18).equals(Buffer.from('sidetrack-route-v2')));
  assert.match(trusted.refusal({ ...route, topics: ['a.topic'] }), /bad signature/);
  assert.match(trusted.refusal({ ...route, signatureKeyId: '0011223344556677' }), /not trusted/);
});

test('settings: flags win over the environment; bad ones name the flag and its variable', () => {
  const s = parse(['--workload', 'orders', '--topic', 'a', '--topic=b', '--from-beginning'], { SIDETRACK_WORKLOAD: 'x', SIDETRACK_TOPIC_PREFIX: 'p.' });
  assert.deepStrictEqual([s.workload, s.topics, s.routesTopic, s.group, s.fromBeginning], ['orders', ['a', 'b'], 'p.sidetrack.routes', 'orders', true]);
  assert.deepStrictEqual(parse([], { SIDETRACK_WORKLOAD: 'w', KAFKA_TOPICS: 'a, b' }).topics, ['a', 'b']);
  assert.throws(() => parse(['--topic', 'a'], {}), (e) => e instanceof UsageError && /SIDETRACK_WORKLOAD/.test(e.message));
  assert.throws(() => parse(['--workload', 'w', '--topic', 'a', '--mode', 'developer'], {}), /SIDETRACK_DEVELOPER_ID/);
  assert.throws(() => parse(['--workload', 'w', '--topic', 'a', '--first-read-wait-ms', '-1'], {}), /got '-1'/);
  assert.throws(() => parse(['--nope'], {}), /unknown option '--nope'/);
});
