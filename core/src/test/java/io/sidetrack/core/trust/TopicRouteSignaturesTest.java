package io.sidetrack.core.trust;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidetrack.core.FailureMode;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.routing.Route;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Topics in what a router signs: a route with topics is signed as statement version 2, which covers
 * its topics; a route without keeps version 1 byte for byte, so signatures made before topics
 * existed verify as before.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TopicRouteSignaturesTest {
  private static final KeyPair ROUTER = Keys.generate();
  private static final Instant CREATED = Instant.parse("2026-01-02T03:04:05.678Z");

  /**
   * SHA-256 of the version-1 statement of {@link #httpOnly()}, computed with the core as it was
   * before topics existed (the sidetrack-core jar of that commit).
   */
  private static final String V1_DIGEST_BEFORE_TOPICS =
      "070e20d0031f0ae961495738a4ad0adf9cec9f0214fe017ed6565440b32e295f";

  private final RouteSigner signer = new RouteSigner(ROUTER);
  private final TrustedKeys trusted = TrustedKeys.of(List.of(ROUTER.getPublic()));

  private static Intercept httpOnly() {
    return new Intercept(
        "i-1",
        "orders",
        "ann",
        MatchRules.personal("ann"),
        "router-1:8071",
        CREATED,
        CREATED.plusSeconds(15),
        FailureMode.FAIL_OPEN,
        Map.of());
  }

  @Test
  void aRouteWithoutTopicsKeepsTheVersionOneBytesOfBeforeTopics() throws Exception {
    RouteStatement statement = RouteStatement.of(httpOnly());

    assertThat(statement.version()).isEqualTo(1);
    byte[] bytes = statement.bytes();
    assertThat(new String(bytes, 0, RouteStatement.MAGIC_V1.length(), StandardCharsets.US_ASCII))
        .isEqualTo(RouteStatement.MAGIC_V1);
    assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)))
        .isEqualTo(V1_DIGEST_BEFORE_TOPICS);
  }

  @Test
  void aSignatureMadeBeforeTopicsStillVerifiesOnTheRouteAndTheRegistration() {
    // what a router of before topics signed: the version-1 statement, through its 7-field form
    Intercept i = httpOnly();
    RouteSignature old =
        signer.sign(
            new RouteStatement(
                i.id(),
                i.workload(),
                i.owner(),
                i.match(),
                i.target(),
                i.createdAt(),
                i.failureMode()));
    Intercept signed = i.withSignature(old);

    assertThat(trusted.verify(signed).isTrusted()).isTrue();
    assertThat(trusted.verify(Route.of(signed)).isTrusted()).isTrue();
  }

  @Test
  void aRouteWithTopicsIsVersionTwoAndItsSignatureCoversTheTopics() {
    Intercept signed = signer.sign(httpOnly().withTopics(List.of("orders.created", "payments")));

    RouteStatement statement = RouteStatement.of(signed);
    assertThat(statement.version()).isEqualTo(2);
    assertThat(
            new String(
                statement.bytes(), 0, RouteStatement.MAGIC_V2.length(), StandardCharsets.US_ASCII))
        .isEqualTo(RouteStatement.MAGIC_V2);
    assertThat(trusted.verify(signed).isTrusted()).isTrue();
    assertThat(trusted.verify(Route.of(signed)).isTrusted()).isTrue();

    // a topic added, removed or renamed after signing is refused
    for (List<String> forged :
        List.of(
            List.of("orders.created", "payments", "refunds"),
            List.of("payments"),
            List.of("orders.created", "payments2"),
            List.<String>of())) {
      Verification v = trusted.verify(signed.withTopics(forged));
      assertThat(v.isTrusted()).as("topics %s", forged).isFalse();
      assertThat(v.refusal()).isEqualTo(Verification.Refusal.BAD_SIGNATURE);
    }
  }

  @Test
  void aVersionOneSignatureDoesNotCoverTopicsAddedLater() {
    Intercept signedWithout = signer.sign(httpOnly());

    Intercept forged = signedWithout.withTopics(List.of("orders.created"));

    assertThat(trusted.verify(forged).refusal()).isEqualTo(Verification.Refusal.BAD_SIGNATURE);
    assertThat(trusted.verify(Route.of(forged)).isTrusted()).isFalse();
  }

  @Test
  void topicsAreCanonicalSoTheOrderGivenDoesNotChangeTheSignature() {
    Intercept a = signer.sign(httpOnly().withTopics(List.of("b", "a", "b")));
    Intercept b = signer.sign(httpOnly().withTopics(List.of("a", "b")));

    assertThat(a.topics()).containsExactly("a", "b");
    assertThat(Arrays.equals(a.signature().bytes(), b.signature().bytes())).isTrue();
    assertThat(RouteStatement.of(a)).isEqualTo(RouteStatement.of(Route.of(a)));
  }
}
