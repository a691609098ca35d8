package io.sidetrack.cli.inject;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sidetrack.cli.up.LocalCertificates;
import io.sidetrack.testkit.JsonPatchApplier;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code sidetrack injector} process (bin/sidetrack) over real TLS: AdmissionReviews
 * shaped like kube-apiserver's posted to {@code /mutate} with the certificate verified, the
 * returned JSON Patch applied, and the patched objects validated against the Kubernetes schemas.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InjectorIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Path ROOT = K8sValidator.ROOT;

  @TempDir static Path dir;
  static Process injector;
  static int port;
  static HttpClient https;
  static Path certFile;
  static Path keyFile;

  @BeforeAll
  static void start() throws Exception {
    LocalCertificates ca = LocalCertificates.newCa("injector-test-ca");
    Path caFile = ca.writeCa(dir.resolve("ca.crt"));
    LocalCertificates.Issued issued =
        ca.issueServer(dir, "injector", List.of("127.0.0.1", "localhost"));
    certFile = issued.cert();
    keyFile = issued.key();
    https = client(caFile);
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    ProcessBuilder pb =
        new ProcessBuilder(
                ROOT.resolve("bin/sidetrack").toString(),
                "injector",
                "--listen",
                "127.0.0.1:" + port,
                "--tls-cert",
                certFile.toString(),
                "--tls-key",
                keyFile.toString(),
                "--agent-image",
                "localhost/sidetrack:test",
                "--router-ca-configmap",
                "sidetrack-router-ca")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("injector.out").toFile());
    pb.environment().put("SIDETRACK_HOME", dir.resolve("home").toString());
    pb.environment().put("KAFKA_BOOTSTRAP_SERVERS", "kafka.sidetrack:9092");
    pb.environment().put("SCHEMA_REGISTRY_URL", "http://registry.sidetrack:8080/apis/ccompat/v7");
    pb.environment().put("SIDETRACK_TOPIC_PREFIX", "shop.");
    pb.environment().put("JAVA_OPTS", "-Xmx128m");
    injector = pb.start();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              assertThat(injector.isAlive()).as(output()).isTrue();
              assertThat(get("/ready").statusCode()).isEqualTo(200);
            });
  }

  @AfterAll
  static void stop() throws Exception {
    if (injector != null) {
      injector.destroy();
      injector.waitFor(10, TimeUnit.SECONDS);
      injector.destroyForcibly();
    }
  }

  static String output() {
    try {
      return Files.readString(dir.resolve("injector.out"));
    } catch (Exception e) {
      return "";
    }
  }

  static HttpClient client(Path caFile) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(caFile)) {
      trust.setCertificateEntry(
          "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
  }

  static HttpResponse<String> get(String path) throws Exception {
    return https.send(
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(HttpClient client, byte[] body) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/mutate"))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode review(String name) throws Exception {
    try (InputStream in = InjectorIT.class.getResourceAsStream("/admission/" + name)) {
      return JSON.readTree(in);
    }
  }

  /** Posts the review; checks the answer is an allowed AdmissionReview v1 for its uid. */
  static JsonNode answer(JsonNode review) throws Exception {
    HttpResponse<String> r = post(https, JSON.writeValueAsBytes(review));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    JsonNode out = JSON.readTree(r.body());
    assertThat(out.path("apiVersion").asText()).isEqualTo("admission.k8s.io/v1");
    assertThat(out.path("kind").asText()).isEqualTo("AdmissionReview");
    JsonNode response = out.path("response");
    assertThat(response.path("uid").asText()).isEqualTo(review.at("/request/uid").asText());
    assertThat(response.path("allowed").asBoolean()).isTrue();
    return response;
  }

  static JsonNode patched(JsonNode review, JsonNode response) throws Exception {
    assertThat(response.path("patchType").asText()).isEqualTo("JSONPatch");
    JsonNode patch = JSON.readTree(Base64.getDecoder().decode(response.path("patch").asText()));
    return JsonPatchApplier.apply(review.at("/request/object"), patch);
  }

  static JsonNode container(JsonNode object, String name) {
    JsonNode spec =
        object.path("kind").asText().equals("Pod")
            ? object.path("spec")
            : object.at("/spec/template/spec");
    for (JsonNode c : spec.path("containers")) {
      if (c.path("name").asText().equals(name)) {
        return c;
      }
    }
    throw new AssertionError("no container " + name + " in " + object);
  }

  static String env(JsonNode container, String name) {
    for (JsonNode e : container.path("env")) {
      if (e.path("name").asText().equals(name)) {
        return e.path("value").asText(null);
      }
    }
    return null;
  }

  @Test
  void injectsDeploymentPodAndDryRunUpdateAndThePatchedObjectsValidate() throws Exception {
    List<String> docs = new ArrayList<>();

    JsonNode deployment = review("deployment-create.json");
    JsonNode d = patched(deployment, answer(deployment));
    JsonNode agent = container(d, "sidetrack-agent");
    assertThat(agent.path("image").asText()).isEqualTo("localhost/sidetrack:test");
    assertThat(env(agent, "SIDETRACK_WORKLOAD")).isEqualTo("orders");
    assertThat(env(agent, "SIDETRACK_LISTEN")).isEqualTo("0.0.0.0:15080");
    assertThat(env(agent, "SIDETRACK_APP")).isEqualTo("127.0.0.1:8080");
    assertThat(env(agent, "KAFKA_BOOTSTRAP_SERVERS")).isEqualTo("kafka.sidetrack:9092");
    assertThat(env(agent, "SIDETRACK_ROUTER_CA")).isEqualTo("/etc/sidetrack/router-ca/ca.crt");
    assertThat(env(agent, "SIDETRACK_TOPIC_PREFIX")).isEqualTo("shop.");
    assertThat(agent.at("/ports/0/name").asText()).isEqualTo("http");
    JsonNode app = container(d, "orders");
    assertThat(app.at("/ports/0/name").asText()).isEqualTo("app-http");
    assertThat(app.at("/readinessProbe/httpGet/port").asText()).isEqualTo("app-http");
    assertThat(app.at("/livenessProbe/tcpSocket/port").asInt()).isEqualTo(8080);
    assertThat(d.at("/spec/template/metadata/annotations/sidetrack.io~1injected").asText())
        .isNotEmpty();
    docs.add(JSON.writeValueAsString(d));

    JsonNode pod = review("pod-create.json");
    JsonNode p = patched(pod, answer(pod));
    JsonNode payments = container(p, "payments");
    assertThat(env(payments, "PORT")).isEqualTo("15081");
    assertThat(payments.at("/ports/0/containerPort").asInt()).isEqualTo(15081);
    assertThat(payments.at("/readinessProbe/httpGet/port").asInt()).isEqualTo(15081);
    JsonNode podAgent = container(p, "sidetrack-agent");
    assertThat(env(podAgent, "SIDETRACK_LISTEN")).isEqualTo("0.0.0.0:3000");
    assertThat(env(podAgent, "SIDETRACK_APP")).isEqualTo("127.0.0.1:15081");
    assertThat(env(podAgent, "SIDETRACK_WORKLOAD")).isEqualTo("payments");
    // the Pod has no name yet: the validator needs one, as kube-apiserver sets it after admission
    ((com.fasterxml.jackson.databind.node.ObjectNode) p.path("metadata"))
        .put("name", "payments-5d8f7b9c4-abcde");
    docs.add(JSON.writeValueAsString(p));

    JsonNode update = review("statefulset-update-dryrun.json");
    JsonNode s = patched(update, answer(update));
    JsonNode ledger = container(s, "ledger");
    assertThat(ledger.at("/ports/1/name").asText()).isEqualTo("app-grpc");
    assertThat(ledger.at("/startupProbe/grpc/port").asInt()).isEqualTo(7000);
    assertThat(env(container(s, "sidetrack-agent"), "SIDETRACK_APP")).isEqualTo("127.0.0.1:7000");
    docs.add(JSON.writeValueAsString(s));

    // an UPDATE of the injected object: idempotent, no patch
    com.fasterxml.jackson.databind.node.ObjectNode again = update.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) again.path("request")).set("object", s);
    JsonNode second = answer(again);
    assertThat(second.has("patch")).isFalse();
    assertThat(second.has("warnings")).isFalse();

    Path file = dir.resolve("patched.yaml");
    Files.writeString(file, String.join("\n---\n", docs));
    String out = K8sValidator.assertValid(file);
    assertThat(out).contains("Deployment/orders").contains("StatefulSet/ledger").contains("Pod/");
  }

  @Test
  void notOptedInAndRefusedAreAllowedUnchanged() throws Exception {
    JsonNode plain = answer(review("deployment-not-opted-in.json"));
    assertThat(plain.has("patch")).isFalse();
    assertThat(plain.has("warnings")).isFalse();

    JsonNode refused = answer(review("deployment-refused.json"));
    assertThat(refused.has("patch")).isFalse();
    assertThat(refused.path("warnings").get(0).asText())
        .startsWith("sidetrack: Deployment shop/legacy not injected")
        .contains("sidetrack.io/app-port-env");
  }

  @Test
  void malformedAndOversizedBodiesAreRefusedWithAStatus() throws Exception {
    HttpResponse<String> notJson = post(https, "{nope".getBytes(StandardCharsets.UTF_8));
    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(notJson.body()).contains("not JSON");
    HttpResponse<String> wrongKind =
        post(https, "{\"kind\":\"Pod\"}".getBytes(StandardCharsets.UTF_8));
    assertThat(wrongKind.statusCode()).isEqualTo(400);
    assertThat(wrongKind.body()).contains("AdmissionReview");
    try {
      HttpResponse<String> huge = post(https, new byte[8 * 1024 * 1024]);
      assertThat(huge.statusCode()).isEqualTo(413);
    } catch (java.io.IOException closed) {
      // the server may close the connection before the client finished sending: refused too
    }
    assertThat(get("/ready").statusCode()).isEqualTo(200);
  }

  @Test
  @Order(Integer.MAX_VALUE) // last: the others trust the first certificate
  void untrustedCertificateIsRefusedAndANewOneIsServedAfterReload() throws Exception {
    LocalCertificates other = LocalCertificates.newCa("other-ca");
    Path otherCa = other.writeCa(dir.resolve("other-ca.crt"));
    HttpClient trustsOther = client(otherCa);
    try {
      post(trustsOther, JSON.writeValueAsBytes(review("deployment-not-opted-in.json")));
      throw new AssertionError("a certificate of another CA was accepted");
    } catch (SSLHandshakeException expected) {
      // the client checks the certificate
    }
    Path newDir = dir.resolve("new");
    LocalCertificates.Issued next = other.issueServer(newDir, "injector", List.of("127.0.0.1"));
    Files.copy(next.key(), keyFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.copy(next.cert(), certFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              HttpClient fresh = client(otherCa);
              assertThat(
                      post(fresh, JSON.writeValueAsBytes(review("deployment-not-opted-in.json")))
                          .statusCode())
                  .isEqualTo(200);
            });
    assertThat(output()).contains("new certificate");
  }
}
