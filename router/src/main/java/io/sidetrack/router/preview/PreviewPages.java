package io.sidetrack.router.preview;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

/**
 * The small pages the preview listener answers itself: sign-in, an ended or unknown preview, a host
 * that is not a preview, an unreachable workload. None is cached, framed or sends a referrer (the
 * URL holds the code).
 */
final class PreviewPages {
  private PreviewPages() {}

  /** 410: the intercept behind this preview ended. */
  static void ended(HttpServerResponse res) {
    page(
        res,
        410,
        "Preview ended",
        "<p>The intercept behind this preview ended (the developer left, or its lease ran out),"
            + " so this link no longer leads anywhere. Ask for a new one.</p>");
  }

  /** 404: no preview has this code. */
  static void unknown(HttpServerResponse res) {
    page(
        res,
        404,
        "No such preview",
        "<p>This router knows no preview at this address. Check the link you were given.</p>");
  }

  /** 421: the host is not a preview host of this listener. */
  static void notAPreviewHost(HttpServerResponse res, String domain) {
    page(
        res,
        421,
        "Not a preview host",
        "<p>This listener serves only preview hosts <code>&lt;code&gt;."
            + escape(domain)
            + "</code>.</p>");
  }

  /** 502: the workload's entry point did not answer. */
  static void upstreamDown(HttpServerResponse res, String workload) {
    page(
        res,
        502,
        "Workload unreachable",
        "<p>The preview could not reach workload <code>"
            + escape(workload)
            + "</code>. Try again in a moment.</p>");
  }

  /** 504: the workload took too long to answer. */
  static void upstreamSlow(HttpServerResponse res, String workload) {
    page(
        res,
        504,
        "Workload too slow",
        "<p>Workload <code>" + escape(workload) + "</code> did not answer in time.</p>");
  }

  /**
   * 401: the sign-in form for a preview of {@code workload}; {@code next} is where to go after,
   * {@code reason} (or null) why the last try failed.
   */
  static void signIn(HttpServerResponse res, String workload, String next, String reason) {
    String error =
        reason == null ? "" : "<p class=\"error\" role=\"alert\">" + escape(reason) + "</p>";
    page(
        res,
        401,
        "Sign in to this preview",
        "<p>This preview of workload <code>"
            + escape(workload)
            + "</code> is open to its owner: sign in with your token of its Sidetrack router.</p>"
            + error
            + "<form method=\"post\" action=\""
            + PreviewSignIn.PATH
            + "\">"
            + "<input type=\"hidden\" name=\"next\" value=\""
            + escape(next)
            + "\">"
            + "<label>Token <input type=\"password\" name=\"token\" id=\"token\""
            + " autocomplete=\"current-password\" required autofocus></label> "
            + "<button type=\"submit\" id=\"sign-in\">Sign in</button>"
            + "</form>");
  }

  /** 403: a token preview admits only its intercept's owner, and {@code who} is someone else. */
  static void notTheOwner(HttpServerResponse res, String owner, String who) {
    page(
        res,
        403,
        "Not your preview",
        "<p class=\"error\" role=\"alert\">This preview is open only to its owner, "
            + escape(owner)
            + "; the token is of "
            + escape(who)
            + ".</p>");
  }

  /** 401 to a script's request (fetch, XHR) without a session: no form, one line. */
  static void signInFirst(HttpServerResponse res) {
    headers(res, 401)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
        .end("sign in first: open this preview's URL in the browser\n");
  }

  private static void page(HttpServerResponse res, int status, String title, String body) {
    headers(res, status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
        .end(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>"
                + escape(title)
                + "</title></head><body><h1>"
                + escape(title)
                + "</h1>"
                + body
                + "<p><small>Sidetrack preview</small></p></body></html>\n");
  }

  private static HttpServerResponse headers(HttpServerResponse res, int status) {
    return res.setStatusCode(status)
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .putHeader("x-content-type-options", "nosniff")
        .putHeader("x-frame-options", "DENY")
        .putHeader("referrer-policy", "no-referrer");
  }

  static String escape(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
