package io.sidetrack.loadtest.dataplane;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The anchors, configured for the same header routing as the agent: nginx ({@code map}) and HAProxy
 * ({@code map} file), plus the backend (nginx answering as the app and as the tunnel).
 */
final class Anchors {
  private Anchors() {}

  static Process backend(Path dir, int appPort, int tunnelPort) throws IOException {
    String conf =
        """
        worker_processes 1;
        pid %1$s/backend.pid;
        error_log %1$s/backend-error.log;
        events { worker_connections 4096; }
        http {
          access_log off;
          client_body_temp_path %1$s/tmp;
          keepalive_requests 1000000;
          server { listen 127.0.0.1:%2$d; location / { return 200 "app\\n"; } }
          server { listen 127.0.0.1:%3$d; location / { return 200 "tunnel\\n"; } }
        }
        """
            .formatted(dir, appPort, tunnelPort);
    return nginx(dir, "backend.conf", conf);
  }

  /** nginx routing on the header: values in the map go to the tunnel, the rest to the app. */
  static Process nginxProxy(Path dir, int port, int appPort, int tunnelPort, List<String> values)
      throws IOException {
    Path map = dir.resolve("nginx-routes.map");
    List<String> lines = new ArrayList<>();
    for (String v : values) {
      lines.add("\"" + v + "\" tunnel;");
    }
    Files.write(map, lines);
    String conf =
        """
        worker_processes 2;
        pid %1$s/proxy.pid;
        error_log %1$s/proxy-error.log;
        events { worker_connections 4096; }
        http {
          access_log off;
          client_body_temp_path %1$s/tmp;
          proxy_temp_path %1$s/tmp;
          keepalive_requests 1000000;
          map_hash_max_size 262144;
          map_hash_bucket_size 128;
          map $http_x_sidetrack_id $target { default app; include %2$s; }
          upstream app { server 127.0.0.1:%4$d; keepalive 128; }
          upstream tunnel { server 127.0.0.1:%5$d; keepalive 128; }
          server {
            listen 127.0.0.1:%3$d;
            location / {
              proxy_http_version 1.1;
              proxy_set_header Connection "";
              proxy_pass http://$target;
            }
          }
        }
        """
            .formatted(dir, map, port, appPort, tunnelPort);
    return nginx(dir, "proxy.conf", conf);
  }

  /** HAProxy routing on the header through a map file. */
  static Process haproxy(Path dir, int port, int appPort, int tunnelPort, List<String> values)
      throws IOException {
    Path map = dir.resolve("haproxy-routes.map");
    List<String> lines = new ArrayList<>();
    for (String v : values) {
      lines.add(v + " tunnel");
    }
    Files.write(map, lines);
    String cfg =
        """
        global
          nbthread 2
          maxconn 4000
        defaults
          mode http
          timeout connect 5s
          timeout client 30s
          timeout server 30s
          http-reuse always
        frontend fe
          bind 127.0.0.1:%1$d
          default_backend app
          use_backend %%[req.hdr(x-sidetrack-id),map(%2$s,app)]
        backend app
          server app 127.0.0.1:%3$d
        backend tunnel
          server tunnel 127.0.0.1:%4$d
        """
            .formatted(port, map, appPort, tunnelPort);
    Path file = dir.resolve("haproxy.cfg");
    Files.writeString(file, cfg);
    return new ProcessBuilder("haproxy", "-f", file.toString())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("haproxy.log").toFile())
        .start();
  }

  private static Process nginx(Path dir, String name, String conf) throws IOException {
    Files.createDirectories(dir.resolve("tmp"));
    Path file = dir.resolve(name);
    Files.writeString(file, conf);
    return new ProcessBuilder("nginx", "-c", file.toString(), "-g", "daemon off;")
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve(name + ".log").toFile())
        .start();
  }
}
