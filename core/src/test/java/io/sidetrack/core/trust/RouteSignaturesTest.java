package io.sidetrack.core.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sidetrack.core.AnyOf;
import io.sidetrack.core.BaggageMatch;
import io.sidetrack.core.FailureMode;
import io.sidetrack.core.HeaderMatch;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.routing.Route;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RouteSignaturesTest {
  private static final KeyPair ROUTER = Keys.generate();
  private static final KeyPair OTHER = Keys.generate();
  private static final Instant CREATED = Instant.parse("2026-01-02T03:04:05.678Z");

  private final RouteSigner signer = new RouteSigner(ROUTER);
  private final TrustedKeys trusted = TrustedKeys.of(List.of(ROUTER.getPublic()));

  private static MatchRules rules() {
    return new MatchRules(
        List.of(HeaderMatch.exact("x-team", "a"), HeaderMatch.regex("x-user", "ann|bob")),
        List.of(new BaggageMatch("tenant", "t1")),
        "/api",
        "GET",
        false,
        List.of(
            new AnyOf(
                List.of(HeaderMatch.exact("x-sidetrack-id", "ann")),
                List.of(new BaggageMatch("sidetrack-id", "ann")))));
  }

  private static Intercept intercept() {
    return new Intercept(
        "i-1",
        "orders",
        "ann",
        rules(),
        "router-1:8071",
        CREATED,
        CREATED.plusSeconds(15),
        FailureMode.FAIL_OPEN,
        Map.of("k", "v"));
  }

  @Test
  void signedRegistrationVerifiesAndSoDoesItsRoute() {
    Intercept signed = signer.sign(intercept());

    assertThat(signed.signature().keyId()).isEqualTo(TrustedKeys.keyIdOf(ROUTER.getPublic()));
    assertThat(trusted.verify(signed).isTrusted()).isTrue();
    assertThat(trusted.verify(Route.of(signed)).isTrusted()).isTrue();
    assertThat(trusted.verify(signed).reason()).isEmpty();
  }

  @Test
  void renewalKeepsItsSignature() {
    Intercept signed = signer.sign(intercept());
    Intercept renewed = signed.withExpiresAt(CREATED.plusSeconds(300));

    assertThat(trusted.verify(renewed).isTrusted()).isTrue();
    assertThat(signer.sign(renewed).signature()).isEqualTo(signed.signature());
  }

  @Test
  void sub_millisecondCreatedAtSignsWhatAvroKeeps() {
    Intercept precise = intercept().withCreatedAt(CREATED.plusNanos(123_456));
    Intercept signed = signer.sign(precise);

    assertThat(trusted.verify(signed.withCreatedAt(CREATED)).isTrusted()).isTrue();
  }

  static Stream<Arguments> tamperings() {
    Intercept i = intercept();
    MatchRules m = rules();
    return Stream.of(
        Arguments.of("id", (UnaryOperator<Intercept>) x -> with(x, "i-2", null, null, null, null)),
        Arguments.of(
            "workload", (UnaryOperator<Intercept>) x -> with(x, null, "pay", null, null, null)),
        Arguments.of(
            "owner", (UnaryOperator<Intercept>) x -> with(x, null, null, "mallory", null, null)),
        Arguments.of(
            "target", (UnaryOperator<Intercept>) x -> with(x, null, null, null, "evil:1", null)),
        Arguments.of(
            "createdAt", (UnaryOperator<Intercept>) x -> x.withCreatedAt(CREATED.minusSeconds(1))),
        Arguments.of(
            "failureMode",
            (UnaryOperator<Intercept>)
                x ->
                    new Intercept(
                        x.id(),
                        x.workload(),
                        x.owner(),
                        x.match(),
                        x.target(),
                        x.createdAt(),
                        x.expiresAt(),
                        FailureMode.FAIL_CLOSED,
                        x.labels(),
                        x.signature())),
        Arguments.of(
            "header value",
            matchTamper(
                new MatchRules(
                    List.of(HeaderMatch.exact("x-team", "b"), m.headers().get(1)),
                    m.baggage(),
                    m.pathPrefix(),
                    m.method(),
                    m.global(),
                    m.anyOf()))),
        Arguments.of(
            "header kind",
            matchTamper(
                new MatchRules(
                    List.of(HeaderMatch.regex("x-team", "a"), m.headers().get(1)),
                    m.baggage(),
                    m.pathPrefix(),
                    m.method(),
                    m.global(),
                    m.anyOf()))),
        Arguments.of(
            "header dropped",
            matchTamper(
                new MatchRules(
                    List.of(m.headers().get(1)),
                    m.baggage(),
                    m.pathPrefix(),
                    m.method(),
                    m.global(),
                    m.anyOf()))),
        Arguments.of(
            "baggage",
            matchTamper(
                new MatchRules(
                    m.headers(),
                    List.of(new BaggageMatch("tenant", "t2")),
                    m.pathPrefix(),
                    m.method(),
                    m.global(),
                    m.anyOf()))),
        Arguments.of(
            "path prefix",
            matchTamper(
                new MatchRules(m.headers(), m.baggage(), "/", m.method(), m.global(), m.anyOf()))),
        Arguments.of(
            "path prefix removed",
            matchTamper(
                new MatchRules(m.headers(), m.baggage(), null, m.method(), m.global(), m.anyOf()))),
        Arguments.of(
            "method",
            matchTamper(
                new MatchRules(
                    m.headers(), m.baggage(), m.pathPrefix(), "POST", m.global(), m.anyOf()))),
        Arguments.of(
            "global",
            matchTamper(
                new MatchRules(
                    m.headers(), m.baggage(), m.pathPrefix(), m.method(), true, m.anyOf()))),
        Arguments.of(
            "any-of alternative",
            matchTamper(
                new MatchRules(
                    m.headers(),
                    m.baggage(),
                    m.pathPrefix(),
                    m.method(),
                    m.global(),
                    List.of(
                        new AnyOf(
                            List.of(HeaderMatch.exact("x-sidetrack-id", "victim")),
                            m.anyOf().get(0).baggage()))))),
        Arguments.of(
            "any-of group moved into required",
            matchTamper(
                new MatchRules(
                    List.of(
                        m.headers().get(0),
                        m.headers().get(1),
                        HeaderMatch.exact("x-sidetrack-id", "ann")),
                    m.baggage(),
                    m.pathPrefix(),
                    m.method(),
                    m.global(),
                    List.of(new AnyOf(List.of(), m.anyOf().get(0).baggage()))))),
        Arguments.of(
            "any-of removed",
            matchTamper(
                new MatchRules(
                    m.headers(), m.baggage(), m.pathPrefix(), m.method(), m.global(), List.of()))));
  }

  private static UnaryOperator<Intercept> matchTamper(MatchRules other) {
    return x ->
        new Intercept(
            x.id(),
            x.workload(),
            x.owner(),
            other,
            x.target(),
            x.createdAt(),
            x.expiresAt(),
            x.failureMode(),
            x.labels(),
            x.signature());
  }

  private static Intercept with(
      Intercept x, String id, String workload, String owner, String target, Object unused) {
    return new Intercept(
        id == null ? x.id() : id,
        workload == null ? x.workload() : workload,
        owner == null ? x.owner() : owner,
        x.match(),
        target == null ? x.target() : target,
        x.createdAt(),
        x.expiresAt(),
        x.failureMode(),
        x.labels(),
        x.signature());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("tamperings")
  void tamperedFieldIsRefusedAsBadSignature(String field, UnaryOperator<Intercept> tamper) {
    Intercept forged = tamper.apply(signer.sign(intercept()));

    Verification v = trusted.verify(forged);
    assertThat(v.isTrusted()).isFalse();
    assertThat(v.refusal()).isEqualTo(Verification.Refusal.BAD_SIGNATURE);
    assertThat(trusted.verify(Route.of(forged)).isTrusted()).isFalse();
  }

  @Test
  void unsignedIsRefusedAsUnsigned() {
    Verification v = trusted.verify(intercept());

    assertThat(v.refusal()).isEqualTo(Verification.Refusal.UNSIGNED);
    assertThat(v.reason()).isEqualTo("not signed by a trusted router: no signature");
  }

  @Test
  void unknownKeyIsRefusedNamingItsId() {
    Intercept signed = new RouteSigner(OTHER).sign(intercept());

    Verification v = trusted.verify(signed);
    assertThat(v.refusal()).isEqualTo(Verification.Refusal.UNKNOWN_KEY);
    assertThat(v.reason())
        .isEqualTo(
            "not signed by a trusted router: unknown key id "
                + TrustedKeys.keyIdOf(OTHER.getPublic()));
  }

  @Test
  void signatureUnderTrustedKeyIdButOtherKeyIsBad() {
    RouteSignature other = new RouteSigner(OTHER).sign(RouteStatement.of(intercept()));
    Intercept claimed =
        intercept().withSignature(new RouteSignature(signer.keyId(), other.bytes()));

    assertThat(trusted.verify(claimed).refusal()).isEqualTo(Verification.Refusal.BAD_SIGNATURE);
  }

  @Test
  void garbageSignatureIsBadNotAnError() {
    Intercept claimed =
        intercept().withSignature(new RouteSignature(signer.keyId(), new byte[] {1, 2, 3}));

    assertThat(trusted.verify(claimed).refusal()).isEqualTo(Verification.Refusal.BAD_SIGNATURE);
  }

  @Test
  void rotationTrustsBothKeysThenOnlyTheNew() {
    TrustedKeys both = TrustedKeys.of(List.of(ROUTER.getPublic(), OTHER.getPublic()));
    Intercept byOld = signer.sign(intercept());
    Intercept byNew = new RouteSigner(OTHER).sign(intercept());

    assertThat(both.verify(byOld).isTrusted()).isTrue();
    assertThat(both.verify(byNew).isTrusted()).isTrue();
    TrustedKeys onlyNew = TrustedKeys.of(List.of(OTHER.getPublic()));
    assertThat(onlyNew.verify(byOld).refusal()).isEqualTo(Verification.Refusal.UNKNOWN_KEY);
    assertThat(onlyNew.verify(byNew).isTrusted()).isTrue();
  }

  @Test
  void noTrustedKeysRefusesEverything() {
    assertThat(TrustedKeys.none().verify(signer.sign(intercept())).refusal())
        .isEqualTo(Verification.Refusal.UNKNOWN_KEY);
  }

  @Test
  void statementOfRegistrationEqualsStatementOfItsRoute() {
    Intercept i = intercept();

    assertThat(RouteStatement.of(Route.of(i)).bytes()).isEqualTo(RouteStatement.of(i).bytes());
    assertThat(
            new String(
                RouteStatement.of(i).bytes(), 0, 18, java.nio.charset.StandardCharsets.US_ASCII))
        .isEqualTo(RouteStatement.MAGIC_V1);
  }

  @Test
  void keyIdIsSixteenHexDigitsOfTheSpkiDigest() throws Exception {
    byte[] digest =
        java.security.MessageDigest.getInstance("SHA-256").digest(ROUTER.getPublic().getEncoded());

    assertThat(TrustedKeys.keyIdOf(ROUTER.getPublic()))
        .hasSize(16)
        .isEqualTo(java.util.HexFormat.of().formatHex(digest, 0, 8));
  }

  @Test
  void pemRoundTripsAndTheSignerFromThePrivateKeyAloneHasTheSameId() {
    String priv = Keys.privateKeyPem(ROUTER.getPrivate());
    String pub = Keys.publicKeyPem(ROUTER.getPublic()) + Keys.publicKeyPem(OTHER.getPublic());

    RouteSigner fromFile = RouteSigner.of(Keys.privateKey(priv));
    TrustedKeys fromPem = TrustedKeys.of(Keys.publicKeys(pub));

    assertThat(priv).startsWith("-----BEGIN PRIVATE KEY-----\n");
    assertThat(fromFile.keyId()).isEqualTo(signer.keyId());
    assertThat(fromPem.keyIds())
        .containsExactlyInAnyOrder(
            TrustedKeys.keyIdOf(ROUTER.getPublic()), TrustedKeys.keyIdOf(OTHER.getPublic()));
    assertThat(fromPem.verify(fromFile.sign(intercept())).isTrusted()).isTrue();
  }

  @Test
  void badPemIsRefusedWithOneLine() {
    assertThatThrownBy(() -> Keys.privateKey("nothing here"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("BEGIN PRIVATE KEY");
    assertThatThrownBy(() -> Keys.publicKeys(Keys.privateKeyPem(ROUTER.getPrivate())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("BEGIN PUBLIC KEY");
    assertThatThrownBy(
            () -> Keys.publicKeys("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Ed25519");
  }
}
