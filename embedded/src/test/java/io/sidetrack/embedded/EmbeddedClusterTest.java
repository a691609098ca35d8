package io.sidetrack.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class EmbeddedClusterTest {
  private static final Path DIR = Path.of("/tmp/not-started");

  @Test
  void threeNodesReplicateThreeTimesAndNeedTwoInSync() {
    Map<String, String> props = new EmbeddedCluster(DIR, 3, false).serverProperties(2);
    assertThat(props)
        .containsEntry("node.id", "2")
        .containsEntry("process.roles", "broker,controller")
        .containsEntry("default.replication.factor", "3")
        .containsEntry("min.insync.replicas", "2")
        .containsEntry("offsets.topic.replication.factor", "3")
        .containsEntry("transaction.state.log.replication.factor", "3")
        .containsEntry("transaction.state.log.min.isr", "2")
        .containsEntry("share.coordinator.state.topic.replication.factor", "3")
        .containsEntry("share.coordinator.state.topic.min.isr", "2")
        .containsEntry("unclean.leader.election.enable", "false")
        .containsEntry("log.dirs", DIR.resolve("node-2").resolve("data").toString());
    assertThat(props.get("controller.quorum.voters").split(","))
        .hasSize(3)
        .allMatch(v -> v.matches("[123]@127\\.0\\.0\\.1:\\d+"));
  }

  @Test
  void oneNodeKeepsOneReplicaAndFiveKeepThree() {
    assertThat(new EmbeddedCluster(DIR, 1, false).serverProperties(1))
        .containsEntry("default.replication.factor", "1")
        .containsEntry("min.insync.replicas", "1")
        .containsEntry("transaction.state.log.min.isr", "1");
    assertThat(new EmbeddedCluster(DIR, 5, false).serverProperties(5))
        .containsEntry("default.replication.factor", "3")
        .containsEntry("min.insync.replicas", "2");
  }

  @Test
  void nodeIdsRunFromOneToTheSize() {
    EmbeddedCluster cluster = new EmbeddedCluster(DIR, 3, false);
    assertThatThrownBy(() -> cluster.serverProperties(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no Kafka node 0 (ids are 1 to 3)");
    assertThatThrownBy(() -> cluster.serverProperties(4))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aClusterHasOneToFiveNodes() {
    assertThatThrownBy(() -> EmbeddedCluster.start(DIR, 6, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a cluster has 1 to 5 nodes, not 6");
    assertThatThrownBy(() -> EmbeddedCluster.start(DIR, 0, true))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void byDefaultANodeHasOnlyItsPlaintextAndControllerListeners() {
    Map<String, String> props = new EmbeddedCluster(DIR, 3, false).serverProperties(1);
    assertThat(props.get("listeners"))
        .matches("PLAINTEXT://127\\.0\\.0\\.1:\\d+,CONTROLLER://127\\.0\\.0\\.1:\\d+");
    assertThat(props.get("advertised.listeners")).matches("PLAINTEXT://127\\.0\\.0\\.1:\\d+");
    assertThat(props)
        .containsEntry(
            "listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
  }

  @Test
  void anExtraListenerBindsTheGivenPortAndAdvertisesTheGivenAddressPerNode() {
    EmbeddedCluster.ExtraListener relayed =
        new EmbeddedCluster.ExtraListener(
            "RELAYED",
            List.of(41001, 41002, 41003),
            List.of("127.0.0.1:51001", "127.0.0.1:51002", "127.0.0.1:51003"));
    Map<String, String> props = new EmbeddedCluster(DIR, 3, false, relayed).serverProperties(2);
    assertThat(props.get("listeners")).endsWith(",RELAYED://127.0.0.1:41002");
    assertThat(props.get("advertised.listeners"))
        .startsWith("PLAINTEXT://127.0.0.1:")
        .endsWith(",RELAYED://127.0.0.1:51002");
    assertThat(props)
        .containsEntry(
            "listener.security.protocol.map",
            "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,RELAYED:PLAINTEXT")
        .containsEntry("inter.broker.listener.name", "PLAINTEXT");
  }

  @Test
  void anExtraListenerNeedsOnePortPerNodeAndAFreeName() {
    assertThatThrownBy(
            () ->
                new EmbeddedCluster(
                    DIR,
                    3,
                    false,
                    new EmbeddedCluster.ExtraListener(
                        "RELAYED", List.of(1, 2), List.of("127.0.0.1:3", "127.0.0.1:4"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the extra listener RELAYED has 2 ports for 3 nodes");
    assertThatThrownBy(
            () -> new EmbeddedCluster.ExtraListener("PLAINTEXT", List.of(1), List.of("h:1")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new EmbeddedCluster.ExtraListener("RELAYED", List.of(1), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("1 ports but 0 advertised addresses");
  }
}
