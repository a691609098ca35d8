package io.sidetrack.router.preview;

import static java.util.Objects.requireNonNull;

import io.sidetrack.core.HeaderMatch;
import io.sidetrack.core.Intercept;
import io.sidetrack.tunnel.PreviewAccess;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Gives active intercepts their preview links: a workload needs a preview upstream, and the
 * intercept an exact header for the preview to add ({@link
 * io.sidetrack.core.MatchRules#exactHeader}).
 */
final class PreviewIssuer implements PreviewLinks {
  private final Previews previews;
  private final PreviewSite site;
  private final int port;
  private final Map<String, PreviewUpstream> upstreams;

  /**
   * @param port the preview listener's port, as visitors reach it
   * @param upstreams each workload's entry point
   */
  public PreviewIssuer(
      Previews previews, PreviewSite site, int port, Map<String, PreviewUpstream> upstreams) {
    this.previews = requireNonNull(previews, "previews");
    this.site = requireNonNull(site, "site");
    this.port = port;
    this.upstreams = Map.copyOf(requireNonNull(upstreams, "upstreams"));
  }

  @Override
  public Link open(Intercept intercept, PreviewAccess access) {
    requireNonNull(intercept, "intercept");
    requireNonNull(access, "access");
    PreviewUpstream upstream = upstreams.get(intercept.workload());
    if (upstream == null) {
      return new Unavailable(
          "this router has no --preview-upstream for workload " + intercept.workload());
    }
    Optional<HeaderMatch> header = intercept.match().exactHeader();
    if (header.isEmpty()) {
      return new Unavailable(
          "the intercept's rules have no exact header for a preview to add (--header NAME=VALUE)");
    }
    Preview preview =
        previews.open(
            intercept.id(),
            intercept.owner(),
            intercept.workload(),
            upstream,
            header.get().name(),
            header.get().value(),
            access);
    return new Url(site.url(preview.code(), port));
  }

  @Override
  public void detached(String interceptId, Duration grace) {
    previews.detach(interceptId, grace);
  }

  @Override
  public void ended(String interceptId) {
    previews.end(interceptId);
  }
}
