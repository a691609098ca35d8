package io.sidetrack.router.auth;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * Checks a signed JWT against the issuer's keys: an asymmetric algorithm (never {@code none} nor an
 * HMAC, which would let a public key sign), a key of the set that verifies the signature, the
 * issuer, the audience, and {@code exp}/{@code nbf} within the clock skew. Pure: no I/O, and fast
 * enough to run on an event loop.
 */
final class JwtVerifier {
  /** The algorithms accepted: RSA and ECDSA signatures only. */
  static final Set<JWSAlgorithm> ALGORITHMS =
      Set.of(
          JWSAlgorithm.RS256,
          JWSAlgorithm.RS384,
          JWSAlgorithm.RS512,
          JWSAlgorithm.PS256,
          JWSAlgorithm.PS384,
          JWSAlgorithm.PS512,
          JWSAlgorithm.ES256,
          JWSAlgorithm.ES384,
          JWSAlgorithm.ES512);

  /** The token names a key the set does not have: worth fetching the set again once. */
  static final class UnknownKeyException extends AuthenticationException {
    UnknownKeyException(String reason) {
      super(reason);
    }
  }

  private final String issuer;
  private final String audience;
  private final Duration clockSkew;

  JwtVerifier(URI issuer, String audience, Duration clockSkew) {
    this.issuer = requireNonNull(issuer, "issuer").toString();
    this.audience = requireNonNull(audience, "audience");
    this.clockSkew = requireNonNull(clockSkew, "clockSkew");
  }

  /**
   * The JWS compact form parsed, its algorithm one of {@link #ALGORITHMS}.
   *
   * @throws AuthenticationException when it is not that
   */
  static SignedJWT parse(String token) {
    SignedJWT jwt;
    try {
      jwt = SignedJWT.parse(token);
      jwt.getJWTClaimsSet();
    } catch (ParseException | RuntimeException e) {
      throw new AuthenticationException("malformed token: not a signed JWT");
    }
    JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
    if (!ALGORITHMS.contains(alg)) {
      throw new AuthenticationException(
          "JWT signed with " + alg + ", which the router does not accept (RS*, PS*, ES* only)");
    }
    return jwt;
  }

  /**
   * The claims of {@code jwt} once every check passed.
   *
   * @throws UnknownKeyException when no key of {@code keys} fits the token's key id
   * @throws AuthenticationException for any other failed check, saying which
   */
  JWTClaimsSet verify(SignedJWT jwt, JWKSet keys, Instant now) {
    JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
    String kid = jwt.getHeader().getKeyID();
    List<JWK> candidates =
        keys.getKeys().stream()
            .filter(k -> kid == null || kid.equals(k.getKeyID()))
            .filter(k -> k.getKeyUse() == null || k.getKeyUse().equals(KeyUse.SIGNATURE))
            .filter(k -> k.getAlgorithm() == null || k.getAlgorithm().equals(alg))
            .filter(k -> fits(k, alg))
            .toList();
    if (candidates.isEmpty()) {
      throw new UnknownKeyException(
          "JWT signed with key '" + kid + "' (" + alg + "), which the issuer does not publish");
    }
    boolean verified = false;
    for (JWK key : candidates) {
      try {
        if (jwt.verify(verifier(key))) {
          verified = true;
          break;
        }
      } catch (JOSEException e) {
        // a key that cannot check this signature: try the next
      }
    }
    if (!verified) {
      throw new AuthenticationException(
          "JWT signature does not verify with the issuer's "
              + (kid == null ? "keys" : "key '" + kid + "'"));
    }
    JWTClaimsSet claims;
    try {
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      throw new AuthenticationException("malformed token: the JWT's claims are not JSON");
    }
    if (!issuer.equals(claims.getIssuer())) {
      throw new AuthenticationException(
          "JWT issued by '" + claims.getIssuer() + "', not by the router's issuer " + issuer);
    }
    if (claims.getAudience() == null || !claims.getAudience().contains(audience)) {
      throw new AuthenticationException(
          "JWT audience " + claims.getAudience() + " does not include '" + audience + "'");
    }
    Date exp = claims.getExpirationTime();
    if (exp == null) {
      throw new AuthenticationException("JWT has no expiry (exp)");
    }
    if (now.minus(clockSkew).isAfter(exp.toInstant())) {
      throw new AuthenticationException(
          "JWT expired at "
              + exp.toInstant()
              + " (the router allows "
              + clockSkew.toSeconds()
              + " s of clock skew): 'sidetrack login' again");
    }
    Date nbf = claims.getNotBeforeTime();
    if (nbf != null && now.plus(clockSkew).isBefore(nbf.toInstant())) {
      throw new AuthenticationException("JWT not valid before " + nbf.toInstant());
    }
    return claims;
  }

  private static boolean fits(JWK key, JWSAlgorithm alg) {
    return JWSAlgorithm.Family.RSA.contains(alg)
        ? key instanceof RSAKey
        : JWSAlgorithm.Family.EC.contains(alg) && key instanceof ECKey;
  }

  private static JWSVerifier verifier(JWK key) throws JOSEException {
    return key instanceof RSAKey rsa
        ? new RSASSAVerifier(rsa.toRSAPublicKey())
        : new ECDSAVerifier(((ECKey) key).toECPublicKey());
  }
}
