package io.sidetrack.cli.login;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The device authorization grant (RFC 8628) against a tiny real HTTP issuer on port 0: the OIDC
 * server the other tests use (mock-oauth2-server) has no device endpoint. It answers the polls in
 * the order a test queues.
 */
class OidcClientTest {
  HttpServer issuer;
  final Deque<String[]> tokenAnswers = new ArrayDeque<>();
  final List<String> tokenRequests = new ArrayList<>();
  final List<Duration> slept = new ArrayList<>();
  OidcClient client;

  @BeforeEach
  void start() throws IOException {
    issuer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    String base = "http://127.0.0.1:" + issuer.getAddress().getPort();
    issuer.createContext(
        "/.well-known/openid-configuration",
        ex ->
            answer(
                ex,
                200,
                "{\"issuer\":\""
                    + base
                    + "\",\"token_endpoint\":\""
                    + base
                    + "/token\",\"device_authorization_endpoint\":\""
                    + base
                    + "/device\"}"));
    issuer.createContext(
        "/device",
        ex ->
            answer(
                ex,
                200,
                "{\"device_code\":\"dc-1\",\"user_code\":\"WDJB-MJHT\",\"verification_uri\":\""
                    + base
                    + "/activate\",\"interval\":2,\"expires_in\":600}"));
    issuer.createContext(
        "/token",
        ex -> {
          tokenRequests.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          String[] next = tokenAnswers.poll();
          answer(ex, Integer.parseInt(next[0]), next[1]);
        });
    issuer.start();
    client =
        new OidcClient(
            HttpClient.newHttpClient(),
            Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC),
            slept::add);
  }

  @AfterEach
  void stop() {
    issuer.stop(0);
  }

  static void answer(com.sun.net.httpserver.HttpExchange ex, int status, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
    ex.close();
  }

  URI issuerUrl() {
    return URI.create("http://127.0.0.1:" + issuer.getAddress().getPort() + "/");
  }

  @Test
  void theDeviceFlowPollsAtTheIntervalSlowsDownWhenToldAndKeepsBothTokens() throws Exception {
    tokenAnswers.add(new String[] {"400", "{\"error\":\"authorization_pending\"}"});
    tokenAnswers.add(new String[] {"400", "{\"error\":\"slow_down\"}"});
    tokenAnswers.add(
        new String[] {
          "200",
          "{\"access_token\":\"at-1\",\"refresh_token\":\"rt-1\",\"expires_in\":300,"
              + "\"token_type\":\"Bearer\"}"
        });
    OidcClient.Endpoints endpoints = client.discover(issuerUrl());
    OidcClient.DeviceCode code = client.startDevice(endpoints, "sidetrack-cli", "openid");
    assertThat(code.userCode()).isEqualTo("WDJB-MJHT");
    assertThat(code.verificationUri()).endsWith("/activate");
    Login login = client.awaitDevice(endpoints, "sidetrack-cli", code);
    assertThat(login.accessToken()).isEqualTo("at-1");
    assertThat(login.refreshToken()).isEqualTo("rt-1");
    assertThat(login.expiresAt()).isEqualTo(Instant.parse("2026-01-01T00:05:00Z"));
    assertThat(login.refreshable()).isTrue();
    assertThat(slept)
        .containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(7));
    assertThat(tokenRequests.get(0))
        .contains("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code")
        .contains("device_code=dc-1")
        .contains("client_id=sidetrack-cli");
  }

  @Test
  void aDeniedOrExpiredCodeEndsWithOneClearLine() throws Exception {
    OidcClient.Endpoints endpoints = client.discover(issuerUrl());
    OidcClient.DeviceCode code = client.startDevice(endpoints, "sidetrack-cli", "openid");
    tokenAnswers.add(new String[] {"400", "{\"error\":\"access_denied\"}"});
    assertThatThrownBy(() -> client.awaitDevice(endpoints, "sidetrack-cli", code))
        .isInstanceOf(OidcClient.LoginFailed.class)
        .hasMessage("the login was denied at the issuer");
    tokenAnswers.add(new String[] {"400", "{\"error\":\"expired_token\"}"});
    assertThatThrownBy(() -> client.awaitDevice(endpoints, "sidetrack-cli", code))
        .hasMessage("the code WDJB-MJHT expired: run 'sidetrack login' again");
    tokenAnswers.add(
        new String[] {"400", "{\"error\":\"invalid_grant\",\"error_description\":\"bad code\"}"});
    assertThatThrownBy(() -> client.awaitDevice(endpoints, "sidetrack-cli", code))
        .hasMessage("the issuer refused the login: invalid_grant: bad code");
  }

  @Test
  void anIssuerWithoutADeviceEndpointSaysToPasteAToken() {
    OidcClient.Endpoints endpoints = new OidcClient.Endpoints("http://127.0.0.1:1/token", null);
    assertThatThrownBy(() -> client.startDevice(endpoints, "c", "openid"))
        .hasMessageStartingWith("the issuer offers no device authorization grant");
  }

  @Test
  void theLoginIsKeptReadableByItsOwnerOnly(@TempDir Path home) throws Exception {
    Login login =
        new Login("at", "rt", Instant.parse("2026-01-01T00:05:00Z"), "http://i/token", "cli");
    LoginFile.write(home, login);
    assertThat(LoginFile.read(home)).hasValue(login);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(LoginFile.path(home))))
        .isEqualTo("rw-------");
    assertThat(login.expired(Instant.parse("2026-01-01T00:04:00Z"))).isFalse();
    assertThat(login.expired(Instant.parse("2026-01-01T00:04:31Z"))).isTrue();
    assertThat(Login.pasted("t").expired(Instant.MAX)).isFalse();
    assertThat(Login.pasted("t").refreshable()).isFalse();
  }
}
