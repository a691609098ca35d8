package io.sidetrack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import io.sidetrack.cli.tunnel.AppProtocol;
import io.sidetrack.cli.tunnel.TunnelClient;
import io.sidetrack.cli.tunnel.TunnelEvents;
import io.sidetrack.core.MatchRules;
import io.sidetrack.edge.EdgeAgent;
import io.sidetrack.edge.EdgeAgentConfig;
import io.sidetrack.embedded.SharedInfrastructure;
import io.sidetrack.router.Router;
import io.sidetrack.router.RouterConfig;
import io.sidetrack.schemas.registry.SchemaRegistryConfig;
import io.sidetrack.stream.RegistryStreamApp;
import io.sidetrack.tunnel.InterceptSpec;
import io.sidetrack.tunnel.PreviewAccess;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import picocli.CommandLine;

/**
 * Preview URLs in a real browser (headless Chromium driven by Selenium): a real broker, registry,
 * registry-stream, a router with a preview listener, an edge agent of workload {@code demo} in
 * front of "the cluster's" app, and an intercept from this JVM's tunnel client to "the laptop's"
 * app, whose page makes a relative {@code fetch()} and loads a relative image. Screenshots go to
 * {@code target/browser/}.
 */
@Timeout(300)
class PreviewBrowserIT {
  static final String CHROMIUM = "/usr/bin/chromium";
  static final String CHROMEDRIVER = "/usr/bin/chromedriver";
  static final String WORKLOAD = "demo";
  static final String PREFIX = "pb" + UUID.randomUUID().toString().substring(0, 8) + ".";
  static final String TOKEN = "alice-token-0123456789";
  static final Path SCREENSHOTS = Path.of("target", "browser");
  static final byte[] PIXEL =
      Base64.getDecoder()
          .decode(
              "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGO4YGAAAAMEATF0v3V3AAAAAElFTkSuQmCC");

  static Vertx vertx;
  static HttpServer cluster;
  static HttpServer laptop;
  static RegistryStreamApp stream;
  static EdgeAgent agent;
  static Router router;
  static WebDriver browser;

