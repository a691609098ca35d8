package io.sidetrack.edge.proxy;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.util.List;
import java.util.Locale;

/**
 * What makes an HTTP/1.x request one the full proxy will not forward (400 before any of its body is
 * read), as the fast front and nginx refuse it: a {@code Host} missing or repeated on 1.1, or not a
 * host and port (RFC 9112 section 3.2); framing other than one final {@code chunked} or beside a
 * {@code Content-Length}, or chunked in 1.0 (RFC 9112 section 6.1); an empty field name (RFC 9110
 * section 5.1); control bytes in the target (RFC 9112 section 3.2).
 */
final class RequestChecks {
  private RequestChecks() {}

  /** Why {@code req} is refused, or {@code null} when it may go on. */
  static String problem(HttpServerRequest req) {
    if (req.version() == HttpVersion.HTTP_2) {
      return null; // HTTP/2 framing and pseudo-headers are checked by its codec
    }
    String target = targetProblem(req.uri());
    if (target != null) {
      return target;
    }
    if (req.headers().contains("")) {
      return "a field with an empty name";
    }
    String host = hostProblem(req.headers().getAll(HttpHeaders.HOST), req.version());
    if (host != null) {
      return host;
    }
    return framingProblem(req);
  }

  private static String targetProblem(String target) {
    for (int i = 0; i < target.length(); i++) {
      char c = target.charAt(i);
      if (c <= ' ' || c == 0x7f) {
        return "a control byte or space in the request target";
      }
    }
    return null;
  }

  private static String hostProblem(List<String> hosts, HttpVersion version) {
    if (hosts.isEmpty()) {
      return version == HttpVersion.HTTP_1_1 ? "no Host field" : null;
    }
    if (hosts.size() > 1) {
      return "more than one Host field";
    }
    String host = hosts.get(0);
    if (host.isEmpty()) {
      return "an empty Host field";
    }
    for (int i = 0; i < host.length(); i++) {
      if (!isHostChar(host.charAt(i))) {
        return "a Host field that is not host[:port]";
      }
    }
    return null;
  }

  /** RFC 3986 uri-host and port: unreserved, pct-encoded, sub-delims, ':' and IP literals. */
  private static boolean isHostChar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || "-._~%!$&'()*+,;=:[]".indexOf(c) >= 0;
  }

  private static String framingProblem(HttpServerRequest req) {
    List<String> codings = req.headers().getAll(HttpHeaders.TRANSFER_ENCODING);
    if (codings.isEmpty()) {
      return null;
    }
    if (req.version() != HttpVersion.HTTP_1_1) {
      return "Transfer-Encoding in an HTTP/1.0 request";
    }
    if (req.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
      return "both Content-Length and Transfer-Encoding";
    }
    int chunked = 0;
    for (String field : codings) {
      for (String coding : field.split(",", -1)) {
        if (!coding.trim().toLowerCase(Locale.ROOT).equals("chunked")) {
          return "a Transfer-Encoding other than chunked";
        }
        chunked++;
      }
    }
    return chunked == 1 ? null : "chunked more than once";
  }
}
