/**
 * Routing of Kafka records (the queue split): which intercept takes a record a workload consumes,
 * decided by the same route tables as requests.
 */
package io.sidetrack.core.records;
