package io.sidetrack.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A real OpenID Connect server for the tests: no.nav.security:mock-oauth2-server, started as a JVM
 * of its own (its Netty and Jackson differ from ours) from the classpath the {@code
 * embedded/oidc-server} module resolved. Each client id gets the claims the test gives it; the
 * tokens are signed with the issuer's real key and checked against its real JWKS.
 */
public final class OidcServer implements AutoCloseable {
  /** The issuer's path on the server, and so the last segment of its URL. */
  public static final String ISSUER_ID = "sidetrack";

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final Process process;
  private final int port;

  private OidcServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /**
   * Starts the server; {@code claimsByClientId} gives each client id's tokens their claims (an
   * {@code exp} among them overrides the expiry), and {@code iss} defaults to {@link #issuer()}.
   */
  public static OidcServer start(Map<String, JsonObject> claimsByClientId) throws Exception {
    String cpFile = System.getProperty("sidetrack.oidc.classpath");
    if (cpFile == null || !Files.exists(Path.of(cpFile))) {
      throw new IllegalStateException(
          "no OIDC server classpath (" + cpFile + "): build embedded/oidc-server first");
    }
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    JsonArray mappings = new JsonArray();
    claimsByClientId.forEach(
        (client, claims) ->
            mappings.add(
                new JsonObject()
                    .put("requestParam", "client_id")
                    .put("match", client)
                    .put("claims", claims)));
    JsonObject config =
        new JsonObject()
            .put("interactiveLogin", false)
            .put("httpServer", "NettyWrapper")
            .put(
                "tokenCallbacks",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("issuerId", ISSUER_ID)
                            .put("tokenExpiry", 3600)
                            .put("requestMappings", mappings)));
    Path log = Files.createTempFile("oidc-server", ".log");
    ProcessBuilder pb =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-cp",
                Files.readString(Path.of(cpFile)).trim(),
                "no.nav.security.mock.oauth2.StandaloneMockOAuth2ServerKt")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().put("SERVER_HOSTNAME", "127.0.0.1");
    pb.environment().put("SERVER_PORT", String.valueOf(port));
    pb.environment().put("JSON_CONFIG", config.encode());
    OidcServer server = new OidcServer(pb.start(), port);
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (true) {
      try {
        HttpResponse<String> r =
            HTTP.send(
                HttpRequest.newBuilder(URI.create(server.issuer() + "/jwks")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return server;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      if (!server.process.isAlive() || System.nanoTime() > deadline) {
        server.close();
        throw new IllegalStateException("the OIDC server did not start: " + Files.readString(log));
      }
      Thread.sleep(200);
    }
  }

  /** The issuer URL, {@code http://127.0.0.1:PORT/sidetrack}. */
  public URI issuer() {
    return URI.create("http://127.0.0.1:" + port + "/" + ISSUER_ID);
  }

  /** An access token for {@code clientId} (client credentials grant). */
  public String token(String clientId) throws Exception {
    return tokenResponse(
            Map.of(
                "grant_type", "client_credentials",
                "client_id", clientId,
                "client_secret", "secret",
                "scope", "openid"))
        .getString("access_token");
  }

  /**
   * The tokens, refresh token included, of an authorization-code login of {@code clientId} (the
   * server signs in at once, with no login page).
   */
  public JsonObject codeLogin(String clientId) throws Exception {
    String redirect = "http://127.0.0.1/callback";
    URI authorize =
        URI.create(
            issuer()
                + "/authorize?response_type=code&client_id="
                + clientId
                + "&redirect_uri="
                + URLEncoder.encode(redirect, StandardCharsets.UTF_8)
                + "&scope=openid%20offline_access&state=s1&nonce=n1");
    HttpResponse<String> r =
        HTTP.send(HttpRequest.newBuilder(authorize).build(), HttpResponse.BodyHandlers.ofString());
    String location = r.headers().firstValue("location").orElseThrow();
    String code =
        java.util.Arrays.stream(URI.create(location).getQuery().split("&"))
            .filter(p -> p.startsWith("code="))
            .map(p -> p.substring(5))
            .findFirst()
            .orElseThrow();
    return tokenResponse(
        Map.of(
            "grant_type", "authorization_code",
            "code", code,
            "client_id", clientId,
            "client_secret", "secret",
            "redirect_uri", redirect));
  }

  /** The token endpoint's answer to {@code form}. */
  public JsonObject tokenResponse(Map<String, String> form) throws Exception {
    String body =
        form.entrySet().stream()
            .map(
                e ->
                    URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                        + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
            .collect(Collectors.joining("&"));
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(issuer() + "/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(
          "token endpoint answered " + r.statusCode() + ": " + r.body());
    }
    return new JsonObject(r.body());
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
