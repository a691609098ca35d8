package io.sidetrack.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client's HTTP behaviour (auth, caching, errors) against a real HTTP server on port 0. */
class HttpSchemaRegistryClientTest {
  private HttpServer server;
  private final List<String> authorizations = new CopyOnWriteArrayList<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private String base;

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
          String auth = exchange.getRequestHeaders().getFirst("Authorization");
          authorizations.add(auth == null ? "" : auth);
          String path = exchange.getRequestURI().getPath();
          int status = 200;
          String body;
          if (path.endsWith("/race/versions") && requests.size() == 1) {
            status = 409;
            body = "{\"error_code\":409,\"message\":\"An artifact already exists.\"}";
          } else if (path.endsWith("/always-409/versions")) {
            status = 409;
            body = "{\"error_code\":409,\"message\":\"Schema being registered is incompatible\"}";
          } else if (path.endsWith("/versions")) {
            body = "{\"id\":42}";
          } else if (path.equals("/schemas/ids/42")) {
            body = "{\"schema\":\"\\\"string\\\"\"}";
          } else {
            status = 404;
            body = "{\"error_code\":40403,\"message\":\"Schema not found\"}";
          }
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(status, bytes.length);
          exchange.getResponseBody().write(bytes);
          exchange.close();
        });
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void sendsBasicAuthAndCachesIds() {
    var client =
        new HttpSchemaRegistryClient(
            new SchemaRegistryConfig(base, "user:secret", null, null, null, Duration.ofSeconds(5)));
    Schema schema = Schema.create(Schema.Type.STRING);
    assertThat(client.register("s-value", schema)).isEqualTo(42);
    assertThat(client.register("s-value", schema)).isEqualTo(42);
    assertThat(client.schemaById(42)).isEqualTo(schema);
    assertThat(requests).containsExactly("POST /subjects/s-value/versions");
    assertThat(authorizations).containsOnly("Basic dXNlcjpzZWNyZXQ=");
  }

  @Test
  void concurrentFirstRegistrationIsAskedAgain() {
    var client = new HttpSchemaRegistryClient(SchemaRegistryConfig.of(base));
    assertThat(client.register("race", Schema.create(Schema.Type.STRING))).isEqualTo(42);
    assertThat(requests)
        .containsExactly("POST /subjects/race/versions", "POST /subjects/race/versions");
  }

  @Test
  void incompatibleSchemaIsRefused() {
    var client = new HttpSchemaRegistryClient(SchemaRegistryConfig.of(base));
    assertThatThrownBy(() -> client.register("always-409", Schema.create(Schema.Type.STRING)))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("incompatible");
  }

  @Test
  void sendsBearerToken() {
    var client =
        new HttpSchemaRegistryClient(
            new SchemaRegistryConfig(base, null, "t0k3n", null, null, Duration.ofSeconds(5)));
    client.schemaById(42);
    assertThat(authorizations).containsExactly("Bearer t0k3n");
  }

  @Test
  void registryErrorsCarryStatusAndMessage() {
    var client = new HttpSchemaRegistryClient(SchemaRegistryConfig.of(base));
    assertThatThrownBy(() -> client.schemaById(7))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("HTTP 404 Schema not found")
        .satisfies(e -> assertThat(((SchemaRegistryException) e).status()).isEqualTo(404));
  }

  @Test
  void unreachableRegistryIsAClearError() {
    server.stop(0);
    var client = new HttpSchemaRegistryClient(SchemaRegistryConfig.of(base));
    assertThatThrownBy(() -> client.schemaById(42))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageStartingWith("schema registry unreachable");
  }

  @Test
  void rejectsUrlsThatAreNotHttp() {
    assertThatThrownBy(() -> SchemaRegistryConfig.of("ftp://x"))
        .hasMessageContaining("must start with http://, https:// or mock://");
  }
}
