package io.sidetrack.edge.conformance;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * nginx as a reverse proxy in front of the recording origin: a child process with its own
 * configuration, logs and pid in a temporary directory, on a free loopback port. It is the
 * reference the agent is compared with, configured as a plain HTTP/1.1 reverse proxy that passes
 * the client's {@code Host} on.
 */
final class NginxFront implements AutoCloseable {
  private final Path dir;
  private final Process process;
  private final int port;

  private NginxFront(Path dir, Process process, int port) {
    this.dir = dir;
    this.process = process;
    this.port = port;
  }

  /** The nginx binary, or an {@link AssertionError} saying to install it. */
  static String binary() {
    for (String candidate : new String[] {"/usr/sbin/nginx", "/usr/bin/nginx"}) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String d : path.split(":")) {
        if (Files.isExecutable(Path.of(d, "nginx"))) {
          return Path.of(d, "nginx").toString();
        }
      }
    }
    throw new AssertionError(
        "nginx not found: install it (apt-get install nginx-light) to run the conformance test");
  }

  static NginxFront start(int originPort) throws IOException, InterruptedException {
    String nginx = binary();
    Path dir = Files.createTempDirectory("sidetrack-nginx");
    int port = freePort();
    boolean root = "root".equals(System.getProperty("user.name"));
    String d = dir.toString();
    String conf =
        (root ? "user root;\n" : "")
            + "worker_processes 1;\n"
            + "error_log "
            + d
            + "/error.log info;\n"
            + "pid "
            + d
            + "/nginx.pid;\n"
            + "events { worker_connections 256; }\n"
            + "http {\n"
            + "  access_log "
            + d
            + "/access.log;\n"
            + "  client_body_temp_path "
            + d
            + "/body;\n"
            + "  proxy_temp_path "
            + d
            + "/proxy;\n"
            + "  fastcgi_temp_path "
            + d
            + "/fastcgi;\n"
            + "  uwsgi_temp_path "
            + d
            + "/uwsgi;\n"
            + "  scgi_temp_path "
            + d
            + "/scgi;\n"
            + "  server {\n"
            + "    listen 127.0.0.1:"
            + port
            + ";\n"
            + "    location / {\n"
            + "      proxy_pass http://127.0.0.1:"
            + originPort
            + ";\n"
            + "      proxy_http_version 1.1;\n"
            + "      proxy_request_buffering off;\n"
            + "      proxy_buffering off;\n"
            + "      proxy_set_header Host $http_host;\n"
            + "    }\n"
            + "  }\n"
            + "}\n";
    Files.writeString(dir.resolve("nginx.conf"), conf);
    Process p =
        new ProcessBuilder(nginx, "-p", d, "-c", d + "/nginx.conf", "-g", "daemon off;")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("stdout.log").toFile())
            .start();
    NginxFront front = new NginxFront(dir, p, port);
    Instant until = Instant.now().plus(Duration.ofSeconds(20));
    while (Instant.now().isBefore(until)) {
      if (!p.isAlive()) {
        throw new AssertionError(
            "nginx exited at start: " + Files.readString(dir.resolve("stdout.log")));
      }
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
        return front;
      } catch (IOException notYet) {
        Thread.sleep(50); // a child process's port: nothing to await but the port itself
      }
    }
    front.close();
    throw new AssertionError("nginx did not listen on " + port + " within 20 s");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  int port() {
    return port;
  }

  Path dir() {
    return dir;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
