package io.sidetrack.router.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JwtVerifierTest {
  static final URI ISSUER = URI.create("https://idp.example.com/realms/dev");
  static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
  static final JwtVerifier VERIFIER = new JwtVerifier(ISSUER, "sidetrack", Duration.ofSeconds(60));

  static RSAKey rsa(String kid) throws Exception {
    return new RSAKeyGenerator(2048).keyID(kid).generate();
  }

  static JWTClaimsSet.Builder claims() {
    return new JWTClaimsSet.Builder()
        .issuer(ISSUER.toString())
        .audience("sidetrack")
        .subject("u-1")
        .claim("preferred_username", "alice")
        .expirationTime(Date.from(NOW.plusSeconds(300)));
  }

  static SignedJWT signed(RSAKey key, JWTClaimsSet claims) throws Exception {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
    jwt.sign(new RSASSASigner(key));
    return SignedJWT.parse(jwt.serialize());
  }

  @Test
  void aTokenSignedByTheIssuersKeyWithItsIssuerAudienceAndTimeIsAccepted() throws Exception {
    RSAKey key = rsa("k1");
    JWTClaimsSet c =
        VERIFIER.verify(signed(key, claims().build()), new JWKSet(key.toPublicJWK()), NOW);
    assertThat(c.getStringClaim("preferred_username")).isEqualTo("alice");
    ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("e1").generate();
    SignedJWT es =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("e1").build(), claims().build());
    es.sign(new ECDSASigner(ec));
    assertThat(VERIFIER.verify(SignedJWT.parse(es.serialize()), new JWKSet(ec.toPublicJWK()), NOW))
        .isNotNull();
  }

  @Test
  void expiryAndNotBeforeAllowOnlyTheClockSkew() throws Exception {
    RSAKey key = rsa("k1");
    JWKSet keys = new JWKSet(key.toPublicJWK());
    SignedJWT justExpired =
        signed(key, claims().expirationTime(Date.from(NOW.minusSeconds(59))).build());
    assertThat(VERIFIER.verify(justExpired, keys, NOW)).isNotNull();
    SignedJWT expired =
        signed(key, claims().expirationTime(Date.from(NOW.minusSeconds(61))).build());
    assertThatThrownBy(() -> VERIFIER.verify(expired, keys, NOW))
        .hasMessageStartingWith("JWT expired at 2026-01-01T11:58:59Z (the router allows 60 s");
    SignedJWT early = signed(key, claims().notBeforeTime(Date.from(NOW.plusSeconds(120))).build());
    assertThatThrownBy(() -> VERIFIER.verify(early, keys, NOW))
        .hasMessage("JWT not valid before 2026-01-01T12:02:00Z");
    SignedJWT forever = signed(key, claims().expirationTime(null).build());
    assertThatThrownBy(() -> VERIFIER.verify(forever, keys, NOW))
        .hasMessage("JWT has no expiry (exp)");
  }

  @Test
  void noneAndHmacAreRefusedBeforeAnyKeyIsLookedAt() throws Exception {
    String none = new PlainJWT(claims().build()).serialize();
    assertThatThrownBy(() -> JwtVerifier.parse(none))
        .hasMessage("malformed token: not a signed JWT");
    // HS256 "signed" with the issuer's public key, the classic confusion
    RSAKey key = rsa("k1");
    byte[] secret =
        key.toPublicJWK().toJSONString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    SignedJWT hs = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims().build());
    hs.sign(new MACSigner(secret));
    assertThatThrownBy(() -> JwtVerifier.parse(hs.serialize()))
        .hasMessage("JWT signed with HS256, which the router does not accept (RS*, PS*, ES* only)");
  }

  @Test
  void anUnknownKeyIdIsToldApartFromABadSignature() throws Exception {
    RSAKey issuers = rsa("k1");
    JWKSet keys = new JWKSet(issuers.toPublicJWK());
    assertThatThrownBy(() -> VERIFIER.verify(signed(rsa("k2"), claims().build()), keys, NOW))
        .isInstanceOf(JwtVerifier.UnknownKeyException.class)
        .hasMessage("JWT signed with key 'k2' (RS256), which the issuer does not publish");
    assertThatThrownBy(() -> VERIFIER.verify(signed(rsa("k1"), claims().build()), keys, NOW))
        .isNotInstanceOf(JwtVerifier.UnknownKeyException.class)
        .hasMessage("JWT signature does not verify with the issuer's key 'k1'");
  }

  @Test
  void issuerAndAudienceMustBeTheRoutersOwn() throws Exception {
    RSAKey key = rsa("k1");
    JWKSet keys = new JWKSet(key.toPublicJWK());
    assertThatThrownBy(
            () -> VERIFIER.verify(signed(key, claims().issuer("https://evil").build()), keys, NOW))
        .hasMessage("JWT issued by 'https://evil', not by the router's issuer " + ISSUER);
    assertThatThrownBy(
            () -> VERIFIER.verify(signed(key, claims().audience("other").build()), keys, NOW))
        .hasMessage("JWT audience [other] does not include 'sidetrack'");
  }

  @Test
  void theIdentityClaimNamesTheOwnerAndWorkloadsComeFromTheClaimAndTheGroups() {
    ClaimMapping mapping =
        new ClaimMapping(
            "preferred_username",
            "sidetrack_workloads",
            "groups",
            Map.of("team-shop", Set.of("shop", "orders")));
    Tokens.Identity who =
        mapping.identity(
            claims()
                .claim("sidetrack_workloads", "billing, search")
                .claim("groups", List.of("team-shop", "unmapped"))
                .build());
    assertThat(who.name()).isEqualTo("alice");
    assertThat(who.workloads()).containsExactlyInAnyOrder("billing", "search", "shop", "orders");
    assertThatThrownBy(() -> mapping.identity(claims().claim("preferred_username", null).build()))
        .hasMessage("JWT has no 'preferred_username' claim to name its owner by");
    assertThatThrownBy(
            () -> mapping.identity(claims().claim("preferred_username", "a b/c").build()))
        .hasMessageStartingWith("JWT claim preferred_username='a b/c' is not a usable owner name");
    assertThat(mapping.identity(claims().build()).workloads()).isEmpty();
  }
}
