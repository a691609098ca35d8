package io.sidetrack.router.preview;

import static java.util.Objects.requireNonNull;

import io.sidetrack.tunnel.PreviewAccess;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One live preview: the intercept it belongs to and its owner, where its requests go and with which
 * header, who may open it, and the sign-in sessions opened on it (which die with it). Safe on any
 * thread.
 */
public final class Preview {
  /** Sign-in sessions kept per preview; the oldest goes first. */
  static final int MAX_SESSIONS = 1_000;

  private final String code;
  private final String interceptId;
  private final String owner;
  private final String workload;
  private final PreviewUpstream upstream;
  private final String headerName;
  private final String headerValue;
  private volatile PreviewAccess access;
  private final Map<String, Boolean> sessions =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
          return size() > MAX_SESSIONS;
        }
      };

  Preview(
      String code,
      String interceptId,
      String owner,
      String workload,
      PreviewUpstream upstream,
      String headerName,
      String headerValue,
      PreviewAccess access) {
    this.code = requireNonNull(code, "code");
    this.interceptId = requireNonNull(interceptId, "interceptId");
    this.owner = requireNonNull(owner, "owner");
    this.workload = requireNonNull(workload, "workload");
    this.upstream = requireNonNull(upstream, "upstream");
    this.headerName = requireNonNull(headerName, "headerName");
    this.headerValue = requireNonNull(headerValue, "headerValue");
    this.access = requireNonNull(access, "access");
  }

  String code() {
    return code;
  }

  public String interceptId() {
    return interceptId;
  }

  /** The intercept's owner: the one identity a token preview admits. */
  public String owner() {
    return owner;
  }

  public String workload() {
    return workload;
  }

  /** The workload's entry point its requests go to. */
  PreviewUpstream upstream() {
    return upstream;
  }

  /** The header the intercept takes, added to each request. */
  String headerName() {
    return headerName;
  }

  String headerValue() {
    return headerValue;
  }

  public PreviewAccess access() {
    return access;
  }

  void access(PreviewAccess access) {
    this.access = requireNonNull(access, "access");
  }

  /** Records a signed-in visitor's cookie value. */
  synchronized void addSession(String value) {
    sessions.put(value, Boolean.TRUE);
  }

  /** Whether {@code value} is the cookie of a visitor who signed in on this preview. */
  synchronized boolean hasSession(String value) {
    // a lookup by the value itself: no byte-by-byte comparison to time
    return value != null && sessions.containsKey(value);
  }
}
