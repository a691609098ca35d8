package io.sidetrack.router.preview;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidetrack.core.FailureMode;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.MatchRules;
import io.sidetrack.tunnel.PreviewAccess;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PreviewsTest {
  private final AtomicLong now = new AtomicLong();
  private final Previews previews = new Previews(new PreviewCodes(), now::get);
  private final PreviewUpstream demo = new PreviewUpstream("127.0.0.1", 8088);
  private final PreviewIssuer issuer =
      new PreviewIssuer(
          previews, new PreviewSite("preview.localhost", false), 8072, Map.of("demo", demo));

  private static Intercept intercept(String id, String workload, MatchRules match) {
    return new Intercept(
        id,
        workload,
        "alice",
        match,
        "router:8071",
        Instant.EPOCH,
        Instant.EPOCH.plusSeconds(30),
        FailureMode.FAIL_OPEN,
        Map.of());
  }

  private String codeOf(PreviewLinks.Link link) {
    String url = ((PreviewLinks.Url) link).url();
    assertThat(url).matches("http://[a-z2-7]{26}\\.preview\\.localhost:8072/");
    return url.substring("http://".length(), url.indexOf('.'));
  }

  @Test
  void anInterceptKeepsItsCodeWhileItLives() {
    Intercept i = intercept("i-1", "demo", MatchRules.personal("alice"));
    String code = codeOf(issuer.open(i, PreviewAccess.TOKEN));
    issuer.detached("i-1", Duration.ofSeconds(30));
    now.addAndGet(Duration.ofSeconds(29).toNanos());
    previews.sweep();
    assertThat(codeOf(issuer.open(i, PreviewAccess.PUBLIC))).isEqualTo(code);
    Previews.Live live = (Previews.Live) previews.lookup(code);
    assertThat(live.preview().access()).isEqualTo(PreviewAccess.PUBLIC);
    assertThat(live.preview().headerName()).isEqualTo("x-sidetrack-id");
    assertThat(live.preview().headerValue()).isEqualTo("alice");
    assertThat(live.preview().upstream()).isEqualTo(demo);
  }

  @Test
  void anEndedInterceptsCodeReadsAsEndedAndANewOneIsAnother() {
    Intercept i = intercept("i-1", "demo", MatchRules.header("x-sidetrack-id", "alice"));
    String code = codeOf(issuer.open(i, PreviewAccess.TOKEN));
    issuer.ended("i-1");
    assertThat(previews.lookup(code)).isInstanceOf(Previews.Ended.class);
    assertThat(codeOf(issuer.open(i, PreviewAccess.TOKEN))).isNotEqualTo(code);
    assertThat(previews.lookup("abcdefghijklmnopqrstuvwxyz")).isInstanceOf(Previews.Unknown.class);
  }

  @Test
  void aDetachedPreviewEndsWhenItsGraceRunsOut() {
    Intercept i = intercept("i-1", "demo", MatchRules.personal("alice"));
    String code = codeOf(issuer.open(i, PreviewAccess.TOKEN));
    issuer.detached("i-1", Duration.ofSeconds(30));
    now.addAndGet(Duration.ofSeconds(30).toNanos());
    previews.sweep();
    assertThat(previews.lookup(code)).isInstanceOf(Previews.Ended.class);
    assertThat(previews.live()).isZero();
  }

  @Test
  void sessionsDieWithThePreview() {
    Intercept i = intercept("i-1", "demo", MatchRules.personal("alice"));
    String code = codeOf(issuer.open(i, PreviewAccess.TOKEN));
    Preview p = ((Previews.Live) previews.lookup(code)).preview();
    p.addSession("s1");
    assertThat(p.hasSession("s1")).isTrue();
    assertThat(p.hasSession("s2")).isFalse();
    issuer.ended("i-1");
    Preview again =
        ((Previews.Live) previews.lookup(codeOf(issuer.open(i, PreviewAccess.TOKEN)))).preview();
    assertThat(again.hasSession("s1")).isFalse();
  }

  @Test
  void endedCodesAreRememberedUpToABound() {
    Intercept first = intercept("i-0", "demo", MatchRules.personal("alice"));
    String oldest = codeOf(issuer.open(first, PreviewAccess.TOKEN));
    issuer.ended("i-0");
    for (int n = 1; n <= Previews.MAX_ENDED; n++) {
      issuer.open(intercept("i-" + n, "demo", MatchRules.personal("alice")), PreviewAccess.TOKEN);
      issuer.ended("i-" + n);
    }
    assertThat(previews.lookup(oldest)).isInstanceOf(Previews.Unknown.class);
  }

  @Test
  void anInterceptWithoutAnUpstreamOrAnExactHeaderGetsTheReason() {
    assertThat(
            issuer.open(intercept("i-1", "orders", MatchRules.personal("a")), PreviewAccess.TOKEN))
        .isEqualTo(
            new PreviewLinks.Unavailable(
                "this router has no --preview-upstream for workload orders"));
    assertThat(issuer.open(intercept("i-2", "demo", MatchRules.globalRules()), PreviewAccess.TOKEN))
        .isInstanceOf(PreviewLinks.Unavailable.class);
    assertThat(
            PreviewLinks.none()
                .open(intercept("i-3", "demo", MatchRules.personal("a")), PreviewAccess.TOKEN))
        .isEqualTo(
            new PreviewLinks.Unavailable(
                "this router serves no preview URLs (it runs without --preview-listen)"));
  }
}
