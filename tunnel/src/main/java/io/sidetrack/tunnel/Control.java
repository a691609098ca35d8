package io.sidetrack.tunnel;

/**
 * The control messages of a tunnel: JSON text messages beside the binary frames of the streams.
 *
 * <pre>
 * CLI → router   {"type":"intercept", ...InterceptSpec}      once, first
 *                {"type":"leave"}                              the developer leaves
 * router → CLI   {"type":"hello","owner":..,"router":..}       on connect
 *                {"type":"status","state":"pending","detail":..}
 *                {"type":"status","state":"active","id":..,"agents":N}
 *                {"type":"status","state":"rejected","reason":..}   then the router closes
 *                {"type":"status","state":"removed","reason":..}    someone else removed it
 *                {"type":"left"}                               the tombstone is written
 * </pre>
 */
public final class Control {
  private Control() {}

  public static final String INTERCEPT = "intercept";
  public static final String LEAVE = "leave";
  public static final String HELLO = "hello";
  public static final String STATUS = "status";
  public static final String LEFT = "left";

  public static final String PENDING = "pending";
  public static final String ACTIVE = "active";
  public static final String REJECTED = "rejected";
  public static final String REMOVED = "removed";

  /** The tunnel endpoint's path on the router. */
  public static final String PATH = "/v1/tunnel";
}
