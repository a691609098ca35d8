package io.sidetrack.router.session;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.sidetrack.core.RelayHeaders;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers an agent's request that this router holds no tunnel for its intercept: 502 with {@link
 * RelayHeaders#NO_TUNNEL}, before any {@code 100 Continue}, so the agent still has the whole
 * request for the app.
 */
public final class NoTunnel {
  private static final Logger LOG = LoggerFactory.getLogger(NoTunnel.class);

  private final Counter answered;

  /**
   * @param answered counts the answers
   */
  public NoTunnel(Counter answered) {
    this.answered = requireNonNull(answered, "answered");
  }

  /** Answers on the request's context; does nothing once the response is over. */
  public void answer(HttpServerRequest req, String reason) {
    if (req.response().ended() || req.response().closed()) {
      return;
    }
    answered.increment();
    LOG.debug("No tunnel for {}: {}", req.uri(), reason);
    req.response()
        .setStatusCode(502)
        .putHeader(RelayHeaders.NO_TUNNEL, reason.replaceAll("[\\r\\n]", " "))
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
        .end("no tunnel: " + reason + "\n");
  }
}
