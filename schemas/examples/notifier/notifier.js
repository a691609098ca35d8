// Prints a line per routing change on sidetrack.audit, e.g. "alice started intercepting orders".
// It uses no Sidetrack code: kafkajs reads the topic, and @kafkajs/confluent-schema-registry
// decodes the Avro values (Confluent wire format) through the registry's Confluent API.
//
//   npm install --no-package-lock
//   node notifier.js --bootstrap 127.0.0.1:9092 --registry http://127.0.0.1:8081/apis/ccompat/v7
//
// Options: --topic (default sidetrack.audit), --from-beginning, --max N (exit after N lines).
const { Kafka, logLevel } = require('kafkajs');
const { SchemaRegistry } = require('@kafkajs/confluent-schema-registry');

function option(name, fallback) {
  const i = process.argv.indexOf('--' + name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const flag = (name) => process.argv.includes('--' + name);

const bootstrap = option('bootstrap', process.env.KAFKA_BOOTSTRAP_SERVERS || '127.0.0.1:9092');
const registryUrl = option('registry', process.env.SCHEMA_REGISTRY_URL || 'http://127.0.0.1:8081/apis/ccompat/v7');
const topic = option('topic', 'sidetrack.audit');
const max = Number(option('max', '0'));

function header(h) {
  return `${h.name}${h.kind === 'EXACT' ? '=' : '~'}${h.value}`;
}

function rules(match) {
  if (match.global) return 'every request no one else takes';
  const parts = match.headers.map(header);
  // records written before any-of groups existed have no anyOf
  for (const g of match.anyOf || []) {
    const alternatives = g.headers.map(header).concat(g.baggage.map((b) => `baggage ${b.key}=${b.value}`));
    parts.push(alternatives.join(' or '));
  }
  if (match.pathPrefix) parts.push(`path ${match.pathPrefix}*`);
  return parts.join(' ');
}

function sentence(e) {
  switch (e.kind) {
    case 'CREATED': return `${e.actor} started intercepting ${e.workload} (${rules(e.after.match)})`;
    case 'UPDATED': return `${e.actor} changed their intercept of ${e.workload} to ${rules(e.after.match)}`;
    case 'REJECTED': return `${e.actor} could not intercept ${e.workload}: ${e.reason}`;
    case 'EXPIRED': return `${e.before.owner} stopped intercepting ${e.workload} (lease expired)`;
    case 'REMOVED': return `${e.actor} stopped intercepting ${e.workload}`;
    default: return `${e.kind} ${e.interceptId} on ${e.workload}`;
  }
}

async function main() {
  const registry = new SchemaRegistry({ host: registryUrl });
  const kafka = new Kafka({ brokers: bootstrap.split(','), logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `sidetrack-notifier-${process.pid}-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: flag('from-beginning') });
  let printed = 0;
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (!message.value) return;
      const event = await registry.decode(message.value);
      console.log(sentence(event));
      printed += 1;
      if (max > 0 && printed >= max) {
        // not awaited: disconnect waits for this handler to return
        consumer.disconnect().finally(() => process.exit(0));
      }
    },
  });
}

main().catch((e) => {
  console.error(`notifier: ${e.message}`);
  process.exit(1);
});
