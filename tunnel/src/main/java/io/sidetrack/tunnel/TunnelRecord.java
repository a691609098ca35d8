package io.sidetrack.tunnel;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A Kafka record the router relays to the developer's CLI on a records stream (an OPEN with {@link
 * Frames#FLAG_RECORDS}): what the CLI needs to write it, unchanged, into the local broker.
 *
 * @param topic the topic it was read from, and is written to
 * @param partitions how many partitions the topic has in the cluster (the local topic gets as many,
 *     so each record keeps its partition and the order within it)
 * @param partition its partition
 * @param offset its offset in the cluster (for the CLI's messages; the local broker numbers anew)
 * @param timestamp its timestamp (ms), kept
 * @param key its key, {@code null} for none
 * @param value its value, {@code null} for a tombstone
 * @param headers its headers, in order
 */
public record TunnelRecord(
    String topic,
    int partitions,
    int partition,
    long offset,
    long timestamp,
    byte[] key,
    byte[] value,
    List<Header> headers) {

  public TunnelRecord {
    requireNonNull(topic, "topic");
    headers = List.copyOf(requireNonNull(headers, "headers"));
  }

  /** A record header; its value may be {@code null}, as Kafka allows. */
  public record Header(String name, byte[] value) {
    public Header {
      requireNonNull(name, "name");
    }
  }
}
