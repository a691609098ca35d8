package io.sidetrack.cli.login;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.SignedJWT;
import io.sidetrack.cli.OidcServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Discovery and the refresh grant against the real OIDC server in its own JVM. */
@Timeout(120)
class LoginIT {
  static OidcServer oidc;

  @BeforeAll
  static void start() throws Exception {
    oidc =
        OidcServer.start(
            Map.of(
                "sidetrack-cli",
                new JsonObject()
                    .put("preferred_username", "alice")
                    .put("aud", new JsonArray().add("sidetrack"))));
  }

  @AfterAll
  static void stop() {
    if (oidc != null) {
      oidc.close();
    }
  }

  @Test
  void anExpiredLoginIsRefreshedAtTheIssuersTokenEndpoint() throws Exception {
    OidcClient client = new OidcClient();
    OidcClient.Endpoints endpoints = client.discover(oidc.issuer());
    assertThat(endpoints.tokenEndpoint()).isEqualTo(oidc.issuer() + "/token");
    JsonObject first = oidc.codeLogin("sidetrack-cli");
    String refresh = first.getString("refresh_token");
    assertThat(refresh).isNotBlank();
    Login expired =
        new Login(
            first.getString("access_token"),
            refresh,
            Instant.now().minusSeconds(5),
            endpoints.tokenEndpoint(),
            "sidetrack-cli");
    assertThat(expired.expired(Instant.now())).isTrue();

    Login fresh = client.refresh(expired);
    assertThat(fresh.accessToken()).isNotEqualTo(expired.accessToken());
    assertThat(fresh.expired(Instant.now())).isFalse();
    SignedJWT jwt = SignedJWT.parse(fresh.accessToken());
    assertThat(jwt.getJWTClaimsSet().getIssuer()).isEqualTo(oidc.issuer().toString());
    assertThat(jwt.getJWTClaimsSet().getStringClaim("preferred_username")).isEqualTo("alice");

    Login revoked =
        new Login("x", "not-a-refresh-token", expired.expiresAt(), endpoints.tokenEndpoint(), "c");
    assertThatThrownBy(() -> client.refresh(revoked))
        .isInstanceOf(OidcClient.LoginFailed.class)
        .hasMessageStartingWith("your login expired and could not be refreshed (")
        .hasMessageEndingWith("): run 'sidetrack login' again");
    assertThatThrownBy(() -> client.startDevice(endpoints, "sidetrack-cli", "openid"))
        .hasMessageStartingWith("the issuer offers no device authorization grant");
  }
}
