package io.sidetrack.core.routing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A request for matcher tests. */
final class TestRequest implements RequestView {
  private final Map<String, List<String>> headers = new HashMap<>();
  private String path = "/";
  private String method = "GET";

  static TestRequest get(String path) {
    TestRequest r = new TestRequest();
    r.path = path;
    return r;
  }

  TestRequest header(String name, String value) {
    headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), n -> new ArrayList<>()).add(value);
    return this;
  }

  TestRequest method(String m) {
    method = m;
    return this;
  }

  @Override
  public List<String> headerValues(String lowerCaseName) {
    return headers.getOrDefault(lowerCaseName, List.of());
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public String method() {
    return method;
  }
}
