package io.sidetrack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.sidetrack.cli.context.Context;
import io.sidetrack.cli.context.ContextFile;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code bin/sidetrack up --secure} as a child process: the router on https/wss with a local CA the
 * context names, its relay on mutual TLS with the agents' certificates, and {@code bin/sidetrack
 * intercept} trusting the router through the context alone.
 */
@Timeout(480)
class SecureUpIT {
  private final List<Process> started = new ArrayList<>();
  private HttpServer laptop;

  @AfterEach
  void stop() throws Exception {
    for (int i = started.size() - 1; i >= 0; i--) {
      Process p = started.get(i);
      if (p.isAlive()) {
        p.destroy();
        p.waitFor(60, TimeUnit.SECONDS);
      }
    }
    if (laptop != null) {
      laptop.stop(0);
    }
  }

  private Process sidetrack(Path home, Path output, String... args) throws Exception {
    Process p = Launcher.sidetrack(home, output, args).start();
    started.add(p);
    return p;
  }

  @Test
  void upSecureRunsTheRouterOnTlsAndTheCliTrustsItThroughTheContext() throws Exception {
    Path home = Files.createTempDirectory("sidetrack-secure");
    Process up =
        sidetrack(
            home,
            home.resolve("up.out"),
            "up",
            "--secure",
            "--kafka-port",
            "0",
            "--registry-port",
            "0",
            "--api-port",
            "0",
            "--router-port",
            "0",
            "--preview-port",
            "0",
            "--demo-port",
            "0",
            "--frontend-port",
            "0",
            "--partitions",
            "2");
    await()
        .atMost(Duration.ofSeconds(300))
        .until(() -> Files.exists(ContextFile.path(home)) || !up.isAlive());
    String upOut = Files.readString(home.resolve("up.out"));
    assertThat(up.isAlive()).as(upOut).isTrue();
    Context context = ContextFile.read(home).orElseThrow();
    assertThat(context.routerUrl()).startsWith("https://127.0.0.1:");
    assertThat(Path.of(context.routerCa())).isEqualTo(home.resolve("tls/ca.crt")).exists();
    assertThat(upOut).contains("Router CA", context.routerCa());

    laptop = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    laptop.createContext(
        "/",
        exchange -> {
          byte[] body = "laptop".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    laptop.start();
    Path interceptOut = home.resolve("intercept.out");
    Process intercept =
        sidetrack(
            home,
            interceptOut,
            "intercept",
            "demo",
            "--port",
            String.valueOf(laptop.getAddress().getPort()),
            "--header",
            "x-sidetrack-id=secure-up");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> Files.readString(interceptOut).contains("Active:") || !intercept.isAlive());
    assertThat(Files.readString(interceptOut)).contains("Connected to https://", "Active:");

    // the request crosses the agent's mutual TLS to the relay and the tunnel's wss to here
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(context.demoUrl() + "/"))
                    .header("x-sidetrack-id", "secure-up")
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.body()).isEqualTo("laptop");
  }
}
