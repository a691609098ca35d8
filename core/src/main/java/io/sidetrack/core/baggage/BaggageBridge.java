package io.sidetrack.core.baggage;

import static java.util.Objects.requireNonNull;

import io.sidetrack.core.AnyOf;
import io.sidetrack.core.BaggageMatch;
import io.sidetrack.core.HeaderMatch;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.SidetrackId;
import io.sidetrack.core.routing.Route;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Baggage bridging, the edge agent's one policy for it as pure functions: which id a request
 * carries on ({@link #idFor}), and how the W3C Baggage member {@value SidetrackId#BAGGAGE_KEY}
 * {@code =id} joins the request's {@code baggage} fields ({@link #merge}). Both agent paths (the
 * byte-level front and the Vert.x proxy) ask here, so an app running the OpenTelemetry agent gets
 * the same member whichever path its request took, and carries it to its own downstream calls.
 *
 * <p>The id: the request's first non-empty {@value SidetrackId#HEADER} value when it has one; else,
 * for a request going to its route's router, that route's own value: its exact {@value
 * SidetrackId#BAGGAGE_KEY} baggage condition (required or an any-of alternative), else its exact
 * {@value SidetrackId#HEADER} header condition, else the route's owner. A request that goes to the
 * app, matched or not (a fallback is served as if its intercept were not there), is bridged only
 * from its header.
 *
 * <p>The merge, after <a href="https://www.w3.org/TR/baggage/">W3C Baggage</a>:
 *
 * <ul>
 *   <li>A request that carries a {@value SidetrackId#BAGGAGE_KEY} member, whatever its value, is
 *       left alone. Members are found leniently, as routing finds them: each comma-separated
 *       element whose key (before {@code =} or {@code ;}, OWS trimmed) is exactly {@value
 *       SidetrackId#BAGGAGE_KEY} (keys are case-sensitive).
 *   <li>Several {@code baggage} fields are one list (RFC 9110 section 5.3), so appending to the
 *       last field and adding a field give the same list; the member is appended to the last field,
 *       so a request with one field keeps one (an app that reads one {@code baggage} value sees
 *       it), and a request without any gets one field. Every other member, its properties and their
 *       order stay byte for byte as they came.
 *   <li>The value is UTF-8, percent-encoded where it is not a {@code baggage-octet}, {@code %}
 *       included, so it decodes to the id again.
 *   <li>Limits: nothing is added when the list would then exceed {@value #MAX_MEMBERS} members or
 *       {@value #MAX_BYTES} bytes (the sizes every platform must propagate, so one that propagates
 *       no more still carries the whole list), or when the request's head would outgrow what the
 *       agent's path accepts ({@code headRoom}).
 *   <li>A malformed list is not fixed, and the member is still appended as its own list element: a
 *       comma ends whatever came before it, so the element cannot change the meaning of the members
 *       before it, and a lenient parser (routing's, OpenTelemetry's) still finds it. Its elements
 *       count toward the limits as they are.
 * </ul>
 */
public final class BaggageBridge {
  /** Members of a list every platform must propagate (W3C Baggage, Limits). */
  public static final int MAX_MEMBERS = 64;

  /** Bytes of a list every platform must propagate (W3C Baggage, Limits). */
  public static final int MAX_BYTES = 8192;

  private static final String KEY_EQUALS = SidetrackId.BAGGAGE_KEY + "=";
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private BaggageBridge() {}

  /** What bridging does to one request's baggage. */
  public enum Outcome {
    /** The member is added. */
    ADDED("added"),
    /** The request carries the member already: left alone. */
    PRESENT("present"),
    /** The list would exceed {@value #MAX_MEMBERS} members: left alone. */
    TOO_MANY_MEMBERS("too-many-members"),
    /** The list would exceed {@value #MAX_BYTES} bytes: left alone. */
    TOO_LARGE("too-large"),
    /** The request's head would outgrow the agent's limit: left alone. */
    HEAD_TOO_LARGE("head-too-large");

    private final String label;

    Outcome(String label) {
      this.label = label;
    }

    /** The outcome as metrics tag it. */
    public String label() {
      return label;
    }
  }

  /**
   * What {@link #merge} decided.
   *
   * @param outcome whether the member is added, and why not
   * @param field when added: the index of the {@code baggage} field it is appended to, or -1 for a
   *     new {@code baggage} field (the request had none)
   * @param text when added: what goes at the end of that field's value ({@code ,} and the member,
   *     or the member alone after an empty value or a trailing comma), or the new field's whole
   *     value; else null
   */
  public record Merge(Outcome outcome, int field, String text) {
    public Merge {
      requireNonNull(outcome, "outcome");
      if ((outcome == Outcome.ADDED) != (text != null)) {
        throw new IllegalArgumentException("text goes with an added member only");
      }
    }

    private static Merge not(Outcome outcome) {
      return new Merge(outcome, -1, null);
    }

    /** Whether the member is added. */
    public boolean added() {
      return outcome == Outcome.ADDED;
    }

    /** {@code fields} (the values {@link #merge} was given) as they go on: with the member. */
    public List<String> applyTo(List<String> fields) {
      requireNonNull(fields, "fields");
      if (!added()) {
        return List.copyOf(fields);
      }
      if (field < 0) {
        List<String> out = new ArrayList<>(fields);
        out.add(text);
        return List.copyOf(out);
      }
      List<String> out = new ArrayList<>(fields);
      out.set(field, fields.get(field) + text);
      return List.copyOf(out);
    }
  }

  /**
   * How the member {@code id} joins a request's {@code baggage} fields.
   *
   * @param fields the values of the request's {@code baggage} fields in order, OWS trimmed, one
   *     char per octet (as HTTP parsers give them); empty when it has none
   * @param id the id to bridge (any Unicode; it is percent-encoded here)
   * @param headRoom how many bytes the request's head may still grow by on the agent's path
   */
  public static Merge merge(List<String> fields, String id, int headRoom) {
    requireNonNull(fields, "fields");
    requireNonNull(id, "id");
    int members = 0;
    long octets = 0; // of the fields' values; the list also has a comma between two of them
    int nonEmpty = 0;
    for (String field : fields) {
      octets += field.length();
      nonEmpty += field.isEmpty() ? 0 : 1;
      int start = 0;
      while (start <= field.length()) {
        int comma = field.indexOf(',', start);
        int end = comma < 0 ? field.length() : comma;
        int s = skipOws(field, start, end);
        if (s < end) {
          members++;
          if (isBridgedKey(field, s, end)) {
            return Merge.not(Outcome.PRESENT);
          }
        }
        start = end + 1;
      }
    }
    String member = member(id);
    int field = fields.size() - 1;
    String text;
    long after;
    if (field < 0) {
      text = member;
      after = member.length();
    } else {
      String last = fields.get(field);
      text = last.isEmpty() || endsWithComma(last) ? member : "," + member;
      int nonEmptyAfter = nonEmpty + (last.isEmpty() ? 1 : 0);
      after = octets + text.length() + (nonEmptyAfter - 1);
    }
    if (members + 1 > MAX_MEMBERS) {
      return Merge.not(Outcome.TOO_MANY_MEMBERS);
    }
    if (after > MAX_BYTES) {
      return Merge.not(Outcome.TOO_LARGE);
    }
    int grows = field < 0 ? "baggage: ".length() + text.length() + 2 : text.length();
    if (grows > headRoom) {
      return Merge.not(Outcome.HEAD_TOO_LARGE);
    }
    return new Merge(Outcome.ADDED, field, text);
  }

  /** The member {@code sidetrack-id=<id, percent-encoded>}. */
  public static String member(String id) {
    return KEY_EQUALS + encode(requireNonNull(id, "id"));
  }

  /**
   * {@code value} as a W3C baggage value: its UTF-8 octets, each that is not a {@code
   * baggage-octet} (controls, space, {@code " , ; \}, DEL, non-ASCII), and {@code %} itself,
   * percent-encoded in upper-case hex (RFC 3986 section 2.1).
   */
  public static String encode(String value) {
    requireNonNull(value, "value");
    byte[] octets = value.getBytes(StandardCharsets.UTF_8);
    StringBuilder out = null;
    for (int i = 0; i < octets.length; i++) {
      int b = octets[i] & 0xff;
      boolean plain = isBaggageOctet(b) && b != '%';
      if (out == null) {
        if (plain) {
          continue;
        }
        out = new StringBuilder(octets.length + 16);
        out.append(value, 0, i); // the octets before are ASCII: one char each
      }
      if (plain) {
        out.append((char) b);
      } else {
        out.append('%').append(HEX[b >> 4]).append(HEX[b & 0xf]);
      }
    }
    return out == null ? value : out.toString();
  }

  /** {@code baggage-octet = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E}. */
  private static boolean isBaggageOctet(int b) {
    return b == 0x21
        || b >= 0x23 && b <= 0x2B
        || b >= 0x2D && b <= 0x3A
        || b >= 0x3C && b <= 0x5B
        || b >= 0x5D && b <= 0x7E;
  }

  /**
   * The id a request carries on, or null when it is bridged nothing.
   *
   * @param idHeaderValues the request's {@value SidetrackId#HEADER} values in order, one char per
   *     octet (as HTTP parsers give them)
   * @param served the route whose router the request goes to, or null when it goes to the app
   *     (matched or not)
   */
  public static String idFor(List<String> idHeaderValues, Route served) {
    requireNonNull(idHeaderValues, "idHeaderValues");
    for (String value : idHeaderValues) {
      if (!value.isEmpty()) {
        return headerText(value);
      }
    }
    if (served == null) {
      return null;
    }
    String own = routeId(served.match());
    if (own != null) {
      return own;
    }
    return served.owner().isEmpty() ? null : served.owner();
  }

  /**
   * The value the rules themselves take a request by: their exact {@value SidetrackId#BAGGAGE_KEY}
   * baggage condition, else their exact {@value SidetrackId#HEADER} header condition, required ones
   * before any-of alternatives; null when they have neither.
   */
  private static String routeId(MatchRules rules) {
    for (BaggageMatch b : rules.baggage()) {
      if (b.key().equals(SidetrackId.BAGGAGE_KEY) && !b.value().isEmpty()) {
        return b.value();
      }
    }
    for (AnyOf group : rules.anyOf()) {
      for (BaggageMatch b : group.baggage()) {
        if (b.key().equals(SidetrackId.BAGGAGE_KEY) && !b.value().isEmpty()) {
          return b.value();
        }
      }
    }
    String header = exactIdHeader(rules.headers());
    if (header != null) {
      return header;
    }
    for (AnyOf group : rules.anyOf()) {
      header = exactIdHeader(group.headers());
      if (header != null) {
        return header;
      }
    }
    return null;
  }

  private static String exactIdHeader(List<HeaderMatch> headers) {
    for (HeaderMatch h : headers) {
      if (h.kind() == HeaderMatch.Kind.EXACT
          && h.name().equals(SidetrackId.HEADER)
          && !h.value().isEmpty()) {
        return h.value();
      }
    }
    return null;
  }

  /**
   * A header value given one char per octet, as text: its octets read as UTF-8 when they are valid
   * UTF-8 (what a client sends for a non-ASCII id), else each octet as its own character
   * (ISO-8859-1, HTTP's historical reading of obs-text), so no octet is lost either way.
   */
  public static String headerText(String octets) {
    requireNonNull(octets, "octets");
    boolean ascii = true;
    for (int i = 0; i < octets.length() && ascii; i++) {
      ascii = octets.charAt(i) < 0x80;
    }
    if (ascii) {
      return octets;
    }
    byte[] raw = octets.getBytes(StandardCharsets.ISO_8859_1);
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(raw))
          .toString();
    } catch (CharacterCodingException e) {
      return octets;
    }
  }

  private static boolean isBridgedKey(String field, int s, int end) {
    int keyEnd = s;
    while (keyEnd < end && field.charAt(keyEnd) != '=' && field.charAt(keyEnd) != ';') {
      keyEnd++;
    }
    keyEnd = trimOws(field, s, keyEnd);
    return field.regionMatches(s, SidetrackId.BAGGAGE_KEY, 0, SidetrackId.BAGGAGE_KEY.length())
        && keyEnd - s == SidetrackId.BAGGAGE_KEY.length();
  }

  private static boolean endsWithComma(String field) {
    int e = trimOws(field, 0, field.length());
    return e > 0 && field.charAt(e - 1) == ',';
  }

  private static int skipOws(String s, int from, int to) {
    while (from < to && (s.charAt(from) == ' ' || s.charAt(from) == '\t')) {
      from++;
    }
    return from;
  }

  private static int trimOws(String s, int from, int to) {
    while (to > from && (s.charAt(to - 1) == ' ' || s.charAt(to - 1) == '\t')) {
      to--;
    }
    return to;
  }
}
