package io.sidetrack.feed;

/**
 * A record as the reader hands it over, its key and value deserialized.
 *
 * @param value {@code null} for a tombstone
 */
public record FeedRecord<K, V>(String topic, int partition, long offset, K key, V value) {}
