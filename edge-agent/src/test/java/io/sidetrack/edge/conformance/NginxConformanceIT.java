package io.sidetrack.edge.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sidetrack.edge.EdgeAgent;
import io.sidetrack.edge.EdgeAgentConfig;
import io.sidetrack.edge.TestRouterKeys;
import io.sidetrack.edge.conformance.Corpus.Entry;
import io.sidetrack.edge.conformance.Corpus.Kind;
import io.sidetrack.edge.conformance.RawClient.Answers;
import io.sidetrack.embedded.SharedInfrastructure;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * HTTP/1.1 conformance of the edge agent, measured against nginx: every corpus entry goes, as raw
 * bytes on its own connection, through nginx, through the agent's fast front and through the
 * agent's full Vert.x proxy (its own loopback port), each in front of the same recording origin.
 * What nginx forwards, the agent forwards the same (method, target, end-to-end fields in order,
 * Host, body); what nginx refuses, the agent refuses, unless the entry says how and why (RFC
 * section) the agent is meant to differ.
 */
@Timeout(900)
class NginxConformanceIT {
  static RecordingOrigin origin;
  static NginxFront nginx;
  static EdgeAgent agent;

  /** One proxy's handling of one entry: its answers and what reached the origin. */
  record Outcome(Answers answers, List<RecordingOrigin.Recorded> forwarded) {
    /** Nothing reached the origin, and the client got an error or a closed connection. */
    boolean refused() {
      return forwarded.isEmpty()
          && (answers.anyError() || answers.statuses().isEmpty() && !answers.end().isEmpty());
    }

    String summary() {
      if (forwarded.isEmpty()) {
        return (refused() ? "refused " : "none ") + answers;
      }
      return "fwd " + forwarded.size() + " " + answers;
    }
  }

  @BeforeAll
  static void start() throws Exception {
    NginxFront.binary(); // fails at once, saying what to install, when nginx is missing
    origin = new RecordingOrigin();
    nginx = NginxFront.start(origin.port());
    agent =
        EdgeAgent.start(
            EdgeAgentConfig.of(
                    "conformance",
                    "127.0.0.1",
                    0,
                    "127.0.0.1",
                    origin.port(),
                    SharedInfrastructure.kafka(),
                    SchemaRegistryConfig.of(SharedInfrastructure.schemaRegistry()))
                .withTopicPrefix("c" + System.nanoTime() + ".")
                .withTrustedRouters(TestRouterKeys.TRUSTED));
    // no routes topic: every request goes to the app, which is what the corpus is about
  }

  @AfterAll
  static void stop() throws Exception {
    if (agent != null) {
      agent.close();
    }
    if (nginx != null) {
      nginx.close();
    }
    if (origin != null) {
      origin.close();
    }
  }

  @Test
  void theAgentForwardsAndRefusesWhatNginxDoesOnBothPaths() throws Exception {
    List<Entry> corpus = Corpus.all();
    assertThat(corpus).hasSizeGreaterThanOrEqualTo(100);
    List<String> failures = new ArrayList<>();
    List<String> knownFixed = new ArrayList<>();
    StringBuilder table = new StringBuilder();
    table.append(
        String.format(
            "%n%-28s %-5s %-26s %-26s %-26s %s%n",
            "entry", "kind", "nginx", "agent fast front", "agent full proxy", "verdict"));
    int known = 0;
    // the first request on each path loads and compiles its code: not part of the comparison
    Entry warmUp = corpus.get(0);
    for (int port : new int[] {nginx.port(), agent.port(), agent.fullProxyPort()}) {
      assertThat(run(port, warmUp).forwarded()).as("warm-up through port %d", port).hasSize(1);
    }
    for (Entry e : corpus) {
      Outcome reference = run(nginx.port(), e);
      Outcome fast = run(agent.port(), e);
      Outcome full = run(agent.fullProxyPort(), e);
      StringBuilder verdict = new StringBuilder();
      for (var path : List.of(new Object[] {"fast", fast}, new Object[] {"full", full})) {
        String name = (String) path[0];
        String problem = judge(e, reference, (Outcome) path[1]);
        String reason = KnownDiscrepancies.reason(e.name(), name);
        String v;
        if (problem == null && reason == null) {
          v = "ok";
        } else if (problem == null) {
          v = "ok (listed as known: remove it)";
          knownFixed.add(e.name() + "@" + name);
        } else if (reason != null) {
          v = "KNOWN";
          known++;
        } else {
          v = "FAIL";
          failures.add(
              e.name() + "@" + name + ": " + problem + " (nginx: " + reference.summary() + ")");
        }
        verdict.append(name).append(':').append(v).append(' ');
      }
      table.append(
          String.format(
              "%-28s %-5s %-26s %-26s %-26s %s%s%n",
              e.name(),
              e.kind() == Kind.SAME ? "" : e.kind().name().substring(0, 5),
              reference.summary(),
              fast.summary(),
              full.summary(),
              verdict,
              e.why() == null ? "" : "  [" + e.why() + "]"));
    }
    table.append(
        String.format(
            "%d entries, 2 agent paths: %d failures, %d known discrepancies (KnownDiscrepancies)%n",
            corpus.size(), failures.size(), known));
    System.out.println(table);
    if (!knownFixed.isEmpty()) {
      System.out.println("Listed as known but now conform: " + knownFixed);
    }
    assertThat(failures).as("discrepancies between the agent and nginx").isEmpty();
  }

