package io.sidetrack.core.routing;

import java.util.List;

/** What routing reads of a request; the proxy adapts its own request type to this. */
public interface RequestView {
  /** Every value of the header {@code lowerCaseName} in order; empty when it is absent. */
  List<String> headerValues(String lowerCaseName);

  /** The request path, without the query. */
  String path();

  /** The HTTP method, upper case. */
  String method();
}
