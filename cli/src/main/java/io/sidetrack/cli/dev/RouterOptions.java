package io.sidetrack.cli.dev;

import io.sidetrack.cli.context.Context;
import io.sidetrack.cli.context.ContextFile;
import io.sidetrack.cli.login.Login;
import io.sidetrack.cli.login.LoginFile;
import io.sidetrack.cli.login.OidcClient;
import io.sidetrack.cli.options.EnvVar;
import io.sidetrack.cli.tunnel.RouterTrust;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Where a developer command finds the router and who it is there: flags, else environment
 * variables, else the context {@code sidetrack up} recorded.
 */
public final class RouterOptions {
  @EnvVar("SIDETRACK_ROUTER_URL")
  @Option(
      names = "--router",
      paramLabel = "URL[,URL...]",
      description = "Router URL(s); a reconnect tries the next (default from context.json).")
  String router;

  @EnvVar
  @Option(
      names = "--token",
      description =
          "Your bearer token (default: that of 'sidetrack login', refreshed when expired, else"
              + " context.json's).")
  String token;

  @EnvVar
  @Option(
      names = "--ca",
      paramLabel = "FILE",
      description =
          "PEM CA certificate(s) a router's https/wss certificate may be signed by, trusted besides"
              + " the JDK's trust store (default the context's router CA, written by 'sidetrack up"
              + " --secure'; none: the JDK's only). A certificate neither vouches for is refused.")
  java.nio.file.Path ca;

  private Optional<Context> context;

  Optional<Context> context() {
    if (context == null) {
      try {
        context = ContextFile.read(ContextFile.home());
      } catch (IOException e) {
        throw new IllegalStateException(e.getMessage(), e);
      }
    }
    return context;
  }

  public List<String> routerUrls() {
    String value =
        router != null && !router.isBlank()
            ? router
            : context().map(Context::routerUrl).filter(s -> !s.isBlank()).orElse(null);
    if (value == null) {
      throw new IllegalStateException(
          "no router: pass --router URL, set SIDETRACK_ROUTER_URL, or start 'sidetrack up'");
    }
    List<String> urls =
        Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    for (String u : urls) {
      if (!u.matches("(?i)(http|https|ws|wss)://[^\\s/]+(/.*)?")) {
        throw new IllegalArgumentException(
            "invalid router URL '" + u + "' (expected http://HOST:PORT or https://HOST:PORT)");
      }
    }
    return urls;
  }

  /**
   * The bearer token: the flag or variable, else that of 'sidetrack login' (refreshed first when it
   * has expired and can be), else the one 'sidetrack up' recorded.
   */
  public String token() {
    if (token != null && !token.isBlank()) {
      return token;
    }
    Optional<String> loggedIn = loggedInToken();
    if (loggedIn.isPresent()) {
      return loggedIn.get();
    }
    return context()
        .map(Context::token)
        .filter(s -> !s.isBlank())
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "no token: pass --token, set SIDETRACK_TOKEN, run 'sidetrack login', or start"
                        + " 'sidetrack up'"));
  }

  private Optional<String> loggedInToken() {
    try {
      Optional<Login> login = LoginFile.read(ContextFile.home());
      if (login.isEmpty()) {
        return Optional.empty();
      }
      Login current = login.get();
      if (current.expired(java.time.Instant.now()) && current.refreshable()) {
        current = new OidcClient().refresh(current);
        LoginFile.write(ContextFile.home(), current);
      }
      return Optional.of(current.accessToken());
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while refreshing the login", e);
    }
  }

  /** Which router certificates to trust: the JDK's trust store plus --ca (or the context's). */
  public RouterTrust trust() {
    if (ca != null) {
      return RouterTrust.of(ca, "--ca (SIDETRACK_CA)");
    }
    return context()
        .map(Context::routerCa)
        .filter(s -> !s.isBlank())
        .map(s -> RouterTrust.of(java.nio.file.Path.of(s), "the context's router CA"))
        .orElseGet(RouterTrust::jdk);
  }

  /** A demo workload's URL when the context names one for this workload. */
  public Optional<String> workloadUrl(String workload) {
    java.util.function.Function<Context, String> url =
        switch (workload) {
          case "demo" -> Context::demoUrl;
          case "frontend" -> Context::frontendUrl;
          default -> null;
        };
    if (url == null) {
      return Optional.empty();
    }
    return context().map(url).filter(s -> !s.isBlank());
  }
}
