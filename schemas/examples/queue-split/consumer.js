// A Kafka consumer of a workload that honours Sidetrack's queue split, in Node.js with third-party
// clients only (kafkajs, @kafkajs/confluent-schema-registry; no Sidetrack code): it skips the records
// an active intercept of its workload takes, as Sidetrack's Java ConsumerInterceptor does in cluster
// mode, or keeps only one developer's records (developer mode). See README.md.
//
//   npm install --no-package-lock
//   node consumer.js --workload orders --topic orders.created --group orders \
//     --bootstrap 127.0.0.1:9092 --registry http://127.0.0.1:8081/apis/ccompat/v7
//
// "The app" here prints one line per record it processes (stdout: `processed TOPIC PARTITION
// OFFSET KEY`) and per record it skips (`skipped ... by INTERCEPT of OWNER: RULE`); status lines go
// to stderr.

'use strict';

const { Kafka, logLevel } = require('kafkajs');
const { SchemaRegistry } = require('@kafkajs/confluent-schema-registry');
const { WorkloadRoutes } = require('./routes');
const { TrustedKeys } = require('./trust');
const { Heartbeats } = require('./heartbeats');
const crypto = require('crypto');
const os = require('os');

const NAME = 'queue-split';

// flag, environment variable, default, meaning: every setting has both
const SETTINGS = [
  ['workload', 'SIDETRACK_WORKLOAD', undefined, "the workload this consumer belongs to (required)"],
  ['topic', 'KAFKA_TOPICS', undefined, 'an app topic to consume (repeatable; the variable is comma-separated; required)'],
  ['group', 'KAFKA_GROUP_ID', undefined, "the app's consumer group (default: the workload)"],
  ['bootstrap', 'KAFKA_BOOTSTRAP_SERVERS', '127.0.0.1:9092', "the app's Kafka, host:port[,host:port]"],
  ['registry', 'SIDETRACK_SCHEMA_REGISTRY_URL', 'http://127.0.0.1:8081/apis/ccompat/v7', "Sidetrack's schema registry (Confluent API)"],
  ['sidetrack-bootstrap', 'SIDETRACK_BOOTSTRAP_SERVERS', undefined, "Sidetrack's Kafka (default: --bootstrap)"],
  ['topic-prefix', 'SIDETRACK_TOPIC_PREFIX', '', "the prefix of Sidetrack's topics, as the components' --topic-prefix"],
  ['trusted-router-keys', 'SIDETRACK_TRUSTED_ROUTER_KEYS', undefined, "comma-separated PEM files of the routers' public keys: a route entry none of them signed is refused (default: entries taken unverified, with a warning)"],
  ['mode', 'SIDETRACK_MODE', 'cluster', "cluster: skip the records an active intercept takes; developer: keep only the developer's"],
  ['developer-id', 'SIDETRACK_DEVELOPER_ID', undefined, 'developer mode: the intercept id or owner whose records are kept'],
  ['first-read-wait-ms', 'SIDETRACK_FIRST_READ_WAIT_MS', '500', 'cluster mode: how long the first record waits for the first read of the routes'],
  ['heartbeat-interval-ms', 'SIDETRACK_HEARTBEAT_INTERVAL_MS', '2000', "cluster mode: how often it reports the routes applied to Sidetrack's agents topic, so an intercept becomes active only once this consumer skips its records (0: never report)"],
  ['agent-id', 'SIDETRACK_AGENT_ID', undefined, 'its id among the reporters (default WORKLOAD-node-HOSTNAME-random)'],
  ['from-beginning', 'KAFKA_FROM_BEGINNING', 'false', "read the app topics from the beginning when the group has no offsets (true/false)"],
];

class UsageError extends Error {}

