package io.sidetrack.schemas.registry;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.avro.Schema;

/**
 * A client of the Confluent Schema Registry REST API over HTTP(S), with basic or bearer auth and
 * caches of ids and schemas (both are immutable once assigned).
 */
public final class HttpSchemaRegistryClient implements SchemaRegistryClient {
  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SchemaRegistryConfig config;
  private final HttpClient http;
  private final String authorization;
  private final Map<String, Map<Schema, Integer>> idsBySubject = new ConcurrentHashMap<>();
  private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();

  public HttpSchemaRegistryClient(SchemaRegistryConfig config) {
    this.config = requireNonNull(config, "config");
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(config.timeout());
    if (config.trustStore() != null) {
      builder.sslContext(sslContext(config));
    }
    this.http = builder.build();
    if (config.basicAuthUserInfo() != null) {
      this.authorization =
          "Basic "
              + Base64.getEncoder()
                  .encodeToString(config.basicAuthUserInfo().getBytes(StandardCharsets.UTF_8));
    } else if (config.bearerToken() != null) {
      this.authorization = "Bearer " + config.bearerToken();
    } else {
      this.authorization = null;
    }
  }

  @Override
  public int register(String subject, Schema schema) {
    Map<Schema, Integer> ids =
        idsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>());
    Integer cached = ids.get(schema);
    if (cached != null) {
      return cached;
    }
    String body = JSON.createObjectNode().put("schema", schema.toString()).toString();
    String path = "/subjects/" + encode(subject) + "/versions";
    JsonNode answer;
    try {
      answer = send("POST", path, body);
    } catch (SchemaRegistryException e) {
      if (e.status() != 409) {
        throw e;
      }
      // Two clients registering a subject's first schema at once can get 409 from some
      // registries (Apicurio: "artifact already exists"); asked again, the registry finds the
      // schema. A real incompatibility answers 409 again and is thrown.
      try {
        Thread.sleep(200);
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
        throw e;
      }
      answer = send("POST", path, body);
    }
    int id = answer.path("id").asInt(-1);
    if (id < 0) {
      throw new SchemaRegistryException(
          "schema registry " + config.url() + " answered a registration without an id: " + answer,
          200);
    }
    ids.put(schema, id);
    schemasById.putIfAbsent(id, schema);
    return id;
  }

  @Override
  public Schema schemaById(int id) {
    Schema cached = schemasById.get(id);
    if (cached != null) {
      return cached;
    }
    JsonNode answer = send("GET", "/schemas/ids/" + id, null);
    String text = answer.path("schema").asText(null);
    if (text == null) {
      throw new SchemaRegistryException(
          "schema registry " + config.url() + " answered schema " + id + " without a schema", 200);
    }
    Schema schema = new Schema.Parser().parse(text);
    schemasById.putIfAbsent(id, schema);
    return schema;
  }

  @Override
  public void setCompatibility(String subject, String level) {
    String body = JSON.createObjectNode().put("compatibility", level).toString();
    send("PUT", "/config/" + encode(subject), body);
  }

  private JsonNode send(String method, String path, String body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(config.url() + path))
            .timeout(config.timeout())
            .header("Accept", CONTENT_TYPE + ", application/json");
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request
          .header("Content-Type", CONTENT_TYPE)
          .method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    String what = method + " " + config.url() + path;
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new SchemaRegistryException(
          "schema registry unreachable: " + what + ": " + e.getMessage(), 0, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SchemaRegistryException("interrupted: " + what, 0, e);
    }
    if (response.statusCode() / 100 != 2) {
      throw new SchemaRegistryException(
          "schema registry refused "
              + what
              + ": HTTP "
              + response.statusCode()
              + " "
              + errorMessage(response.body()),
          response.statusCode());
    }
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new SchemaRegistryException(
          "schema registry answered " + what + " with bad JSON", response.statusCode(), e);
    }
  }

  private static String errorMessage(String body) {
    try {
      JsonNode node = JSON.readTree(body);
      if (node.has("message")) {
        return node.get("message").asText();
      }
    } catch (IOException | RuntimeException e) {
      // not JSON: show it as it is
    }
    return body == null ? "" : body.length() > 300 ? body.substring(0, 300) : body;
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static SSLContext sslContext(SchemaRegistryConfig config) {
    char[] password =
        config.trustStorePassword() == null ? null : config.trustStorePassword().toCharArray();
    try (InputStream in = Files.newInputStream(config.trustStore())) {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(in, password);
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "schema registry trust store " + config.trustStore() + ": " + e.getMessage(), e);
    }
  }
}