  /** What reached the laptop's app: method, path, the intercept's header, baggage, cookie. */
  static final List<String> laptopSaw = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    for (String binary : List.of(CHROMIUM, CHROMEDRIVER)) {
      if (!Files.isExecutable(Path.of(binary))) {
        fail(
            binary
                + " is missing: this test drives Debian's headless Chromium (apt-get install"
                + " chromium chromium-driver; .ci/run installs them)");
      }
    }
    vertx = Vertx.vertx();
    cluster = app("cluster", null);
    laptop = app("laptop", laptopSaw);
    String bootstrap = SharedInfrastructure.kafka();
    String registryUrl = SharedInfrastructure.schemaRegistry();
    stream = TestRegistryStream.start(bootstrap, registryUrl, PREFIX, "preview-browser-it");
    agent =
        EdgeAgent.start(
            EdgeAgentConfig.of(
                    WORKLOAD,
                    "127.0.0.1",
                    0,
                    "127.0.0.1",
                    cluster.actualPort(),
                    bootstrap,
                    SchemaRegistryConfig.of(registryUrl))
                .withTopicPrefix(PREFIX)
                .withTrustedRouters(TestRouterKeys.TRUSTED));
    await().atMost(Duration.ofSeconds(60)).until(() -> agent.routes().caughtUp());
    Path tokens = Files.createTempFile("tokens", ".txt");
    Files.writeString(tokens, TOKEN + " alice demo\n");
    router =
        Router.start(
            RouterConfig.of(bootstrap, SchemaRegistryConfig.of(registryUrl), tokens)
                .withTopicPrefix(PREFIX)
                .withPreview(
                    new RouterConfig.Preview(
                        "127.0.0.1",
                        0,
                        RouterConfig.Preview.DEFAULT_DOMAIN,
                        RouterConfig.Preview.upstreams(
                            List.of(WORKLOAD + "=http://127.0.0.1:" + agent.port()))))
                .withSigning(TestRouterKeys.SIGNING));
    await().atMost(Duration.ofSeconds(60)).until(() -> router.view().ready());
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> router.view().liveAgents(WORKLOAD).size() == 1);
    Files.createDirectories(SCREENSHOTS);
    browser = chromium();
  }

  static WebDriver chromium() {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-proxy-server",
        "--window-size=1000,700");
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER))
            .usingAnyFreePort()
            .build();
    return new ChromeDriver(service, options);
  }

  /**
   * An app that serves a page (its name in {@code #title}) whose script fetches the relative {@code
   * api/hello} into {@code #fetched}, and which loads the relative image {@code img/pixel.png}.
   */
  static HttpServer app(String name, List<String> saw) throws Exception {
    return vertx
        .createHttpServer()
        .requestHandler(
            req -> {
              if (saw != null) {
                saw.add(describe(req));
              }
              switch (req.path()) {
                case "/", "/page" ->
                    req.response()
                        .putHeader("content-type", "text/html; charset=utf-8")
                        .end(page(name));
                case "/api/hello" ->
                    req.response()
                        .putHeader("content-type", "text/plain")
                        .end("hello from the " + name + "'s copy");
                case "/img/pixel.png" ->
                    req.response().putHeader("content-type", "image/png").end(Buffer.buffer(PIXEL));
                default -> req.response().setStatusCode(404).end();
              }
            })
        .listen(0, "127.0.0.1")
        .toCompletionStage()
        .toCompletableFuture()
        .get();
  }

  static String describe(HttpServerRequest req) {
    return req.method()
        + " "
        + req.path()
        + " id="
        + req.getHeader("x-sidetrack-id")
        + " baggage="
        + req.getHeader("baggage")
        + " cookie="
        + req.getHeader("cookie");
  }

  static String page(String name) {
    return "<!doctype html><html><head><meta charset=\"utf-8\"><title>"
        + name
        + "</title></head><body>"
        + "<h1 id=\"title\">"
        + name
        + "</h1><p id=\"fetched\">fetching...</p>"
        + "<img id=\"img\" src=\"img/pixel.png\" width=\"40\" height=\"40\" alt=\"pixel\">"
        + "<script>fetch('api/hello').then(r => r.text())"
        + ".then(t => { document.getElementById('fetched').textContent = t; })"
        + ".catch(e => { document.getElementById('fetched').textContent = 'failed: ' + e; });"
        + "</script></body></html>";
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
    for (AutoCloseable c : new AutoCloseable[] {router, agent, stream}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // keep closing
      }
    }
    if (vertx != null) {
      vertx.close();
    }
  }

  /** The developer's CLI side in this JVM: its own Vert.x, the tunnel client, the preview URL. */
  static final class Laptop implements TunnelEvents {
    final Vertx own = Vertx.vertx();
    final TunnelClient client;
    final CompletableFuture<String> previewUrl = new CompletableFuture<>();

    Laptop(String id, String header, PreviewAccess access) {
      InterceptSpec spec =
          new InterceptSpec(
              id,
              WORKLOAD,
              MatchRules.header("x-sidetrack-id", header),
              Duration.ofSeconds(30),
              false,
              access);
      client =
          new TunnelClient(
              own,
              List.of(router.url()),
              TOKEN,
              owner -> spec,
              "127.0.0.1",
              laptop.actualPort(),
              AppProtocol.AUTO,
              this);
    }

    String start() throws Exception {
      client.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      return previewUrl.get(5, TimeUnit.SECONDS);
    }

    void leave() throws Exception {
      client.leave().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      own.close();
    }

    /** The laptop vanishes: no leave, the tunnel just goes. */
    void crash() throws Exception {
      own.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Override
    public void preview(String url) {
      previewUrl.complete(url);
    }

    @Override
    public void previewUnavailable(String reason) {
      previewUrl.completeExceptionally(new AssertionError("no preview URL: " + reason));
    }
  }

  static void screenshot(String name) throws Exception {
    byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
    Files.write(SCREENSHOTS.resolve(name + ".png"), png);
  }

  static String text(String id) {
    return browser.findElement(By.id(id)).getText();
  }

  /** Waits until the page's fetch() wrote its answer, and its image has loaded. */
  static void awaitPageLoaded() {
    new WebDriverWait(browser, Duration.ofSeconds(20))
        .until(d -> !d.findElement(By.id("fetched")).getText().startsWith("fetching"));
    new WebDriverWait(browser, Duration.ofSeconds(20))
        .until(
            d ->
                Boolean.TRUE.equals(
                    ((JavascriptExecutor) d)
                        .executeScript(
                            "const i = document.getElementById('img');"
                                + " return i.complete && i.naturalWidth > 0;")));
  }

  @Test
  void
      thePreviewUrlShowsTheLaptopsPageWhoseFetchAndImageReachTheLaptopTooAndThePlainUrlTheClusters()
          throws Exception {
    Laptop dev = new Laptop("i-preview-public", "alice", PreviewAccess.PUBLIC);
    String url = dev.start();
    assertThat(url)
        .matches("http://[a-z2-7]{26}\\.preview\\.localhost:" + router.previewPort() + "/");
    laptopSaw.clear();

    browser.get(url);
    awaitPageLoaded();
    screenshot("preview-public");
    assertThat(text("title")).isEqualTo("laptop");
    assertThat(text("fetched")).isEqualTo("hello from the laptop's copy");
    String tagged = " id=alice baggage=sidetrack-id=alice cookie=null";
    assertThat(laptopSaw)
        .contains("GET /" + tagged, "GET /api/hello" + tagged, "GET /img/pixel.png" + tagged);

    // the same workload without the preview: the cluster's copy, and nothing reaches the laptop
    laptopSaw.clear();
    browser.get("http://127.0.0.1:" + agent.port() + "/");
    awaitPageLoaded();
    screenshot("plain-url");
    assertThat(text("title")).isEqualTo("cluster");
    assertThat(text("fetched")).isEqualTo("hello from the cluster's copy");
    assertThat(laptopSaw).isEmpty();

    // the intercept ends, and its preview with it
    dev.leave();
    browser.get(url);
    screenshot("preview-ended");
    assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Preview ended");
    assertThat(laptopSaw).isEmpty();
  }

  @Test
  void aTokenPreviewShowsTheSignInFirstAndTheLaptopsPageAfter() throws Exception {
    Laptop dev = new Laptop("i-preview-token", "alice-token", PreviewAccess.TOKEN);
    String url = dev.start();
    laptopSaw.clear();

    browser.get(url + "page?from=link");
    screenshot("preview-sign-in");
    assertThat(browser.findElement(By.tagName("h1")).getText())
        .isEqualTo("Sign in to this preview");
    assertThat(laptopSaw).isEmpty();

    browser.findElement(By.id("token")).sendKeys("not-the-token-at-all");
    browser.findElement(By.id("sign-in")).click();
    new WebDriverWait(browser, Duration.ofSeconds(10))
        .until(d -> !d.findElements(By.cssSelector("p.error")).isEmpty());
    assertThat(browser.findElement(By.cssSelector("p.error")).getText())
        .isEqualTo(
            "That token is not one of this router's: unknown token: the router's tokens file"
                + " does not list it");

    browser.findElement(By.id("token")).sendKeys(TOKEN);
    browser.findElement(By.id("sign-in")).click();
    new WebDriverWait(browser, Duration.ofSeconds(10))
        .until(d -> d.findElement(By.id("title")).getText().equals("laptop"));
    awaitPageLoaded();
    screenshot("preview-signed-in");
    assertThat(browser.getCurrentUrl()).isEqualTo(url + "page?from=link");
    assertThat(text("fetched")).isEqualTo("hello from the laptop's copy");
    // the sign-in cookie stays at the router: the laptop's app never sees it
    String tagged = " id=alice-token baggage=sidetrack-id=alice-token cookie=null";
    assertThat(laptopSaw)
        .contains("GET /page" + tagged, "GET /api/hello" + tagged, "GET /img/pixel.png" + tagged);
    assertThat(browser.manage().getCookieNamed("sidetrack-preview").isHttpOnly()).isTrue();
    dev.leave();
  }

  /** {@code sidetrack intercept} run in this JVM, its output captured. */
  static final class InterceptRun {
    final java.io.StringWriter out = new java.io.StringWriter();
    final java.io.StringWriter err = new java.io.StringWriter();
    final CompletableFuture<Integer> exit = new CompletableFuture<>();

    InterceptRun(String... args) throws Exception {
      Path home = Files.createTempDirectory("sidetrack-home");
      CommandLine cli = Sidetrack.commandLine(Map.of("SIDETRACK_HOME", home.toString())::get);
      cli.setOut(new java.io.PrintWriter(out, true));
      cli.setErr(new java.io.PrintWriter(err, true));
      List<String> all = new java.util.ArrayList<>(List.of("intercept", WORKLOAD));
      all.addAll(
          List.of(
              "--port",
              String.valueOf(laptop.actualPort()),
              "--router",
              router.url(),
              "--token",
              TOKEN));
      all.addAll(List.of(args));
      Thread t = new Thread(() -> exit.complete(cli.execute(all.toArray(String[]::new))));
      t.setDaemon(true);
      t.start();
    }

    /** Removes the intercept, as 'sidetrack leave' does; the command then ends. */
    void leave(String id) throws Exception {
      CommandLine leave = Sidetrack.commandLine(name -> null);
      leave.setOut(new java.io.PrintWriter(new java.io.StringWriter(), true));
      assertThat(leave.execute("leave", id, "--router", router.url(), "--token", TOKEN)).isZero();
      assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
    }
  }

  @Test
  void theInterceptCommandPrintsOnePreviewUrlLineOnceActiveOrWarnsWhyNot() throws Exception {
    InterceptRun run = new InterceptRun("--id", "i-preview-cli", "--preview-access", "public");
    await().atMost(Duration.ofSeconds(60)).until(() -> run.out.toString().contains("Relaying;"));
    List<String> lines = run.out.toString().lines().toList();
    List<String> previewLines = lines.stream().filter(l -> l.startsWith("Preview URL: ")).toList();
    assertThat(previewLines).hasSize(1);
    assertThat(lines.indexOf(previewLines.get(0)))
        .isGreaterThan(
            lines.indexOf(
                lines.stream().filter(l -> l.startsWith("Active: ")).findFirst().orElseThrow()));
    String url = previewLines.get(0).substring("Preview URL: ".length());
    assertThat(url)
        .matches("http://[a-z2-7]{26}\\.preview\\.localhost:" + router.previewPort() + "/");
    browser.get(url);
    awaitPageLoaded();
    assertThat(text("title")).isEqualTo("laptop");
    run.leave("i-preview-cli");

    // rules without an exact header: the intercept works, the preview cannot, and it says why
    InterceptRun regex =
        new InterceptRun(
            "--id", "i-preview-regex", "--header-regex", "x-sidetrack-id=bob.*", "--preview");
    await().atMost(Duration.ofSeconds(60)).until(() -> regex.out.toString().contains("Relaying;"));
    assertThat(regex.out.toString()).doesNotContain("Preview URL");
    assertThat(regex.err.toString())
        .contains(
            "sidetrack: warning: no preview URL: the intercept's rules have no exact header for a"
                + " preview to add (--header NAME=VALUE)");
    regex.leave("i-preview-regex");
  }

  @Test
  void aTunnelThatComesBackForItsInterceptFindsItsPreviewUrlAsItWas() throws Exception {
    Laptop first = new Laptop("i-preview-again", "alice-again", PreviewAccess.PUBLIC);
    String url = first.start();
    first.crash();
    Laptop again = new Laptop("i-preview-again", "alice-again", PreviewAccess.PUBLIC);
    assertThat(again.start()).isEqualTo(url);
    laptopSaw.clear();
    browser.get(url);
    awaitPageLoaded();
    assertThat(text("title")).isEqualTo("laptop");
    assertThat(laptopSaw)
        .contains("GET / id=alice-again baggage=sidetrack-id=alice-again cookie=null");
    again.leave();
  }
}
