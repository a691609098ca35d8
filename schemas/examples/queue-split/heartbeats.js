// Reports the consumer to Sidetrack's `sidetrack.agents` as an edge agent reports itself (an
// AgentHeartbeat: workload, routes partition, offset applied, ready), every interval and whenever
// the offset moves, and a tombstone when it stops. Routers count it among the workload's live
// reporters, so an intercept becomes active only once this consumer skips its records.

'use strict';

const { Partitioners } = require('kafkajs');
const { SchemaType } = require('@kafkajs/confluent-schema-registry');

// schemas/src/main/avro/AgentHeartbeat.avsc, registered only when no writer registered it before
// (edge agents and the Java interceptor do); otherwise the subject's latest version is used
const AGENT_HEARTBEAT = {
  type: 'record',
  name: 'AgentHeartbeat',
  namespace: 'io.sidetrack.schemas.avro',
  fields: [
    { name: 'agentId', type: 'string' },
    { name: 'workload', type: 'string' },
    { name: 'partition', type: 'int' },
    { name: 'appliedOffset', type: 'long' },
    { name: 'ready', type: 'boolean' },
    { name: 'routes', type: 'int', default: 0 },
    { name: 'startedAt', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'time', type: { type: 'long', logicalType: 'timestamp-millis' } },
  ],
};

const CHECK_MS = 100;

class Heartbeats {
  /**
   * @param options.progress  { partition(), appliedOffset(), ready(), routes() } of the routes reader
   */
  constructor({ kafka, registry, topic, agentId, workload, intervalMs, progress, log }) {
    this.producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    this.registry = registry;
    this.topic = topic;
    this.agentId = agentId;
    this.workload = workload;
    this.intervalMs = intervalMs;
    this.progress = progress;
    this.log = log;
    this.startedAt = Date.now();
    this.schemaId = null;
    this.connected = false;
    this.last = { offset: -1, ready: false, at: 0 };
    this.failing = false;
    this.sending = false;
    this.timer = null;
  }

  start() {
    this.timer = setInterval(() => this.tick(), CHECK_MS);
  }

  async schema() {
    if (this.schemaId !== null) return this.schemaId;
    const subject = `${this.topic}-value`;
    try {
      this.schemaId = await this.registry.getLatestSchemaId(subject);
    } catch (e) {
      const registered = await this.registry.register(
        { type: SchemaType.AVRO, schema: JSON.stringify(AGENT_HEARTBEAT) },
        { subject }
      );
      this.schemaId = registered.id;
    }
    return this.schemaId;
  }

  async tick() {
    if (this.sending || this.progress.partition() < 0) return;
    const offset = this.progress.appliedOffset();
    const ready = this.progress.ready();
    const now = Date.now();
    if (offset === this.last.offset && ready === this.last.ready && now - this.last.at < this.intervalMs) return;
    this.sending = true;
    try {
      if (!this.connected) {
        await this.producer.connect();
        this.connected = true;
      }
      const value = await this.registry.encode(await this.schema(), {
        agentId: this.agentId,
        workload: this.workload,
        partition: this.progress.partition(),
        appliedOffset: offset,
        ready,
        routes: this.progress.routes(),
        startedAt: this.startedAt,
        time: now,
      });
      await this.producer.send({ topic: this.topic, messages: [{ key: this.agentId, value }] });
      this.last = { offset, ready, at: now };
      if (this.failing) this.log(`heartbeats of ${this.agentId} sent again`);
      this.failing = false;
    } catch (e) {
      if (!this.failing) this.log(`heartbeat of ${this.agentId} not sent: ${e.message}`);
      this.failing = true;
      this.last.at = now;
    } finally {
      this.sending = false;
    }
  }

  /** Stops reporting and marks this reporter gone (a tombstone). */
  async stop() {
    clearInterval(this.timer);
    while (this.sending) await new Promise((r) => setTimeout(r, 10));
    if (!this.connected) return;
    try {
      await this.producer.send({ topic: this.topic, messages: [{ key: this.agentId, value: null }] });
    } catch (e) {
      this.log(`could not mark ${this.agentId} gone: ${e.message}`);
    }
    await this.producer.disconnect().catch(() => {});
  }
}

module.exports = { Heartbeats, AGENT_HEARTBEAT };
