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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * End to end on real processes: {@code bin/sidetrack up} (broker, registry, registry-stream,
 * router, the demo workload behind its edge agent) and each developer's {@code bin/sidetrack
 * intercept}, with the developers' apps as real HTTP servers.
 */
@Timeout(300)
class InterceptIT {
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  static final String ALICE = "alice-e2e-token-0123456789";
  static final String BOB = "bob-e2e-token-0123456789ab";

  static Path home;
  static Process up;
  static Context context;
  static final List<Process> started = new ArrayList<>();
  static final List<HttpServer> apps = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    home = Files.createTempDirectory("sidetrack-e2e");
    Files.writeString(home.resolve("tokens"), ALICE + " alice demo\n" + BOB + " bob *\n");
    up =
        sidetrack(
                home.resolve("up.out"),
                "up",
                "--kafka-port",
                "0",
                "--registry-port",
                "0",
                "--api-port",
                "0",
                "--router-port",
                "0",
                "--demo-port",
                "0",
                "--partitions",
                "3")
            .start();
    await()
        .atMost(Duration.ofSeconds(120))
        .until(() -> Files.exists(ContextFile.path(home)) || !up.isAlive());
    assertThat(up.isAlive()).as(Files.readString(home.resolve("up.out"))).isTrue();
    context = ContextFile.read(home).orElseThrow();
    assertThat(Files.readString(home.resolve("up.out")))
        .contains("Router", context.routerUrl(), "Demo workload", context.demoUrl());
    // `up` added a token for the local user beside the ones already there
    assertThat(Files.readAllLines(home.resolve("tokens"))).hasSizeGreaterThanOrEqualTo(3);
  }

  @AfterAll
  static void stop() throws Exception {
    for (Process p : started) {
      p.destroyForcibly();
    }
    apps.forEach(a -> a.stop(0));
    Launcher.stop(up);
  }

  static ProcessBuilder sidetrack(Path output, String... args) {
    return Launcher.sidetrack(home, output, args);
  }

  /** A developer's app on this machine: answers with its name. */
  static int app(String name) throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          byte[] body =
              (name + ":" + exchange.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    apps.add(server);
    return server.getAddress().getPort();
  }

  /** Starts {@code sidetrack intercept} and waits until it says the intercept is active. */
  static Process intercept(String name, String token, int port, String... more) throws Exception {
    Path out = home.resolve(name + ".out");
    List<String> args =
        new ArrayList<>(
            List.of("intercept", "demo", "--port", String.valueOf(port), "--token", token));
    args.addAll(List.of(more));
    Process p = sidetrack(out, args.toArray(String[]::new)).start();
    started.add(p);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> Files.readString(out).contains("Relaying") || !p.isAlive());
    assertThat(p.isAlive()).as(Files.readString(out)).isTrue();
    assertThat(Files.readString(out)).contains("Active: intercept");
    return p;
  }

  static HttpResponse<String> get(String header, String path) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(context.demoUrl() + path));
    if (header != null) {
      b.header("x-sidetrack-id", header);
    }
    return HTTP.send(
        b.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static String routerGet(String token, String path) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create(context.routerUrl() + path))
                .header("Authorization", "Bearer " + token)
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  @Test
  void twoDevelopersShareTheDemoAndACrashedLaptopReturnsItsTrafficWithoutFailures()
      throws Exception {
    int alicePort = app("alice");
    int bobPort = app("bob");
    Process alice =
        intercept("alice", ALICE, alicePort, "--header", "x-sidetrack-id=alice", "--ttl", "6s");
    Process bob = intercept("bob", BOB, bobPort, "--header", "x-sidetrack-id=bob");

    assertThat(get("alice", "/a").body()).isEqualTo("alice:/a");
    assertThat(get("bob", "/b").body()).isEqualTo("bob:/b");
    assertThat(get(null, "/c").body()).isEqualTo("Hello from the cluster's copy of demo: GET /c\n");
    assertThat(get("carol", "/d").body()).startsWith("Hello from the cluster's copy");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> Files.readString(home.resolve("alice.out")).contains("GET     /a"));

    // list and agents, as a developer sees them
    Path listed = home.resolve("list.out");
    Process list = sidetrack(listed, "list", "--token", BOB, "-o", "json").start();
    assertThat(list.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(Files.readString(listed)).contains("\"owner\" : \"alice\"", "\"owner\" : \"bob\"");
    Path agents = home.resolve("agents.out");
    Process agentList = sidetrack(agents, "agents", "--token", BOB).start();
    assertThat(agentList.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(Files.readString(agents)).contains("AGENT", "demo");

    // bob's laptop cannot take alice's requests: a conflict names the holder
    Path conflict = home.resolve("conflict.out");
    Process taken =
        sidetrack(
                conflict,
                "intercept",
                "demo",
                "--port",
                String.valueOf(bobPort),
                "--token",
                BOB,
                "--header",
                "x-sidetrack-id=alice")
            .start();
    assertThat(taken.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(taken.exitValue()).isEqualTo(1);
    assertThat(Files.readString(conflict)).contains("rejected", "of alice");

    // kill -9 alice's CLI: her requests go to the cluster at once, none fails, and the intercept
    // is gone within its 6 s lease
    alice.destroyForcibly();
    alice.waitFor(10, TimeUnit.SECONDS);
    long killed = System.nanoTime();
    int failures = 0;
    int requests = 0;
    boolean gone = false;
    while (!gone && System.nanoTime() - killed < Duration.ofSeconds(15).toNanos()) {
      HttpResponse<String> r = get("alice", "/k");
      requests++;
      if (r.statusCode() != 200
          || !(r.body().equals("alice:/k") || r.body().startsWith("Hello from the cluster"))) {
        failures++;
      }
      gone = !routerGet(BOB, "/v1/intercepts").contains("\"owner\":\"alice\"");
      Thread.sleep(20);
    }
    double seconds = (System.nanoTime() - killed) / 1e9;
    assertThat(failures).as("failed of %d requests", requests).isZero();
    assertThat(gone).as("intercept gone after %.1f s", seconds).isTrue();
    assertThat(seconds).isLessThan(6 + 3);
    assertThat(get("alice", "/after").body()).startsWith("Hello from the cluster");
    assertThat(get("bob", "/still").body()).isEqualTo("bob:/still");

    // Ctrl-C (SIGTERM here: a background process ignores SIGINT) leaves cleanly
    bob.destroy();
    assertThat(bob.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(Files.readString(home.resolve("bob.out")))
        .contains("Left: the intercept is removed.");
    awaitRouterListWithout("\"owner\":\"bob\"");
    assertThat(get("bob", "/b").body()).startsWith("Hello from the cluster");
  }

  static HttpResponse<String> frontend(String header, String path) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(context.frontendUrl() + path));
    if (header != null) {
      b.header("x-sidetrack-id", header);
    }
    return HTTP.send(
        b.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * The developer's header goes to the first hop only: {@code frontend}'s edge agent bridges it
   * into baggage, frontend's OpenTelemetry Java agent carries the baggage to its call to {@code
   * demo}, and demo's agent routes it by the default intercept's baggage alternative.
   */
  @Test
  void headerSentOnlyToTheFrontendReachesTheDevelopersDemoAsBaggage() throws Exception {
    assertThat(context.frontendUrl()).as("up runs the frontend workload").isNotBlank();
    int laptop = app("alice-laptop");
    Process alice = intercept("alice-default", ALICE, laptop);
    assertThat(Files.readString(home.resolve("alice-default.out")))
        .contains("x-sidetrack-id: alice");

    HttpResponse<String> carried = frontend("alice", "/two-hops");
    assertThat(carried.statusCode()).isEqualTo(200);
    assertThat(carried.body())
        .isEqualTo("frontend called demo, which answered 200: alice-laptop:/two-hops");
    HttpResponse<String> plain = frontend(null, "/two-hops");
    assertThat(plain.body())
        .isEqualTo(
            "frontend called demo, which answered 200: Hello from the cluster's copy of demo:"
                + " GET /two-hops\n");
    assertThat(frontend("carol", "/two-hops").body()).contains("cluster's copy of demo");
    // demo itself, with the header or the baggage member only
    assertThat(get("alice", "/direct").body()).isEqualTo("alice-laptop:/direct");
    HttpResponse<String> byBaggage =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(context.demoUrl() + "/bag"))
                .header("baggage", "k=v,sidetrack-id=alice")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(byBaggage.body()).isEqualTo("alice-laptop:/bag");

    alice.destroy();
    assertThat(alice.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(frontend("alice", "/after").body()).contains("cluster's copy of demo");
  }

  /**
   * A preview URL of the default intercept, from {@code bin/sidetrack intercept --preview}: a
   * client that sends no header at all (a browser) reaches the developer's copy, the plain URL the
   * cluster's, and once the intercept is left its host says so.
   */
  @Test
  void previewUrlOfTheDefaultInterceptReachesTheDevelopersCopy() throws Exception {
    int laptop = app("alice-preview");
    Process alice =
        intercept("alice-preview", ALICE, laptop, "--preview", "--preview-access", "public");
    Path out = home.resolve("alice-preview.out");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> Files.readString(out).contains("Preview URL"));
    String printed = Files.readString(out);
    Matcher m =
        Pattern.compile("Preview URL: http://([a-z2-7]{26}\\.preview\\.localhost):(\\d+)/")
            .matcher(printed);
    assertThat(m.find()).as(printed).isTrue();
    String host = m.group(1);
    int port = Integer.parseInt(m.group(2));

    assertThat(rawGet(host, port, "/page"))
        .startsWith("HTTP/1.1 200")
        .endsWith("alice-preview:/page");
    assertThat(get(null, "/page").body()).startsWith("Hello from the cluster's copy of demo");

    alice.destroy();
    assertThat(alice.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(rawGet(host, port, "/page")).startsWith("HTTP/1.1 410");
  }

  /** A GET with {@code host} as its Host (the JDK client may not set it) on 127.0.0.1:port. */
  static String rawGet(String host, int port, String path) throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      socket.setSoTimeout(20_000);
      socket
          .getOutputStream()
          .write(
              ("GET "
                      + path
                      + " HTTP/1.1\r\nHost: "
                      + host
                      + ":"
                      + port
                      + "\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void theDefaultInterceptTakesTheHeaderOrTheBaggageMemberAndExplainSaysWhich() throws Exception {
    int port = app("dana");
    Process dana = intercept("dana", BOB, port, "--id", "bob-personal");
    assertThat(Files.readString(home.resolve("dana.out")))
        .contains("Requests with  x-sidetrack-id: bob  or baggage  sidetrack-id=bob  now reach")
        .contains("Try:  curl -H 'x-sidetrack-id: bob' ")
        .contains(" or:  curl -H 'baggage: sidetrack-id=bob' ");

    assertThat(get("bob", "/header").body()).isEqualTo("dana:/header");
    assertThat(withBaggage("team=t, sidetrack-id=bob", "/baggage").body())
        .isEqualTo("dana:/baggage");
    assertThat(withBaggage("sidetrack-id=carol", "/other").body())
        .startsWith("Hello from the cluster");
    assertThat(get(null, "/neither").body()).startsWith("Hello from the cluster");

    Path byBaggage = home.resolve("explain-baggage.out");
    Process explain =
        sidetrack(byBaggage, "explain", "--workload", "demo", "--baggage", "sidetrack-id=bob")
            .start();
    assertThat(explain.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(Files.readString(byBaggage))
        .contains("goes to intercept bob-personal of bob")
        .contains("decided by: baggage sidetrack-id = bob [exact header]")
        .contains("its rules: x-sidetrack-id=bob|baggage:sidetrack-id=bob");
    Path byHeader = home.resolve("explain-header.out");
    explain =
        sidetrack(
                byHeader,
                "explain",
                "--workload",
                "demo",
                "--header",
                "x-sidetrack-id=bob",
                "-o",
                "json")
            .start();
    assertThat(explain.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(Files.readString(byHeader))
        .contains("\"rule\" : \"header x-sidetrack-id = bob\"")
        .contains("\"precedence\" : \"EXACT_HEADER\"");

    dana.destroy();
    assertThat(dana.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(Files.readString(home.resolve("dana.out")))
        .contains("Left: the intercept is removed.");
    awaitRouterListWithout("\"id\":\"bob-personal\"");
  }

  /**
   * Waits until the router's list no longer holds {@code fragment} of JSON. The router published
   * the removal before the CLI said "Left"; its list reads registry-stream's state, which applies
   * it a moment later (under CI's load, the list still held it right after "Left").
   */
  static void awaitRouterListWithout(String fragment) {
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(routerGet(BOB, "/v1/intercepts")).doesNotContain(fragment));
  }

  static HttpResponse<String> withBaggage(String baggage, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(context.demoUrl() + path))
            .header("baggage", baggage)
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aDevelopersRecordsReachTheBrokerOnTheLaptopWithKeyHeadersAndTimeKept() throws Exception {
    String topic = "orders.created";
    Map<String, Object> cluster = Map.of("bootstrap.servers", context.bootstrapServers());
    createTopic(topic, 3);
    Process dev = intercept("records", ALICE, app("records"), "--topic", topic);
    String said = Files.readString(home.resolve("records.out"));
    Matcher m = Pattern.compile("bootstrap\\.servers=(\\S+)").matcher(said);
    assertThat(m.find()).as(said).isTrue();
    String laptop = m.group(1);
    assertThat(laptop).isNotEqualTo(context.bootstrapServers());

    long time = System.currentTimeMillis() - 60_000; // a producer's own timestamp, kept
    try (KafkaProducer<String, String> producer = producer()) {
      // one key: one partition, so the records the developer does not get come before theirs
      for (String[] r :
          new String[][] {
            {"header-less", null, null},
            {"bob's", "x-sidetrack-id", "bob"},
            {"alice's by header", "x-sidetrack-id", "alice"},
            {"alice's by baggage", "baggage", "k=v,sidetrack-id=alice"}
          }) {
        ProducerRecord<String, String> record =
            new ProducerRecord<>(topic, null, time, "order-7", r[0]);
        record.headers().add("trace", "t-1".getBytes(StandardCharsets.UTF_8));
        if (r[1] != null) {
          record.headers().add(r[1], r[2].getBytes(StandardCharsets.UTF_8));
        }
        producer.send(record).get(30, TimeUnit.SECONDS);
      }
    }
    int clusterPartition;
    try (KafkaConsumer<String, String> c = consumer(cluster)) {
      c.subscribe(List.of(topic));
      List<ConsumerRecord<String, String>> all = poll(c, 4);
      assertThat(all)
          .extracting(ConsumerRecord::value)
          .containsExactly("header-less", "bob's", "alice's by header", "alice's by baggage");
      clusterPartition = all.get(0).partition();
    }
    try (KafkaConsumer<String, String> c = consumer(Map.of("bootstrap.servers", laptop))) {
      c.subscribe(List.of(topic));
      List<ConsumerRecord<String, String>> mine = poll(c, 2);
      assertThat(mine)
          .extracting(ConsumerRecord::value)
          .containsExactly("alice's by header", "alice's by baggage");
      for (ConsumerRecord<String, String> r : mine) {
        assertThat(r.key()).isEqualTo("order-7");
        assertThat(r.timestamp()).isEqualTo(time);
        assertThat(r.partition()).isEqualTo(clusterPartition);
        assertThat(new String(r.headers().lastHeader("trace").value(), StandardCharsets.UTF_8))
            .isEqualTo("t-1");
      }
      // nothing else comes: neither the header-less record nor bob's
      assertThat(c.poll(Duration.ofSeconds(3)).count()).isZero();
      assertThat(c.partitionsFor(topic)).hasSize(3);
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> Files.readString(home.resolve("records.out")).contains("RECORD"));
    dev.destroy();
    assertThat(dev.waitFor(30, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void withKafkaDirectTheDevelopersOwnConsumerReadsOnlyTheirRecordsFromTheCluster()
      throws Exception {
    String topic = "payments.settled";
    Map<String, Object> cluster = Map.of("bootstrap.servers", context.bootstrapServers());
    createTopic(topic, 2);
    Process dev =
        intercept(
            "direct",
            BOB,
            app("direct"),
            "--header",
            "x-sidetrack-id=bob-direct",
            "--topic",
            topic,
            "--kafka-direct");
    String said = Files.readString(home.resolve("direct.out"));
    assertThat(said)
        .doesNotContain("Starting a Kafka broker")
        .contains(
            "interceptor.classes=io.sidetrack.kafka.interceptor.SidetrackConsumerInterceptor",
            "sidetrack.workload=demo",
            "sidetrack.mode=developer");
    Matcher id = Pattern.compile("sidetrack\\.developer\\.id=(\\S+)").matcher(said);
    assertThat(id.find()).as(said).isTrue();

    // the developer's own consumer of the cluster, with the settings printed
    Map<String, Object> mine = new HashMap<>(cluster);
    mine.put("interceptor.classes", "io.sidetrack.kafka.interceptor.SidetrackConsumerInterceptor");
    mine.put("sidetrack.workload", "demo");
    mine.put("sidetrack.mode", "developer");
    mine.put("sidetrack.developer.id", id.group(1));
    mine.put("sidetrack.schema.registry.url", context.schemaRegistryUrl());
    mine.put("sidetrack.topic.prefix", context.topicPrefix() == null ? "" : context.topicPrefix());
    // developer mode keeps nothing before it has read the routes: the first poll waits for them
    mine.put("sidetrack.first.read.wait.ms", "20000");
    try (KafkaProducer<String, String> producer = producer();
        KafkaConsumer<String, String> c = consumer(mine)) {
      c.subscribe(List.of(topic));
      for (String who : new String[] {null, "alice", "bob-direct"}) {
        ProducerRecord<String, String> r =
            new ProducerRecord<>(topic, "p-1", who == null ? "nobody's" : who + "'s");
        if (who != null) {
          r.headers().add("x-sidetrack-id", who.getBytes(StandardCharsets.UTF_8));
        }
        producer.send(r).get(30, TimeUnit.SECONDS);
      }
      assertThat(poll(c, 1)).extracting(ConsumerRecord::value).containsExactly("bob-direct's");
      assertThat(c.poll(Duration.ofSeconds(2)).count()).isZero();
    }
    // the router relayed nothing: the CLI asked for no records stream
    assertThat(Files.readString(home.resolve("direct.out"))).doesNotContain("RECORD");
    dev.destroy();
    assertThat(dev.waitFor(30, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aLaptopThatCrashesAndComesBackGetsTheRecordsProducedMeanwhile() throws Exception {
    String topic = "invoices.issued";
    createTopic(topic, 1);
    try (io.sidetrack.embedded.EmbeddedKafka laptop =
            io.sidetrack.embedded.EmbeddedKafka.startTemporary();
        KafkaProducer<String, String> producer = producer()) {
      String[] args = {
        "--header",
        "x-sidetrack-id=carol",
        "--id",
        "carol-invoices",
        "--topic",
        topic,
        "--local-kafka",
        laptop.bootstrapServers()
      };
      int port = app("carol");
      Process first = intercept("carol-1", BOB, port, args);
      ProducerRecord<String, String> before = new ProducerRecord<>(topic, "i", "before the crash");
      before.headers().add("x-sidetrack-id", "carol".getBytes(StandardCharsets.UTF_8));
      producer.send(before).get(30, TimeUnit.SECONDS);
      try (KafkaConsumer<String, String> c =
          consumer(Map.of("bootstrap.servers", laptop.bootstrapServers()))) {
        c.subscribe(List.of(topic));
        assertThat(poll(c, 1))
            .extracting(ConsumerRecord::value)
            .containsExactly("before the crash");
      }
      Thread.sleep(2_000); // the router commits what the laptop acknowledged every second
      first.destroyForcibly();
      assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();

      // while the laptop is gone, the cluster's consumers still skip carol's records
      ProducerRecord<String, String> meanwhile =
          new ProducerRecord<>(topic, "i", "while the laptop was down");
      meanwhile.headers().add("x-sidetrack-id", "carol".getBytes(StandardCharsets.UTF_8));
      producer.send(meanwhile).get(30, TimeUnit.SECONDS);

      Process second = intercept("carol-2", BOB, port, args);
      try (KafkaConsumer<String, String> c =
          consumer(Map.of("bootstrap.servers", laptop.bootstrapServers()))) {
        c.subscribe(List.of(topic));
        List<ConsumerRecord<String, String>> all = poll(c, 2);
        assertThat(all)
            .extracting(ConsumerRecord::value)
            .containsExactly("before the crash", "while the laptop was down");
      }
      second.destroy();
      assertThat(second.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
  }

  /** Creates {@code topic} with {@code partitions} on the stack's broker. */
  private static void createTopic(String topic, int partitions) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", context.bootstrapServers()))) {
      admin
          .createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
  }

  /** A producer of strings to the stack's broker. */
  private static KafkaProducer<String, String> producer() {
    return new KafkaProducer<>(
        Map.of(
            "bootstrap.servers",
            context.bootstrapServers(),
            "key.serializer",
            StringSerializer.class,
            "value.serializer",
            StringSerializer.class));
  }

  private static KafkaConsumer<String, String> consumer(Map<String, Object> base) {
    Map<String, Object> config = new HashMap<>(base);
    config.put("group.id", "check-" + System.nanoTime());
    config.put("auto.offset.reset", "earliest");
    config.put("key.deserializer", StringDeserializer.class);
    config.put("value.deserializer", StringDeserializer.class);
    return new KafkaConsumer<>(config);
  }

  private static List<ConsumerRecord<String, String>> poll(
      KafkaConsumer<String, String> c, int count) {
    List<ConsumerRecord<String, String>> got = new ArrayList<>();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              c.poll(Duration.ofMillis(500)).forEach(got::add);
              return got.size() >= count;
            });
    return got;
  }

  @Test
  void badInputGetsOneLineAndANonZeroExit() throws Exception {
    record Case(String expected, String... args) {}
    List<Case> cases =
        List.of(
            new Case(
                "unknown workload 'nowhere'",
                "intercept",
                "nowhere",
                "--port",
                "1",
                "--token",
                BOB),
            new Case(
                "invalid regex",
                "intercept",
                "demo",
                "--port",
                "1",
                "--token",
                BOB,
                "--header-regex",
                "x-a=(x"),
            new Case(
                "refused the token",
                "intercept",
                "demo",
                "--port",
                "1",
                "--token",
                "not-a-real-token-000000"),
            new Case(
                "router unreachable",
                "intercept",
                "demo",
                "--port",
                "1",
                "--token",
                BOB,
                "--router",
                "http://127.0.0.1:1"),
            new Case(
                "may not intercept workload 'other'",
                "intercept",
                "other",
                "--port",
                "1",
                "--token",
                ALICE),
            new Case(
                "invalid --any-of 'cookie:x=1'",
                "intercept",
                "demo",
                "--port",
                "1",
                "--token",
                BOB,
                "--any-of",
                "cookie:x=1"),
            new Case("belongs to", "leave", "nope", "--token", BOB));
    for (Case c : cases) {
      Path out = Files.createTempFile(home, "bad", ".out");
      Process p = sidetrack(out, c.args()).start();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String text = Files.readString(out);
      if (c.expected().equals("belongs to")) {
        assertThat(text).contains("no active intercept nope");
      } else {
        assertThat(text).as(String.join(" ", c.args())).contains(c.expected());
      }
      assertThat(p.exitValue()).as(text).isEqualTo(1);
      assertThat(text.lines().filter(l -> l.startsWith("sidetrack: error:")).count()).isEqualTo(1);
    }
    // nothing listening on the local port is a warning, not an error
    Path warned = home.resolve("warned.out");
    Process p = intercept("warned", BOB, 1, "--header", "x-sidetrack-id=warned");
    assertThat(Files.readString(home.resolve("warned.out")))
        .contains("warning: nothing listens on 127.0.0.1:1");
    HttpResponse<String> r = get("warned", "/w");
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.body()).contains("nothing answers on 127.0.0.1:1");
    p.destroy();
    p.waitFor(20, TimeUnit.SECONDS);
    assertThat(warned).exists();
  }
}
