package io.sidetrack.cli.tunnel;

/** What a {@link TunnelClient} tells its user; every method may be called on any thread. */
public interface TunnelEvents {
  /** Connected and authenticated as {@code owner} to the router at {@code url}. */
  default void connected(String url, String owner) {}

  /** Still waiting for activation; {@code detail} says on what. */
  default void pending(String detail) {}

  /** Registry-stream accepted the intercept and every live agent of the workload applied it. */
  default void active(String interceptId, int agents, long millis) {}

  /** The intercept asked for a preview and is active: its preview URL (the same until it ends). */
  default void preview(String url) {}

  /** The intercept asked for a preview and is active, but the router gives none: why. */
  default void previewUnavailable(String reason) {}

  /** The tunnel dropped; the client tries again in {@code retryInMillis}. */
  default void disconnected(String why, long retryInMillis) {}

  /** One request the tunnel relayed to the local app and its outcome. */
  default void relayed(String method, String uri, int status, double millis) {}

  /**
   * One Kafka record the tunnel relayed, written into the local broker: its topic, and its
   * partition and offset in the cluster.
   */
  default void recordWritten(String topic, int partition, long offset) {}

  /** Records could not be written into the local broker; the router stops relaying them. */
  default void recordsFailed(String why) {}
}