function help() {
  const lines = [
    'Usage: node consumer.js --workload NAME --topic TOPIC [--topic TOPIC2] [options]',
    '',
    "Consumes TOPIC as one of WORKLOAD's consumers and skips the records an active Sidetrack",
    "intercept of WORKLOAD takes (header x-sidetrack-id, baggage member sidetrack-id, or the",
    "intercept's own exact rules), read from Sidetrack's routes topic. Fails open: before the first",
    'read of the routes it keeps every record; with Sidetrack\'s Kafka unreachable it decides by the',
    'last routes read.',
    '',
    'Options (a flag wins over its environment variable):',
  ];
  for (const [flag, env, def, meaning] of SETTINGS) {
    lines.push(`  --${flag} (${env})${def !== undefined && def !== '' ? ` [default ${def}]` : ''}`);
    lines.push(`      ${meaning}`);
  }
  lines.push('  --help  this text');
  return lines.join('\n');
}

/** The settings from argv and the environment; throws UsageError naming the bad one. */
function parse(argv, env) {
  const known = new Map(SETTINGS.map((s) => [s[0], s]));
  const given = new Map();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return null;
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument '${arg}'`);
    let [flag, value] = arg.substring(2).split(/=(.*)/s);
    if (!known.has(flag)) throw new UsageError(`unknown option '--${flag}' (see --help)`);
    if (value === undefined) {
      if (flag === 'from-beginning') value = 'true';
      else if (i + 1 < argv.length) value = argv[++i];
      else throw new UsageError(`--${flag} needs a value`);
    }
    if (!given.has(flag)) given.set(flag, []);
    given.get(flag).push(value);
  }
  const value = (flag) => {
    const [, envName, def] = known.get(flag);
    if (given.has(flag)) return given.get(flag)[given.get(flag).length - 1];
    if (env[envName] !== undefined && env[envName] !== '') return env[envName];
    return def;
  };
  const workload = value('workload');
  if (!workload) throw new UsageError('--workload (SIDETRACK_WORKLOAD) is required');
  const topics = given.has('topic')
    ? given.get('topic')
    : (env.KAFKA_TOPICS || '').split(',').map((t) => t.trim()).filter(Boolean);
  if (topics.length === 0) throw new UsageError('--topic (KAFKA_TOPICS) is required');
  const mode = value('mode');
  if (mode !== 'cluster' && mode !== 'developer') {
    throw new UsageError(`--mode (SIDETRACK_MODE) must be cluster or developer, got '${mode}'`);
  }
  const developerId = value('developer-id');
  if (mode === 'developer' && !developerId) {
    throw new UsageError('--developer-id (SIDETRACK_DEVELOPER_ID) is required in developer mode');
  }
  const wait = Number(value('first-read-wait-ms'));
  if (!Number.isInteger(wait) || wait < 0) {
    throw new UsageError(`--first-read-wait-ms (SIDETRACK_FIRST_READ_WAIT_MS) must be a whole number of ms >= 0, got '${value('first-read-wait-ms')}'`);
  }
  const interval = Number(value('heartbeat-interval-ms'));
  if (!Number.isInteger(interval) || interval < 0) {
    throw new UsageError(`--heartbeat-interval-ms (SIDETRACK_HEARTBEAT_INTERVAL_MS) must be a whole number of ms >= 0, got '${value('heartbeat-interval-ms')}'`);
  }
  const fromBeginning = value('from-beginning');
  if (fromBeginning !== 'true' && fromBeginning !== 'false') {
    throw new UsageError(`--from-beginning (KAFKA_FROM_BEGINNING) must be true or false, got '${fromBeginning}'`);
  }
  const bootstrap = value('bootstrap');
  const keys = value('trusted-router-keys');
  return {
    workload,
    topics,
    group: value('group') || workload,
    bootstrap: bootstrap.split(','),
    sidetrackBootstrap: (value('sidetrack-bootstrap') || bootstrap).split(','),
    registry: value('registry'),
    routesTopic: `${value('topic-prefix')}sidetrack.routes`,
    agentsTopic: `${value('topic-prefix')}sidetrack.agents`,
    heartbeatIntervalMs: interval,
    agentId: value('agent-id') || `${workload}-node-${os.hostname()}-${crypto.randomBytes(3).toString('hex')}`,
    trustedKeyFiles: keys ? keys.split(',').map((f) => f.trim()).filter(Boolean) : [],
    mode,
    developerId,
    firstReadWaitMs: wait,
    fromBeginning: fromBeginning === 'true',
  };
}

const log = (line) => process.stderr.write(`${NAME}: ${line}\n`);

/** Whether the consumer keeps a record of `topic` with `headers`, and the line that says so. */
function decide(settings, routing, topic, headers) {
  const taken = routing.routeFor(topic, headers);
  const by = taken ? ` by ${taken.route.interceptId} of ${taken.route.owner}: ${taken.rule}` : '';
  if (settings.mode === 'cluster') return { keep: taken === null, by };
  const mine =
    taken !== null &&
    (taken.route.interceptId === settings.developerId || taken.route.owner === settings.developerId);
  return { keep: mine, by };
}

async function main() {
  let settings;
  try {
    settings = parse(process.argv.slice(2), process.env);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`${NAME}: ${e.message}\n`);
    process.exit(2);
  }
  if (settings === null) {
    process.stdout.write(`${help()}\n`);
    return;
  }
  let trusted = null;
  if (settings.trustedKeyFiles.length > 0) {
    try {
      trusted = TrustedKeys.read(settings.trustedKeyFiles);
    } catch (e) {
      process.stderr.write(`${NAME}: --trusted-router-keys: ${e.message}\n`);
      process.exit(2);
    }
  } else {
    log('no --trusted-router-keys: route entries are taken unverified');
  }

  const sidetrack = new Kafka({ clientId: `${NAME}-sidetrack`, brokers: settings.sidetrackBootstrap, logLevel: logLevel.NOTHING });
  const registry = new SchemaRegistry({ host: settings.registry });
  const routes = new WorkloadRoutes({
    kafka: sidetrack,
    registry,
    workload: settings.workload,
    topic: settings.routesTopic,
    trusted,
    log,
  });
  routes.start();
  // a developer's consumer is not one of the workload's: it does not report
  const heartbeats =
    settings.mode === 'cluster' && settings.heartbeatIntervalMs > 0
      ? new Heartbeats({
          kafka: sidetrack,
          registry,
          topic: settings.agentsTopic,
          agentId: settings.agentId,
          workload: settings.workload,
          intervalMs: settings.heartbeatIntervalMs,
          progress: routes.progress(),
          log,
        })
      : null;
  if (heartbeats) heartbeats.start();

  const app = new Kafka({ clientId: `${NAME}-${settings.workload}`, brokers: settings.bootstrap, logLevel: logLevel.NOTHING });
  const consumer = app.consumer({ groupId: settings.group });
  let waited = false;
  const stop = async () => {
    await consumer.disconnect().catch(() => {});
    if (heartbeats) await heartbeats.stop();
    await routes.stop();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  try {
    await consumer.connect();
  } catch (e) {
    throw new Error(`cannot reach the app's Kafka at ${settings.bootstrap.join(',')}: ${e.message}`);
  }
  for (const topic of settings.topics) {
    await consumer.subscribe({ topic, fromBeginning: settings.fromBeginning });
  }
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      if (!waited) {
        waited = true;
        // cluster mode fails open after a short wait; developer mode waits for the routes, since
        // without them it would skip (and commit past) the developer's own records
        const read = await routes.firstRead(settings.mode === 'cluster' ? settings.firstReadWaitMs : -1);
        if (!read) log(`routes not read within ${settings.firstReadWaitMs} ms; no record is skipped until they are`);
      }
      const { keep, by } = decide(settings, routes.routing(), topic, message.headers);
      const key = message.key === null ? '-' : message.key.toString('utf8');
      const where = `${topic} ${partition} ${message.offset} ${key}`;
      if (keep) {
        // the app's own processing would go here
        process.stdout.write(`processed ${where}\n`);
      } else {
        process.stdout.write(`skipped ${where}${by}\n`);
      }
    },
  });
  log(`consuming [${settings.topics.join(',')}] as group ${settings.group} (${settings.mode} mode${settings.mode === 'developer' ? ` for ${settings.developerId}` : ''}${heartbeats ? `, reporting as ${settings.agentId}` : ''})`);
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`${NAME}: ${e.message}\n`);
    process.exit(1);
  });
}

module.exports = { parse, decide, UsageError };
