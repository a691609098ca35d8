package io.sidetrack.deploy.chart;

import static io.sidetrack.deploy.chart.Rendered.NAMESPACE;
import static io.sidetrack.deploy.chart.Rendered.args;
import static io.sidetrack.deploy.chart.Rendered.at;
import static io.sidetrack.deploy.chart.Rendered.container;
import static io.sidetrack.deploy.chart.Rendered.containers;
import static io.sidetrack.deploy.chart.Rendered.env;
import static io.sidetrack.deploy.chart.Rendered.flag;
import static io.sidetrack.deploy.chart.Rendered.volume;
import static org.assertj.core.api.Assertions.assertThat;

import io.sidetrack.cli.Sidetrack;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine;

/**
 * The Helm chart deploy/helm/sidetrack: linted, rendered with every values file of its ci/ folder,
 * every rendered object validated against the Kubernetes JSON schemas, and the facts that keep a
 * cluster working asserted on the rendered objects (no cluster runs here).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class HelmChartIT {
  private static final String FULLNAME = Rendered.RELEASE + "-sidetrack";
  private static final String INJECTOR = FULLNAME + "-injector";
  private static final String ROUTER = FULLNAME + "-router";
  private static final String REGISTRY_STREAM = FULLNAME + "-registry-stream";

  static Stream<String> ciValuesFiles() throws IOException {
    try (Stream<Path> files = Files.list(Tools.CHART.resolve("ci"))) {
      List<String> names =
          files
              .map(f -> f.getFileName().toString())
              .filter(n -> n.endsWith(".yaml"))
              .sorted()
              .toList();
      assertThat(names).as("the chart's ci/ values files").hasSizeGreaterThanOrEqualTo(5);
      return names.stream();
    }
  }

  @ParameterizedTest
  @MethodSource("ciValuesFiles")
  void lintPassesStrictly(String valuesFile) {
    Tools.Run lint =
        Tools.helm(
            "lint",
            "--strict",
            Tools.CHART.toString(),
            "--namespace",
            NAMESPACE,
            "--values",
            Tools.CHART.resolve("ci").resolve(valuesFile).toString());

    assertThat(lint.exitCode()).as(lint.output()).isZero();
    assertThat(lint.output()).contains("1 chart(s) linted, 0 chart(s) failed");
  }

  @ParameterizedTest
  @MethodSource("ciValuesFiles")
  void everyRenderedObjectIsValidAgainstTheKubernetesSchemas(String valuesFile) {
    Rendered rendered = Rendered.of(valuesFile);
    List<String> command = new ArrayList<>(Tools.validator());
    command.add(rendered.file().toString());

    Tools.Run validation = Tools.run(command);

    assertThat(validation.exitCode()).as(validation.output()).isZero();
    assertThat(validation.output())
        .contains(rendered.objects().size() + " objects checked, 0 invalid");
  }

  @ParameterizedTest
  @MethodSource("ciValuesFiles")
  void everyFlagTheChartPassesIsAnOptionOfItsCommand(String valuesFile) {
    CommandLine sidetrack = Sidetrack.commandLine(name -> null);
    for (Map<String, Object> workload : Rendered.of(valuesFile).workloads()) {
      for (Map<String, Object> container : containers(workload)) {
        List<String> args = args(container);
        List<String> flags = args.stream().filter(a -> a.startsWith("--")).toList();
        if (flags.isEmpty()) {
          continue; // the injector takes its settings from its environment
        }
        CommandLine command = sidetrack.getSubcommands().get(args.get(0));
        assertThat(command).as("sidetrack has a command %s", args.get(0)).isNotNull();
        Set<String> options = command.getCommandSpec().optionsMap().keySet();
        for (String flag : flags) {
          assertThat(options)
              .as("sidetrack %s has the option the chart passes: %s", args.get(0), flag)
              .contains(flag.split("=", 2)[0]);
        }
      }
    }
  }

  @ParameterizedTest
  @MethodSource("ciValuesFiles")
  void everyContainerRunsAsNonRootOnAReadOnlyRootWithTmpWritableAndReadyProbe(String valuesFile) {
    List<Map<String, Object>> workloads = Rendered.of(valuesFile).workloads();
    assertThat(workloads).hasSize(3);
    for (Map<String, Object> workload : workloads) {
      String name = at(workload, "metadata.name");
      assertThat((Object) at(workload, "spec.template.spec.securityContext.runAsNonRoot"))
          .as(name)
          .isEqualTo(true);
      assertThat((Object) at(workload, "spec.template.spec.securityContext.runAsUser"))
          .as(name)
          .isEqualTo(10001);
      assertThat(volume(workload, "tmp")).as(name).containsKey("emptyDir");
      for (Map<String, Object> container : containers(workload)) {
        assertThat((Object) at(container, "securityContext.readOnlyRootFilesystem"))
            .as(name)
            .isEqualTo(true);
        assertThat((Object) at(container, "securityContext.allowPrivilegeEscalation"))
            .as(name)
            .isEqualTo(false);
        List<Map<String, Object>> mounts = at(container, "volumeMounts");
        assertThat(mounts).as(name).contains(Map.of("name", "tmp", "mountPath", "/tmp"));
        assertThat((Object) at(container, "readinessProbe.httpGet.path"))
            .as(name)
            .isEqualTo("/ready");
        assertThat((Map<String, Object>) at(container, "resources.requests"))
            .as(name)
            .containsKeys("cpu", "memory");
      }
    }
  }

  @ParameterizedTest
  @MethodSource("ciValuesFiles")
  void everyPodDisruptionBudgetSelectsTheWorkloadOfItsName(String valuesFile) {
    Rendered rendered = Rendered.of(valuesFile);
    List<Map<String, Object>> budgets = rendered.all("PodDisruptionBudget");
    assertThat(budgets).hasSize(3);
    for (Map<String, Object> budget : budgets) {
      String name = at(budget, "metadata.name");
      Map<String, Object> workload =
          rendered.workloads().stream()
              .filter(w -> name.equals(at(w, "metadata.name")))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no workload for the PDB " + name));
      Map<String, Object> podLabels = at(workload, "spec.template.metadata.labels");
      Map<String, Object> selector = at(budget, "spec.selector.matchLabels");
      assertThat(podLabels).as(name).containsAllEntriesOf(selector);
      assertThat(selector).as(name).containsKey("app.kubernetes.io/component");
    }
  }

  @ParameterizedTest
  @MethodSource("ciValuesFiles")
  void webhookNeverBlocksPodCreationAndOnlySeesNewPods(String valuesFile) {
    Rendered rendered = Rendered.of(valuesFile);
    List<Map<String, Object>> configurations = rendered.all("MutatingWebhookConfiguration");
    assertThat(configurations).hasSize(1);
    List<Map<String, Object>> webhooks = at(configurations.get(0), "webhooks");
    assertThat(webhooks).hasSize(1);
    Map<String, Object> webhook = webhooks.get(0);

    assertThat(webhook.get("failurePolicy")).isEqualTo("Ignore");
    assertThat(webhook.get("sideEffects")).isEqualTo("None");
    assertThat((List<Object>) webhook.get("admissionReviewVersions")).containsExactly("v1");
    assertThat((Integer) webhook.get("timeoutSeconds")).isBetween(1, 5);
    assertThat(webhook.get("reinvocationPolicy")).isEqualTo("IfNeeded");
    Map<String, Object> pods =
        Map.of(
            "operations", List.of("CREATE"),
            "apiGroups", List.of(""),
            "apiVersions", List.of("v1"),
            "resources", List.of("pods"),
            "scope", "Namespaced");
    Map<String, Object> workloads =
        Map.of(
            "operations", List.of("CREATE", "UPDATE"),
            "apiGroups", List.of("apps"),
            "apiVersions", List.of("v1"),
            "resources", List.of("deployments", "statefulsets", "replicasets"),
            "scope", "Namespaced");
    if (valuesFile.equals("ha-values.yaml")) { // injector.webhook.injectWorkloads: true
      assertThat((List<Object>) webhook.get("rules")).containsExactly(pods, workloads);
    } else {
      assertThat((List<Object>) webhook.get("rules")).containsExactly(pods);
    }
    assertThat((Object) at(webhook, "clientConfig.service.name")).isEqualTo(INJECTOR);
    assertThat((Object) at(webhook, "clientConfig.service.namespace")).isEqualTo(NAMESPACE);
    assertThat((Object) at(webhook, "clientConfig.service.path")).isEqualTo("/mutate");
    assertThat((Object) at(webhook, "namespaceSelector")).isNotNull();

    // The Service the API server calls reaches the injector's https port.
    Map<String, Object> service = rendered.get("Service", INJECTOR);
    List<Map<String, Object>> ports = at(service, "spec.ports");
    assertThat(ports).singleElement().satisfies(p -> assertThat(p.get("port")).isEqualTo(443));
    Map<String, Object> injector = container(rendered.get("Deployment", INJECTOR));
    assertThat(args(injector).get(0)).isEqualTo("injector");
    assertThat(env(injector, "SIDETRACK_INJECTOR_LISTEN"))
        .get()
        .extracting(e -> e.get("value"))
        .isEqualTo("0.0.0.0:8443");
    assertThat((Object) at(injector, "readinessProbe.httpGet.scheme")).isEqualTo("HTTPS");
  }

  @Test
  void generatedWebhookCertificateIsSignedByTheCaBundleAndNamesTheService() throws Exception {
    Rendered rendered = Rendered.of("default-values.yaml");
    Map<String, Object> webhook =
        ((List<Map<String, Object>>)
                at(rendered.all("MutatingWebhookConfiguration").get(0), "webhooks"))
            .get(0);
    String caBundle = at(webhook, "clientConfig.caBundle");
    assertThat(caBundle).as("caBundle").isNotBlank();
    X509Certificate ca = certificate(Base64.getDecoder().decode(caBundle));

    Map<String, Object> secret = rendered.get("Secret", INJECTOR + "-tls");
    assertThat(secret.get("type")).isEqualTo("kubernetes.io/tls");
    X509Certificate served =
        certificate(
            Base64.getDecoder()
                .decode(Rendered.<Map<String, String>>at(secret, "data").get("tls.crt")));
    served.verify(ca.getPublicKey());
    served.checkValidity();
    assertThat(served.getSubjectAlternativeNames())
        .extracting(san -> (Object) san.get(1))
        .contains(INJECTOR + "." + NAMESPACE + ".svc");
    assertThat(
            (Object)
                at(
                    volume(rendered.get("Deployment", INJECTOR), "webhook-tls"),
                    "secret.secretName"))
        .isEqualTo(INJECTOR + "-tls");
  }

  @Test
  void certManagerModeLetsCertManagerIssueTheCertificateAndFillTheCaBundle() {
    Rendered rendered = Rendered.of("cert-manager-values.yaml");
    Map<String, Object> configuration = rendered.all("MutatingWebhookConfiguration").get(0);
    Map<String, Object> certificate = rendered.get("Certificate", INJECTOR);

    assertThat((Map<String, Object>) at(configuration, "metadata.annotations"))
        .containsEntry("cert-manager.io/inject-ca-from", NAMESPACE + "/" + INJECTOR);
    Map<String, Object> webhook =
        ((List<Map<String, Object>>) at(configuration, "webhooks")).get(0);
    assertThat((Object) at(webhook, "clientConfig.caBundle")).as("left to cert-manager").isNull();
    assertThat((List<String>) at(certificate, "spec.dnsNames"))
        .contains(INJECTOR + "." + NAMESPACE + ".svc");
    assertThat((Object) at(certificate, "spec.secretName"))
        .isEqualTo(
            at(volume(rendered.get("Deployment", INJECTOR), "webhook-tls"), "secret.secretName"));
    assertThat(rendered.find("Secret", INJECTOR + "-tls")).as("no Helm-made certificate").isEmpty();
  }

  @Test
  void suppliedCertificateModeServesTheGivenSecretWithTheGivenCaBundle() throws Exception {
    Rendered rendered = Rendered.of("tls-oidc-values.yaml");
    Map<String, Object> webhook =
        ((List<Map<String, Object>>)
                at(rendered.all("MutatingWebhookConfiguration").get(0), "webhooks"))
            .get(0);
    String suppliedCa =
        at(
            new Yaml()
                .<Map<String, Object>>load(
                    Files.readString(Tools.CHART.resolve("ci/tls-oidc-values.yaml"))),
            "injector.tls.caBundle");

    assertThat(
            new String(
                Base64.getDecoder().decode((String) at(webhook, "clientConfig.caBundle")),
                StandardCharsets.US_ASCII))
        .isEqualToIgnoringWhitespace(suppliedCa);
    assertThat(
            (Object)
                at(
                    volume(rendered.get("Deployment", INJECTOR), "webhook-tls"),
                    "secret.secretName"))
        .isEqualTo("sidetrack-injector-tls");
    assertThat(rendered.all("Certificate")).isEmpty();
    assertThat(rendered.find("Secret", INJECTOR + "-tls")).isEmpty();
  }

  @Test
  void registryStreamRunsExactlyOnceWithTheStandbyReplicasAndStateVolumeOfItsValues() {
    Map<String, Object> ha = Rendered.of("ha-values.yaml").get("StatefulSet", REGISTRY_STREAM);
    Map<String, Object> defaults =
        Rendered.of("default-values.yaml").get("StatefulSet", REGISTRY_STREAM);

    assertThat((Object) at(ha, "spec.replicas")).isEqualTo(3);
    assertThat(flag(container(ha), "--standby-replicas")).contains("2");
    assertThat(flag(container(defaults), "--standby-replicas")).contains("0");
    assertThat(flag(container(ha), "--processing-guarantee")).contains("exactly_once_v2");
    assertThat(flag(container(ha), "--stream-threads")).contains("2");
    assertThat(flag(container(ha), "--advertised-host"))
        .contains(
            "$(POD_NAME)." + REGISTRY_STREAM + "-headless.$(POD_NAMESPACE).svc.cluster.local");
    assertThat((Object) at(ha, "spec.serviceName")).isEqualTo(REGISTRY_STREAM + "-headless");
    Map<String, Object> headless =
        Rendered.of("ha-values.yaml").get("Service", REGISTRY_STREAM + "-headless");
    assertThat((Object) at(headless, "spec.clusterIP")).isEqualTo("None");

    List<Map<String, Object>> claims = at(ha, "spec.volumeClaimTemplates");
    assertThat(claims)
        .singleElement()
        .satisfies(
            claim -> {
              assertThat((Object) at(claim, "metadata.name")).isEqualTo("state");
              assertThat((Object) at(claim, "spec.storageClassName")).isEqualTo("fast-ssd");
              assertThat((Object) at(claim, "spec.resources.requests.storage")).isEqualTo("10Gi");
            });
    assertThat(flag(container(ha), "--state-dir")).contains("/var/lib/sidetrack/state");
    assertThat((List<Map<String, Object>>) at(container(ha), "volumeMounts"))
        .contains(Map.of("name", "state", "mountPath", "/var/lib/sidetrack/state"));
  }

  @Test
  void eachRouterAdvertisesItsOwnPodAddressAndSignsWithTheSigningSecret() {
    Rendered rendered = Rendered.of("default-values.yaml");
    Map<String, Object> deployment = rendered.get("Deployment", ROUTER);
    Map<String, Object> router = container(deployment);

    assertThat(flag(router, "--advertise")).contains("$(POD_IP):8071");
    assertThat(env(router, "POD_IP"))
        .get()
        .extracting(e -> at(e, "valueFrom.fieldRef.fieldPath"))
        .isEqualTo("status.podIP");
    assertThat(flag(router, "--listen")).contains("0.0.0.0:8070");
    assertThat(flag(router, "--relay")).contains("0.0.0.0:8071");
    assertThat(flag(router, "--signing-key")).contains("/etc/sidetrack/signing/router-signing.pem");
    assertThat((Object) at(volume(deployment, "signing"), "secret.secretName"))
        .isEqualTo(FULLNAME + "-router-signing");
    // Agents call one router by its address: the relay Service is headless, on 8071 only.
    Map<String, Object> relay = rendered.get("Service", ROUTER + "-relay");
    assertThat((Object) at(relay, "spec.clusterIP")).isEqualTo("None");
    assertThat((List<Map<String, Object>>) at(relay, "spec.ports"))
        .singleElement()
        .satisfies(p -> assertThat(p.get("port")).isEqualTo(8071));
    assertThat((List<Map<String, Object>>) at(rendered.get("Service", ROUTER), "spec.ports"))
        .singleElement()
        .satisfies(p -> assertThat(p.get("port")).isEqualTo(8070));
  }

  @Test
  void routersWithRelayTlsAdvertiseStableNamesTheCertificateCanCarry() {
    Rendered rendered = Rendered.of("tls-oidc-values.yaml");
    Map<String, Object> statefulSet = rendered.get("StatefulSet", ROUTER);
    Map<String, Object> router = container(statefulSet);

    assertThat((Object) at(statefulSet, "spec.serviceName")).isEqualTo(ROUTER + "-relay");
    assertThat(flag(router, "--advertise"))
        .contains("$(POD_NAME)." + ROUTER + "-relay.$(POD_NAMESPACE).svc.cluster.local:8071");
    assertThat(flag(router, "--relay-tls-cert")).isPresent();
    assertThat(flag(router, "--relay-client-ca")).isPresent();
    assertThat(flag(router, "--tls-cert")).isPresent();
    assertThat(flag(router, "--oidc-issuer")).contains("https://login.example.com/realms/dev");
    assertThat(flag(router, "--tokens")).isEmpty();
    assertThat((Object) at(router, "readinessProbe.httpGet.scheme")).isEqualTo("HTTPS");
    // Injected agents get the relay's CA in their namespace, and the injector names it.
    assertThat((Map<String, Object>) at(rendered.get("ConfigMap", "sidetrack-router-ca"), "data"))
        .containsKey("ca.crt");
    assertThat(
            env(container(rendered.get("Deployment", INJECTOR)), "SIDETRACK_ROUTER_CA_CONFIGMAP"))
        .get()
        .extracting(e -> e.get("value"))
        .isEqualTo("sidetrack-router-ca");
  }

  @Test
  void generatedSigningKeyAndTheTrustedPublicKeyInEveryNamespaceAreOnePair() throws Exception {
    Rendered rendered = Rendered.of("default-values.yaml");
    String privatePem =
        new String(
            Base64.getDecoder()
                .decode(
                    Rendered.<Map<String, String>>at(
                            rendered.get("Secret", FULLNAME + "-router-signing"), "data")
                        .get("router-signing.pem")),
            StandardCharsets.US_ASCII);
    PrivateKey privateKey =
        KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der(privatePem)));
    byte[] message = "route entry".getBytes(StandardCharsets.UTF_8);
    Signature signer = Signature.getInstance("Ed25519");
    signer.initSign(privateKey);
    signer.update(message);
    byte[] signature = signer.sign();

    List<Map<String, Object>> trust =
        rendered.all("ConfigMap").stream()
            .filter(c -> "sidetrack-trust".equals(at(c, "metadata.name")))
            .toList();
    assertThat(trust)
        .extracting(c -> (Object) at(c, "metadata.namespace"))
        .containsExactlyInAnyOrder("default", NAMESPACE);
    for (Map<String, Object> configMap : trust) {
      Map<String, String> data = at(configMap, "data");
      PublicKey publicKey =
          KeyFactory.getInstance("Ed25519")
              .generatePublic(new X509EncodedKeySpec(der(data.get("router-signing.pub.pem"))));
      Signature verifier = Signature.getInstance("Ed25519");
      verifier.initVerify(publicKey);
      verifier.update(message);
      assertThat(verifier.verify(signature))
          .as("the trusted key verifies the router's signature")
          .isTrue();
    }
  }

  @Test
  void externalKafkaSettingsReachEveryComponentAndTheInjectedAgents() {
    Rendered rendered = Rendered.of("external-kafka-values.yaml");
    Map<String, Object> registryStream = rendered.get("StatefulSet", REGISTRY_STREAM);
    Map<String, Object> routers = rendered.get("Deployment", ROUTER);
    String brokers =
        "b-1.kafka.example.com:9096,b-2.kafka.example.com:9096,b-3.kafka.example.com:9096";

    for (Map<String, Object> workload : List.of(registryStream, routers)) {
      Map<String, Object> c = container(workload);
      assertThat(flag(c, "--bootstrap-servers")).contains(brokers);
      assertThat(flag(c, "--topic-prefix")).contains("team-a.");
      assertThat(flag(c, "--kafka-config")).contains("/etc/sidetrack/kafka/kafka.properties");
      assertThat(flag(c, "--schema-registry-url"))
          .contains("https://schema-registry.example.com/apis/ccompat/v7");
      assertThat(env(c, "SCHEMA_REGISTRY_BASIC_AUTH"))
          .get()
          .extracting(e -> at(e, "valueFrom.secretKeyRef.name"))
          .isEqualTo("schema-registry-credentials");
    }
    // registry-stream its own principal's Secret, routers the chart-made one from kafka.config
    assertThat((Object) at(volume(registryStream, "kafka-config"), "secret.secretName"))
        .isEqualTo("registry-stream-kafka");
    assertThat((Object) at(volume(routers, "kafka-config"), "secret.secretName"))
        .isEqualTo(FULLNAME + "-kafka");
    assertThat((Map<String, Object>) at(rendered.get("Secret", FULLNAME + "-kafka"), "stringData"))
        .hasEntrySatisfying(
            "kafka.properties", p -> assertThat((String) p).contains("security.protocol=SASL_SSL"));
    // the agents' Secret in every injection namespace, named to the injector
    assertThat(
            rendered.all("Secret").stream()
                .filter(s -> "sidetrack-agent-kafka".equals(at(s, "metadata.name")))
                .map(s -> (Object) at(s, "metadata.namespace")))
        .containsExactlyInAnyOrder("shop", "payments", "staging");
    Map<String, Object> injector = container(rendered.get("Deployment", INJECTOR));
    assertThat(env(injector, "SIDETRACK_KAFKA_CONFIG_SECRET"))
        .get()
        .extracting(e -> e.get("value"))
        .isEqualTo("sidetrack-agent-kafka");
    assertThat(env(injector, "KAFKA_BOOTSTRAP_SERVERS"))
        .get()
        .extracting(e -> e.get("value"))
        .isEqualTo(brokers);
    // a supplied signing key: no Secret made, the given public key trusted
    assertThat(rendered.find("Secret", FULLNAME + "-router-signing")).isEmpty();
    assertThat((Object) at(volume(routers, "signing"), "secret.secretName"))
        .isEqualTo("router-signing");
  }

  @Test
  void componentsCanBeUpgradedOneAtATimeAgentsFirst() {
    Tools.Run run =
        render(
            "--namespace", NAMESPACE,
            "-f", Tools.CHART.resolve("ci/default-values.yaml").toString(),
            "--set", "image.tag=1.0.0",
            "--set", "agent.image.tag=1.1.0",
            "--set", "registryStream.image.tag=1.1.0");
    assertThat(run.exitCode()).as(run.output()).isZero();
    List<Map<String, Object>> objects = Rendered.parse(run.output());

    assertThat(imageOf(objects, "StatefulSet", "x-sidetrack-registry-stream"))
        .isEqualTo("localhost/sidetrack:1.1.0");
    assertThat(imageOf(objects, "Deployment", "x-sidetrack-router"))
        .isEqualTo("localhost/sidetrack:1.0.0");
    assertThat(imageOf(objects, "Deployment", "x-sidetrack-injector"))
        .isEqualTo("localhost/sidetrack:1.0.0");
    Map<String, Object> injector =
        objects.stream()
            .filter(o -> "x-sidetrack-injector".equals(at(o, "metadata.name")))
            .filter(o -> "Deployment".equals(o.get("kind")))
            .findFirst()
            .orElseThrow();
    assertThat(env(container(injector), "SIDETRACK_AGENT_IMAGE"))
        .get()
        .extracting(e -> e.get("value"))
        .isEqualTo("localhost/sidetrack:1.1.0");
  }

  private static Object imageOf(List<Map<String, Object>> objects, String kind, String name) {
    return objects.stream()
        .filter(o -> kind.equals(o.get("kind")) && name.equals(at(o, "metadata.name")))
        .map(o -> container(o).get("image"))
        .findFirst()
        .orElseThrow(() -> new AssertionError(kind + "/" + name + " not rendered"));
  }

  @Test
  void everyValueIsDocumentedInTheChartReadme() throws IOException {
    Map<String, Object> values =
        new Yaml().load(Files.readString(Tools.CHART.resolve("values.yaml")));
    String readme = Files.readString(Tools.CHART.resolveSibling("README.md"));
    List<String> paths = new ArrayList<>();
    collectLeafPaths("", values, paths);

    assertThat(paths).hasSizeGreaterThan(100);
    // a free-form value (resources, affinity, securityContext...) is documented as a whole
    List<String> undocumented = paths.stream().filter(path -> !documented(readme, path)).toList();
    assertThat(undocumented).as("values missing from deploy/helm/README.md").isEmpty();
  }

  private static boolean documented(String readme, String path) {
    for (String p = path;
        !p.isEmpty();
        p = p.contains(".") ? p.substring(0, p.lastIndexOf('.')) : "") {
      if (readme.contains("| `" + p + "` |")) {
        return true;
      }
    }
    return false;
  }

  @SuppressWarnings("unchecked")
  private static void collectLeafPaths(String prefix, Map<String, Object> map, List<String> into) {
    for (Map.Entry<String, Object> entry : map.entrySet()) {
      String path = prefix.isEmpty() ? entry.getKey() : prefix + "." + entry.getKey();
      if (entry.getValue() instanceof Map<?, ?> child && !child.isEmpty()) {
        collectLeafPaths(path, (Map<String, Object>) child, into);
      } else {
        into.add(path);
      }
    }
  }

  @Test
  void chartAppVersionIsTheBuildVersion() throws IOException {
    Map<String, Object> chart =
        new Yaml().load(Files.readString(Tools.CHART.resolve("Chart.yaml")));

    assertThat(chart.get("appVersion")).isEqualTo(System.getProperty("sidetrack.version"));
  }

  @Test
  void badValuesFailTheRenderingWithAMessageNamingTheValue() {
    String defaults = Tools.CHART.resolve("ci/default-values.yaml").toString();

    Tools.Run badMode = render("-f", defaults, "--set", "injector.tls.mode=bogus");
    Tools.Run misspelled = render("-f", defaults, "--set", "routers.replica=3");
    Tools.Run longTimeout = render("-f", defaults, "--set", "injector.webhook.timeoutSeconds=60");
    Tools.Run noAuth = render();

    assertThat(badMode.exitCode()).isNotZero();
    assertThat(badMode.output())
        .contains("/injector/tls/mode", "'generate', 'certManager', 'secret'");
    assertThat(misspelled.exitCode()).isNotZero();
    assertThat(misspelled.output()).contains("additional properties 'replica' not allowed");
    assertThat(longTimeout.exitCode()).isNotZero();
    assertThat(longTimeout.output()).contains("/injector/webhook/timeoutSeconds");
    assertThat(noAuth.exitCode()).isNotZero();
    assertThat(noAuth.output()).contains("routers.auth: set routers.auth.tokens");
  }

  private static Tools.Run render(String... args) {
    List<String> command = new ArrayList<>(List.of("template", "x", Tools.CHART.toString()));
    command.addAll(List.of(args));
    return Tools.helm(command.toArray(String[]::new));
  }

  private static X509Certificate certificate(byte[] pem) throws Exception {
    return (X509Certificate)
        CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(pem));
  }

  private static byte[] der(String pem) {
    String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return Base64.getDecoder().decode(body);
  }
}
