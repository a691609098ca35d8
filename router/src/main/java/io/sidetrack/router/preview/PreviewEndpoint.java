package io.sidetrack.router.preview;

import static java.util.Objects.requireNonNull;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;

/**
 * The preview listener's request handler: the host names a preview; a live one's requests pass
 * {@link PreviewSignIn} and go to the workload through {@link PreviewProxy}; an ended one answers
 * 410, an unknown one 404, a host not under the domain 421.
 */
final class PreviewEndpoint implements Handler<HttpServerRequest> {
  private final PreviewSite site;
  private final Previews previews;
  private final PreviewSignIn signIn;
  private final PreviewProxy proxy;

  public PreviewEndpoint(
      PreviewSite site, Previews previews, PreviewSignIn signIn, PreviewProxy proxy) {
    this.site = requireNonNull(site, "site");
    this.previews = requireNonNull(previews, "previews");
    this.signIn = requireNonNull(signIn, "signIn");
    this.proxy = requireNonNull(proxy, "proxy");
  }

  @Override
  public void handle(HttpServerRequest req) {
    HostAndPort authority = req.authority();
    PreviewSite.Host host = site.parse(authority == null ? null : authority.host());
    if (host instanceof PreviewSite.Foreign) {
      PreviewPages.notAPreviewHost(req.response(), site.domain());
    } else if (host instanceof PreviewSite.Code code) {
      Previews.Lookup found = previews.lookup(code.code());
      if (found instanceof Previews.Live live) {
        if (!signIn.answers(live.preview(), req)) {
          proxy.forward(req, live.preview());
        }
      } else if (found instanceof Previews.Ended) {
        PreviewPages.ended(req.response());
      } else {
        PreviewPages.unknown(req.response());
      }
    } else {
      PreviewPages.unknown(req.response());
    }
  }
}
