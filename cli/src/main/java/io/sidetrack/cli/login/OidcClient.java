package io.sidetrack.cli.login;

import static java.util.Objects.requireNonNull;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The CLI's side of an OpenID Connect issuer: discovery, the device authorization grant (RFC 8628)
 * and the refresh grant. Blocking: the CLI calls it from its own thread.
 */
public final class OidcClient {
  /** The grant type of RFC 8628 section 3.4. */
  static final String DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

  /** What the issuer's discovery document names. */
  public record Endpoints(String tokenEndpoint, String deviceAuthorizationEndpoint) {}

  /** The first answer of the device flow: what the developer must open and type. */
  public record DeviceCode(
      String deviceCode,
      String userCode,
      String verificationUri,
      String verificationUriComplete,
      Duration interval,
      Instant expiresAt) {}

  /** Thrown when the issuer refuses or the flow ends without a token; the message is one line. */
  public static final class LoginFailed extends IOException {
    public LoginFailed(String message) {
      super(message);
    }
  }

  /** Waits between two polls; a test passes one that does not sleep. */
  interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  private final HttpClient http;
  private final Clock clock;
  private final Sleeper sleeper;

  OidcClient(HttpClient http, Clock clock, Sleeper sleeper) {
    this.http = requireNonNull(http, "http");
    this.clock = requireNonNull(clock, "clock");
    this.sleeper = requireNonNull(sleeper, "sleeper");
  }

  public OidcClient() {
    this(
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(),
        Clock.systemUTC(),
        d -> Thread.sleep(d.toMillis()));
  }

  /** The endpoints of {@code issuer}'s discovery document. */
  public Endpoints discover(URI issuer) throws IOException, InterruptedException {
    String base = issuer.toString().replaceAll("/+$", "");
    HttpResponse<String> r =
        send(
            HttpRequest.newBuilder(URI.create(base + "/.well-known/openid-configuration"))
                .timeout(Duration.ofSeconds(10))
                .build(),
            "the issuer's discovery document");
    if (r.statusCode() != 200) {
      throw new LoginFailed(
          "the issuer " + issuer + " has no discovery document (HTTP " + r.statusCode() + ")");
    }
    JsonObject d = json(r.body(), "the issuer's discovery document");
    String token = d.getString("token_endpoint");
    if (token == null) {
      throw new LoginFailed("the issuer " + issuer + " names no token_endpoint");
    }
    return new Endpoints(token, d.getString("device_authorization_endpoint"));
  }

  /** Starts the device flow (RFC 8628 section 3.1). */
  public DeviceCode startDevice(Endpoints endpoints, String clientId, String scope)
      throws IOException, InterruptedException {
    if (endpoints.deviceAuthorizationEndpoint() == null) {
      throw new LoginFailed(
          "the issuer offers no device authorization grant: paste a token with --token or"
              + " --token-stdin");
    }
    HttpResponse<String> r =
        post(
            endpoints.deviceAuthorizationEndpoint(),
            Map.of("client_id", clientId, "scope", scope),
            "the device authorization endpoint");
    JsonObject d = json(r.body(), "the device authorization endpoint's answer");
    if (r.statusCode() != 200) {
      throw new LoginFailed("the issuer refused the device login: " + oauthError(d, r));
    }
    Instant now = clock.instant();
    return new DeviceCode(
        d.getString("device_code"),
        d.getString("user_code"),
        d.getString("verification_uri"),
        d.getString("verification_uri_complete"),
        Duration.ofSeconds(d.getLong("interval", 5L)),
        now.plusSeconds(d.getLong("expires_in", 600L)));
  }

  /**
   * Polls the token endpoint (RFC 8628 section 3.4-3.5) until the developer approved: waits the
   * interval between polls, five seconds more after each {@code slow_down}.
   *
   * @throws LoginFailed when the code expired or the developer denied
   */
  public Login awaitDevice(Endpoints endpoints, String clientId, DeviceCode code)
      throws IOException, InterruptedException {
    Duration interval = code.interval();
    while (true) {
      if (!clock.instant().isBefore(code.expiresAt())) {
        throw new LoginFailed(
            "the code " + code.userCode() + " expired: run 'sidetrack login' again");
      }
      sleeper.sleep(interval);
      HttpResponse<String> r =
          post(
              endpoints.tokenEndpoint(),
              Map.of(
                  "grant_type",
                  DEVICE_GRANT,
                  "device_code",
                  code.deviceCode(),
                  "client_id",
                  clientId),
              "the token endpoint");
      JsonObject t = json(r.body(), "the token endpoint's answer");
      if (r.statusCode() == 200) {
        return login(t, endpoints.tokenEndpoint(), clientId, "");
      }
      switch (t.getString("error", "")) {
        case "authorization_pending" -> {}
        case "slow_down" -> interval = interval.plusSeconds(5);
        case "access_denied" -> throw new LoginFailed("the login was denied at the issuer");
        case "expired_token" ->
            throw new LoginFailed(
                "the code " + code.userCode() + " expired: run 'sidetrack login' again");
        default -> throw new LoginFailed("the issuer refused the login: " + oauthError(t, r));
      }
    }
  }

  /** A new access token for {@code login}'s refresh token (RFC 6749 section 6). */
  public Login refresh(Login login) throws IOException, InterruptedException {
    HttpResponse<String> r =
        post(
            login.tokenEndpoint(),
            Map.of(
                "grant_type",
                "refresh_token",
                "refresh_token",
                login.refreshToken(),
                "client_id",
                login.clientId()),
            "the token endpoint");
    JsonObject t = json(r.body(), "the token endpoint's answer");
    if (r.statusCode() != 200) {
      throw new LoginFailed(
          "your login expired and could not be refreshed ("
              + oauthError(t, r)
              + "): run 'sidetrack login' again");
    }
    return login(t, login.tokenEndpoint(), login.clientId(), login.refreshToken());
  }

  private Login login(JsonObject t, String tokenEndpoint, String clientId, String oldRefresh)
      throws LoginFailed {
    String access = t.getString("access_token");
    if (access == null || access.isEmpty()) {
      throw new LoginFailed("the token endpoint sent no access_token");
    }
    Long expiresIn = t.getLong("expires_in");
    return new Login(
        access,
        t.getString("refresh_token", oldRefresh),
        expiresIn == null ? null : clock.instant().plusSeconds(expiresIn),
        tokenEndpoint,
        clientId);
  }

  private HttpResponse<String> post(String url, Map<String, String> form, String what)
      throws IOException, InterruptedException {
    String body =
        form.entrySet().stream()
            .map(
                e ->
                    URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                        + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
            .collect(Collectors.joining("&"));
    return send(
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        what);
  }

  private HttpResponse<String> send(HttpRequest req, String what)
      throws IOException, InterruptedException {
    try {
      return http.send(req, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new LoginFailed("cannot reach " + what + " at " + req.uri() + ": " + e);
    }
  }

  private static JsonObject json(String body, String what) throws LoginFailed {
    try {
      return new JsonObject(body);
    } catch (RuntimeException e) {
      throw new LoginFailed(what + " is not JSON");
    }
  }

  private static String oauthError(JsonObject t, HttpResponse<String> r) {
    String error = t.getString("error", "HTTP " + r.statusCode());
    String description = t.getString("error_description");
    return description == null ? error : error + ": " + description;
  }
}
