package io.sidetrack.router.preview;

import io.sidetrack.core.SidetrackId;
import io.sidetrack.tunnel.EndToEndHeaders;
import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The fields of a preview's request as they go to the workload: the visitor's end-to-end fields (by
 * the one hop-by-hop policy) minus the sign-in cookie, plus the intercept's header (replacing any
 * the visitor sent) and its {@code sidetrack-id} baggage member.
 */
final class PreviewHeaders {
  /**
   * Not copied as they came: {@code Host} goes as the request's authority, {@code Expect} is
   * answered here, the cookie and baggage fields are rewritten.
   */
  private static final Set<String> REWRITTEN = Set.of("host", "expect", "cookie", "baggage");

  private PreviewHeaders() {}

  /** The fields to send upstream for a request with fields {@code from}. */
  static MultiMap forUpstream(
      MultiMap from, boolean upgrade, String headerName, String headerValue) {
    MultiMap to = MultiMap.caseInsensitiveMultiMap();
    EndToEndHeaders.copy(from, to, upgrade, union(REWRITTEN, headerName.toLowerCase(Locale.ROOT)));
    String cookies = PreviewCookie.without(from.getAll("cookie"));
    if (cookies != null) {
      to.set("cookie", cookies);
    }
    to.set(headerName, headerValue);
    to.set(
        "baggage", withBaggageMember(from.getAll("baggage"), SidetrackId.BAGGAGE_KEY, headerValue));
    return to;
  }

  private static Set<String> union(Set<String> names, String name) {
    java.util.HashSet<String> all = new java.util.HashSet<>(names);
    all.add(name);
    return all;
  }

  /**
   * One {@code baggage} field (W3C Baggage): the members of {@code fields} but any named {@code
   * key}, then {@code key=value} (percent-encoded where the value's characters are not allowed).
   */
  static String withBaggageMember(List<String> fields, String key, String value) {
    List<String> members = new ArrayList<>();
    for (String field : fields) {
      for (String member : field.split(",")) {
        String m = member.trim();
        if (m.isEmpty()) {
          continue;
        }
        int eq = m.indexOf('=');
        String k = (eq < 0 ? m : m.substring(0, eq)).trim();
        if (!k.equals(key)) {
          members.add(m);
        }
      }
    }
    members.add(key + "=" + io.sidetrack.core.baggage.BaggageBridge.encode(value));
    return String.join(",", members);
  }
}
