package io.sidetrack.edge.proxy;

import io.sidetrack.core.routing.RequestView;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;

/** A Vert.x request as the route matcher sees it. */
record VertxRequestView(HttpServerRequest request) implements RequestView {
  @Override
  public List<String> headerValues(String lowerCaseName) {
    return request.headers().getAll(lowerCaseName);
  }

  @Override
  public String path() {
    String path = request.path();
    return path == null ? "/" : path;
  }

  @Override
  public String method() {
    return request.method().name();
  }
}