  private static Outcome run(int port, Entry e) throws Exception {
    origin.take();
    List<byte[]> bytes = new ArrayList<>();
    List<Boolean> heads = new ArrayList<>();
    for (String r : e.requests()) {
      bytes.add(RawHttp.bytes(r));
      heads.add(r.startsWith("HEAD "));
    }
    Answers answers = RawClient.exchange(port, bytes, heads);
    // the client has closed; a proxy closes its links to the origin then, so whatever it still
    // forwards for this entry is recorded before the next entry starts
    await()
        .pollInterval(Duration.ofMillis(5))
        .atMost(Duration.ofSeconds(3))
        .until(() -> origin.openConnections() == 0);
    return new Outcome(answers, origin.take());
  }

  /** What is wrong with the agent's outcome, or null. */
  static String judge(Entry e, Outcome nginx, Outcome agent) throws Exception {
    return switch (e.kind()) {
      case SAME ->
          nginx.forwarded().isEmpty() ? sameRefusal(nginx, agent) : sameForward(e, nginx, agent);
      case STRICTER ->
          agent.refused() ? null : "forwarded what it means to refuse: " + agent.summary();
      case LAXER, AS_SENT -> asSent(e, agent);
      case EITHER -> agent.refused() ? null : asSent(e, agent);
    };
  }

  private static String sameRefusal(Outcome nginx, Outcome agent) {
    if (!nginx.refused()) {
      return agent.forwarded().isEmpty() ? null : "forwarded what nginx did not";
    }
    return agent.refused() ? null : "nginx refused, the agent: " + agent.summary();
  }

  private static String sameForward(Entry e, Outcome nginx, Outcome agent) {
    List<Set<String>> named = Forwarded.namedByConnection(e);
    if (agent.forwarded().size() != nginx.forwarded().size()) {
      return "forwarded "
          + agent.forwarded().size()
          + " of nginx's "
          + nginx.forwarded().size()
          + ": "
          + agent.summary();
    }
    for (int i = 0; i < nginx.forwarded().size(); i++) {
      Set<String> drop = i < named.size() ? named.get(i) : Set.of();
      // the agent drops Connection-named fields (RFC 9110 7.6.1); nginx forwards them
      Forwarded expected = Forwarded.of(nginx.forwarded().get(i), drop);
      Forwarded got = Forwarded.of(agent.forwarded().get(i), Set.of());
      String d = got.differenceFrom(expected, false);
      if (d != null) {
        return "request " + (i + 1) + ": " + d;
      }
    }
    if (nginx.answers().anyError() != agent.answers().anyError()) {
      return "nginx answered " + nginx.answers() + ", the agent " + agent.answers();
    }
    return null;
  }

  private static String asSent(Entry e, Outcome agent) throws Exception {
    List<Forwarded> sent = Forwarded.sent(e.requests());
    if (agent.forwarded().size() != sent.size()) {
      return "forwarded "
          + agent.forwarded().size()
          + " of "
          + sent.size()
          + ": "
          + agent.summary();
    }
    for (int i = 0; i < sent.size(); i++) {
      String d = Forwarded.of(agent.forwarded().get(i), Set.of()).differenceFrom(sent.get(i), true);
      if (d != null) {
        return "request " + (i + 1) + ": " + d;
      }
    }
    return null;
  }
}
