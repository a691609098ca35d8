// The route entries of one workload, kept current in the background: reads the workload's partition
// of Sidetrack's compacted routes topic from the beginning (a kafkajs consumer in a group of its own
// with an assigner that takes only that partition, nothing committed), decodes each value through
// the schema registry (Avro, Confluent wire format), and keeps the latest entry per
// `workload/interceptId` key (a tombstone removes it). Until it has read the partition to the end
// once, `routing()` is empty: the consumer keeps every record (fails open).

'use strict';

const crypto = require('crypto');
const os = require('os');
const { AssignerProtocol } = require('kafkajs');
const { RecordRouting, unsupportedReason } = require('./matching');

/** Kafka's murmur2 (its default partitioner's), of a byte array. */
function murmur2(data) {
  const m = 0x5bd1e995;
  let h = 0x9747b28c ^ data.length;
  const length4 = data.length >> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = data[i4] | (data[i4 + 1] << 8) | (data[i4 + 2] << 16) | (data[i4 + 3] << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  const tail = data.length & ~3;
  switch (data.length % 4) {
    case 3:
      h ^= data[tail + 2] << 16;
    // fall through
    case 2:
      h ^= data[tail + 1] << 8;
    // fall through
    case 1:
      h ^= data[tail];
      h = Math.imul(h, m);
    // fall through
    default:
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition of `workload` among `partitions`: what Kafka's default partitioner gives its key. */
function partitionOf(workload, partitions) {
  return (murmur2(Buffer.from(workload, 'utf8')) & 0x7fffffff) % partitions;
}

/** A kafkajs assigner that gives the group's (only) member one partition of one topic. */
function onePartition(topic, partition) {
  return () => ({
    name: 'SidetrackWorkloadPartition',
    version: 0,
    async assign({ members }) {
      return members.map(({ memberId }, i) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 0,
          assignment: i === 0 ? { [topic]: [partition] } : {},
        }),
      }));
    },
    protocol({ topics }) {
      return { name: this.name, metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics }) };
    },
  });
}

class WorkloadRoutes {
  /**
   * @param options.kafka        a kafkajs client on Sidetrack's Kafka
   * @param options.registry     a SchemaRegistry (@kafkajs/confluent-schema-registry)
   * @param options.workload     the workload whose routes are read
   * @param options.topic        the routes topic (with any prefix)
   * @param options.trusted      TrustedKeys, or null to take entries unverified
   * @param options.log          one-line status messages
   */
  constructor({ kafka, registry, workload, topic, trusted, log }) {
    this.kafka = kafka;
    this.registry = registry;
    this.workload = workload;
    this.topic = topic;
    this.trusted = trusted;
    this.log = log;
    this.entries = new Map();
    this.current = RecordRouting.EMPTY;
    // read to the end at least once (then the routing is in use), and by the read going on now
    this.caughtUp = false;
    this.readDone = false;
    // what a heartbeat reports: the partition read, and the offset every entry before is applied
    this.partition = -1;
    this.position = 0;
    this.applied = 0;
    this.waiters = [];
    this.consumer = null;
    this.stopped = false;
  }

  /** The routing in use now: empty before the first read. Never waits. */
  routing() {
    return this.current;
  }

  /** The progress a heartbeat reports, as an edge agent's. */
  progress() {
    return {
      partition: () => this.partition,
      appliedOffset: () => this.applied,
      ready: () => this.caughtUp,
      routes: () => this.current.size,
    };
  }

