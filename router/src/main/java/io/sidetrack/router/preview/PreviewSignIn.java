package io.sidetrack.router.preview;

import static java.util.Objects.requireNonNull;

import io.sidetrack.tunnel.PreviewAccess;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Who may open a preview. A public one: anyone with the link. A token one: its intercept's owner,
 * who signed in on its host with a token of the router that is theirs (a tokens-file token or a
 * JWT), and holds the session cookie that gave them; another developer's token is refused (403). A
 * navigation without a session gets the sign-in form; a script's request (fetch, XHR) a plain 401.
 */
final class PreviewSignIn {
  /** Where the sign-in form posts, on every preview host with token access. */
  public static final String PATH = "/.sidetrack/preview/sign-in";

  /** A sign-in form is a token and a path: anything longer is refused. */
  static final int MAX_FORM = 8 * 1024;

  private final Function<String, Future<String>> identityOf;
  private final PreviewCodes codes;
  private final boolean secureCookies;

  /**
   * @param identityOf the identity a token of the router is of; a failed future (with the reason)
   *     for any other token
   * @param secureCookies whether the cookie gets {@code Secure} (the listener has TLS)
   */
  public PreviewSignIn(
      Function<String, Future<String>> identityOf, PreviewCodes codes, boolean secureCookies) {
    this.identityOf = requireNonNull(identityOf, "identityOf");
    this.codes = requireNonNull(codes, "codes");
    this.secureCookies = secureCookies;
  }

  /**
   * Answers {@code req} itself when it is about signing in to {@code preview} (the form's post, or
   * a visitor who may not see the preview yet); returns false when the request may go on to the
   * workload.
   */
  boolean answers(Preview preview, HttpServerRequest req) {
    if (preview.access() == PreviewAccess.PUBLIC) {
      return false;
    }
    if (req.path().equals(PATH)) {
      if (req.method() == HttpMethod.POST) {
        signIn(preview, req);
      } else {
        PreviewPages.signIn(req.response(), preview.workload(), "/", null);
      }
      return true;
    }
    for (String value : PreviewCookie.values(req.headers().getAll(HttpHeaders.COOKIE))) {
      if (preview.hasSession(value)) {
        return false;
      }
    }
    if (isNavigation(req.headers())) {
      PreviewPages.signIn(req.response(), preview.workload(), req.uri(), null);
    } else {
      PreviewPages.signInFirst(req.response());
    }
    return true;
  }

  private void signIn(Preview preview, HttpServerRequest req) {
    Buffer form = Buffer.buffer();
    boolean[] tooLong = {false};
    req.handler(
        chunk -> {
          if (form.length() + chunk.length() > MAX_FORM) {
            if (!tooLong[0]) {
              tooLong[0] = true;
              req.response()
                  .setStatusCode(413)
                  .putHeader(HttpHeaders.CONNECTION, "close")
                  .end("sign-in form too long\n");
            }
            return;
          }
          form.appendBuffer(chunk);
        });
    req.endHandler(
        v -> {
          if (tooLong[0]) {
            return;
          }
          Map<String, String> fields = formFields(form.toString(StandardCharsets.UTF_8));
          String next = safeNext(fields.get("next"));
          String token = fields.getOrDefault("token", "").trim();
          if (token.isEmpty()) {
            PreviewPages.signIn(req.response(), preview.workload(), next, "Enter a token.");
            return;
          }
          identityOf
              .apply(token)
              .onComplete(
                  who -> {
                    if (who.failed()) {
                      PreviewPages.signIn(
                          req.response(),
                          preview.workload(),
                          next,
                          "That token is not one of this router's: " + who.cause().getMessage());
                    } else if (!who.result().equals(preview.owner())) {
                      PreviewPages.notTheOwner(req.response(), preview.owner(), who.result());
                    } else {
                      String session = codes.newSessionValue();
                      preview.addSession(session);
                      req.response()
                          .setStatusCode(303)
                          .putHeader(HttpHeaders.LOCATION, next)
                          .putHeader(
                              HttpHeaders.SET_COOKIE, PreviewCookie.set(session, secureCookies))
                          .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                          .end();
                    }
                  });
        });
  }

  /**
   * Whether a request is a browser's navigation (it shows a page), not a script's request: {@code
   * Sec-Fetch-Mode: navigate}, or without Fetch Metadata, one that accepts HTML.
   */
  static boolean isNavigation(MultiMap headers) {
    String mode = headers.get("sec-fetch-mode");
    if (mode != null) {
      return mode.equalsIgnoreCase("navigate");
    }
    String accept = headers.get(HttpHeaders.ACCEPT);
    return accept != null && accept.contains("text/html");
  }

  /** Where to go after signing in: a path on this host, else {@code /} (no open redirect). */
  static String safeNext(String next) {
    if (next == null
        || !next.startsWith("/")
        || next.startsWith("//")
        || next.startsWith("/\\")
        || next.chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
      return "/";
    }
    return next;
  }

  /** The fields of an {@code application/x-www-form-urlencoded} body; the first of a name wins. */
  static Map<String, String> formFields(String body) {
    Map<String, String> fields = new HashMap<>();
    for (String pair : body.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      try {
        String name =
            URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String value =
            eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        fields.putIfAbsent(name, value);
      } catch (IllegalArgumentException malformed) {
        // a bad escape: the field is left out
      }
    }
    return fields;
  }
}
