package io.sidetrack.kafka.interceptor;

/**
 * What one consumer's interceptor reports over JMX, as {@code
 * io.sidetrack:type=kafka-interceptor,client-id=CLIENT_ID}.
 */
public interface SidetrackInterceptorMetricsMBean {
  /** Records removed from polls: claimed by an intercept (cluster mode), or not the developer's. */
  long getRecordsRemoved();

  /** Records looked at (every record of the polls). */
  long getRecordsSeen();

  /** Routes of the workload that take records. */
  int getRoutes();

  /** Whether the workload's routes were read to the end at least once. */
  boolean isCaughtUp();

  /** Whether Sidetrack's Kafka answered recently. */
  boolean isKafkaReachable();

  /** Offset of the workload's partition of sidetrack.routes applied up to. */
  long getAppliedOffset();

  /** Route entries refused: no trusted router signed them. */
  long getRoutesRefused();
}