  /** Resolves true once the routes are read to the end, or false after `ms` (never: ms < 0). */
  firstRead(ms) {
    if (this.caughtUp) return Promise.resolve(true);
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      if (ms >= 0) setTimeout(() => resolve(false), ms);
    });
  }

  /** Starts reading; keeps trying while Sidetrack's Kafka is unreachable. */
  start() {
    this.attempt().catch(() => {});
  }

  async attempt() {
    while (!this.stopped) {
      try {
        await this.read();
        return;
      } catch (e) {
        this.log(`routes of ${this.workload} not readable (${e.message}); ${this.caughtUp ? 'deciding by the last ones read' : 'keeping every record'}, retrying`);
        await this.closeConsumer();
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
  }

  /** One read from the beginning: the entries are rebuilt; the routing in use stays until it is done. */
  async read() {
    this.entries = new Map();
    this.readDone = false;
    const admin = this.kafka.admin();
    await admin.connect();
    let partition;
    let end;
    let high;
    try {
      const [metadata] = (await admin.fetchTopicMetadata({ topics: [this.topic] })).topics;
      partition = partitionOf(this.workload, metadata.partitions.length);
      const offsets = await admin.fetchTopicOffsets(this.topic);
      const p = offsets.find((o) => o.partition === partition);
      high = Number(p.high);
      // nothing to read when the partition holds no offset from its start on
      end = high > Number(p.low) ? high : -1;
    } finally {
      await admin.disconnect();
    }
    this.partition = partition;
    this.log(`reading partition ${partition} of ${this.topic} (routes of ${this.workload}, up to offset ${high})`);
    const group = `sidetrack-routes-${this.workload}-${os.hostname()}-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
    const consumer = this.kafka.consumer({
      groupId: group,
      partitionAssigners: [onePartition(this.topic, partition)],
      maxWaitTimeInMs: 200,
    });
    this.consumer = consumer;
    const { END_BATCH_PROCESS, CRASH } = consumer.events;
    consumer.on(END_BATCH_PROCESS, ({ payload }) => {
      // lastOffset counts control records (registry-stream writes in transactions), so the end is
      // reached even when the partition ends with a commit marker
      if (payload.topic !== this.topic) return;
      this.position = Number(payload.lastOffset) + 1;
      if (this.position >= end) this.readToEnd(payload.lastOffset);
      if (this.readDone) this.applied = this.position;
    });
    consumer.on(CRASH, ({ payload }) => {
      // kafkajs restarts the consumer itself after retriable errors; after others, read anew
      if (payload.restart || this.stopped) return;
      this.log(`routes reader stopped (${payload.error.message}); deciding by the last routes read, reading anew`);
      this.closeConsumer().then(() => setTimeout(() => this.start(), 2000));
    });
    await consumer.connect();
    await consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => this.apply(message),
    });
    if (end < 0) this.readToEnd(high - 1);
  }

  async apply(message) {
    const key = message.key === null ? null : message.key.toString('utf8');
    const prefix = `${this.workload}/`;
    if (key === null || !key.startsWith(prefix)) return;
    const id = key.substring(prefix.length);
    if (message.value === null) {
      this.entries.delete(id);
    } else {
      let route;
      try {
        route = await this.registry.decode(message.value);
      } catch (e) {
        this.log(`route ${id} at offset ${message.offset} not decodable, skipped: ${e.message}`);
        return;
      }
      route.createdAt = Number(route.createdAt);
      const takesRecords = (route.topics || []).length > 0;
      if (takesRecords && this.trusted) {
        const refusal = this.trusted.refusal(route);
        if (refusal) {
          // not applied: what was there for its id stays, as in an edge agent
          this.log(`route ${id} refused: ${refusal}`);
          return;
        }
      }
      const unsupported = takesRecords ? unsupportedReason(route) : null;
      if (unsupported) {
        this.log(`route ${id} of ${route.owner} left out: ${unsupported}; its records are kept`);
        this.entries.delete(id);
      } else if (takesRecords) {
        this.entries.set(id, route);
      } else {
        this.entries.delete(id);
      }
    }
    if (this.readDone) this.publish(message.offset);
  }

  readToEnd(offset) {
    if (this.readDone) return;
    this.readDone = true;
    this.caughtUp = true;
    this.applied = Number(offset) + 1;
    this.publish(offset);
    this.waiters.splice(0).forEach((resolve) => resolve(true));
  }

  publish(offset) {
    this.current = new RecordRouting(this.entries.values());
    const ids = [...this.entries.keys()].sort().join(',') || 'none';
    this.log(
      `routes of ${this.workload} applied up to offset ${Number(offset) + 1}: ` +
        `${this.current.size} take records of [${this.current.topics().join(',')}] (intercepts ${ids})`
    );
  }

  async closeConsumer() {
    const c = this.consumer;
    this.consumer = null;
    if (c) await c.disconnect().catch(() => {});
  }

  async stop() {
    this.stopped = true;
    await this.closeConsumer();
  }
}

module.exports = { WorkloadRoutes, murmur2, partitionOf };
