package io.sidetrack.core.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sidetrack.core.FailureMode;
import io.sidetrack.core.Intercept;
import io.sidetrack.core.MatchRules;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrustedKeysTest {
  private static final KeyPair ROUTER = Keys.generate();

  /**
   * An Ed25519 SPKI whose 32 key bytes are y = 2, which the JDK's key factory takes but which is no
   * point of the curve.
   */
  private static PublicKey notAPoint() throws Exception {
    byte[] spki = Arrays.copyOf(HexFormat.of().parseHex("302a300506032b6570032100"), 44);
    spki[12] = 2;
    return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
  }

  private static Intercept signedByRouter() {
    Instant now = Instant.parse("2026-01-02T03:04:05Z");
    return new RouteSigner(ROUTER)
        .sign(
            new Intercept(
                "i-1",
                "orders",
                "ann",
                MatchRules.personal("ann"),
                "router-1:8071",
                now,
                now.plusSeconds(15),
                FailureMode.FAIL_OPEN,
                Map.of()));
  }

  @Test
  void aKeyThatIsNoPointIsTakenButCheckedSaysSoAndItVerifiesNothing() throws Exception {
    PublicKey bad = notAPoint();
    TrustedKeys keys = TrustedKeys.of(List.of(bad, ROUTER.getPublic()));

    assertThatThrownBy(keys::checked)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not a valid Ed25519 public key: key " + TrustedKeys.keyIdOf(bad));
    // the good key still verifies what it signed
    assertThat(keys.verify(signedByRouter()).isTrusted()).isTrue();
  }

  @Test
  void aSignatureNamingTheKeyThatIsNoPointIsRefusedAsNotMatching() throws Exception {
    PublicKey bad = notAPoint();
    TrustedKeys keys = TrustedKeys.of(List.of(bad));
    Intercept signed = signedByRouter();
    RouteSignature claimed =
        new RouteSignature(TrustedKeys.keyIdOf(bad), signed.signature().bytes());

    Verification v = keys.verify(RouteStatement.of(signed), claimed);

    assertThat(v.isTrusted()).isFalse();
    assertThat(v.refusal()).isEqualTo(Verification.Refusal.BAD_SIGNATURE);
    assertThat(v.detail()).contains("not a valid Ed25519 public key");
  }

  @Test
  void checkedKeysVerifyAsBefore() {
    TrustedKeys keys = TrustedKeys.of(List.of(ROUTER.getPublic())).checked();

    assertThat(keys.verify(signedByRouter()).isTrusted()).isTrue();
  }

  @Test
  void aKeyThatIsNotEd25519IsRefusedAtOnce() throws Exception {
    PublicKey rsa = java.security.KeyPairGenerator.getInstance("RSA").generateKeyPair().getPublic();

    assertThatThrownBy(() -> TrustedKeys.of(List.of(rsa)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be Ed25519");
  }
}
