package io.sidetrack.core.baggage;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidetrack.core.AnyOf;
import io.sidetrack.core.BaggageMatch;
import io.sidetrack.core.FailureMode;
import io.sidetrack.core.HeaderMatch;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.baggage.BaggageBridge.Merge;
import io.sidetrack.core.baggage.BaggageBridge.Outcome;
import io.sidetrack.core.routing.RequestView;
import io.sidetrack.core.routing.Route;
import io.sidetrack.core.routing.RouteTable;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class BaggageBridgeTest {
  private static final int ROOM = 16 * 1024;

  private static List<String> merged(List<String> fields, String id) {
    Merge m = BaggageBridge.merge(fields, id, ROOM);
    assertThat(m.outcome()).as("%s", fields).isEqualTo(Outcome.ADDED);
    return m.applyTo(fields);
  }

  private static Outcome outcome(List<String> fields, String id) {
    return BaggageBridge.merge(fields, id, ROOM).outcome();
  }

  private static Route route(String owner, MatchRules rules) {
    return new Route(
        "i-1", "shop", owner, rules, "127.0.0.1:1", Instant.EPOCH, FailureMode.FAIL_OPEN);
  }

  /** {@code n} members {@code k<i>=v} in one field. */
  private static String members(int n) {
    List<String> m = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      m.add("k" + i + "=v");
    }
    return String.join(",", m);
  }

  // ---- the merge ----------------------------------------------------------------------------

  @Test
  void aRequestWithoutBaggageGetsOneField() {
    Merge m = BaggageBridge.merge(List.of(), "bob", ROOM);
    assertThat(m.field()).isEqualTo(-1);
    assertThat(m.text()).isEqualTo("sidetrack-id=bob");
    assertThat(m.applyTo(List.of())).containsExactly("sidetrack-id=bob");
  }

  @Test
  void theMemberIsAppendedToTheOnlyFieldAfterItsMembersAndTheirPropertiesUntouched() {
    String field = "a=1;p;q = 2,b = x%20y ; r";
    Merge m = BaggageBridge.merge(List.of(field), "bob", ROOM);
    assertThat(m.field()).isZero();
    assertThat(m.text()).isEqualTo(",sidetrack-id=bob");
    assertThat(m.applyTo(List.of(field))).containsExactly(field + ",sidetrack-id=bob");
  }

  @Test
  void severalFieldsAreOneListAndTheMemberEndsTheLast() {
    assertThat(merged(List.of("a=1", "b=2, c=3"), "bob"))
        .containsExactly("a=1", "b=2, c=3,sidetrack-id=bob");
  }

  @Test
  void anEmptyLastFieldOrATrailingCommaTakesTheMemberWithoutAnotherComma() {
    assertThat(merged(List.of("a=1", ""), "bob")).containsExactly("a=1", "sidetrack-id=bob");
    assertThat(merged(List.of("a=1, "), "bob")).containsExactly("a=1, sidetrack-id=bob");
    assertThat(merged(List.of(""), "bob")).containsExactly("sidetrack-id=bob");
  }

  @Test
  void aRequestThatCarriesTheMemberIsLeftAloneWhateverItsValueAndWhereverItIs() {
    assertThat(outcome(List.of("sidetrack-id=alice"), "bob")).isEqualTo(Outcome.PRESENT);
    assertThat(outcome(List.of("a=1", "b=2,sidetrack-id=bob;p"), "bob")).isEqualTo(Outcome.PRESENT);
    assertThat(outcome(List.of("a=1,\t sidetrack-id \t= x , b=2"), "bob"))
        .as("OWS around the key")
        .isEqualTo(Outcome.PRESENT);
    assertThat(outcome(List.of("sidetrack-id="), "bob"))
        .as("empty value")
        .isEqualTo(Outcome.PRESENT);
    assertThat(outcome(List.of("sidetrack-id;p"), "bob")).as("no value").isEqualTo(Outcome.PRESENT);
    assertThat(BaggageBridge.merge(List.of("sidetrack-id=a"), "b", ROOM).applyTo(List.of("x")))
        .containsExactly("x");
  }

  @Test
  void keysThatAreNotExactlyTheBridgedOneDoNotCount() {
    assertThat(outcome(List.of("my-sidetrack-id=x,sidetrack-idx=y,Sidetrack-Id=z"), "bob"))
        .isEqualTo(Outcome.ADDED);
    assertThat(outcome(List.of("a=sidetrack-id=x"), "bob"))
        .as("in a value")
        .isEqualTo(Outcome.ADDED);
    assertThat(outcome(List.of("a=1;sidetrack-id=x"), "bob"))
        .as("a property")
        .isEqualTo(Outcome.ADDED);
  }

  @Test
  void aMalformedListIsNotFixedAndTheMemberFollowsItAsItsOwnElement() {
    String field = "=1;;, a b=\"q\", k=v\\";
    assertThat(merged(List.of(field), "bob")).containsExactly(field + ",sidetrack-id=bob");
  }

  @Test
  void theValueIsUtf8PercentEncodedWhereItIsNoBaggageOctet() {
    assertThat(BaggageBridge.member("a b,c;d=é")).isEqualTo("sidetrack-id=a%20b%2Cc%3Bd=%C3%A9");
    assertThat(BaggageBridge.encode("100%\"\\\t\u007f")).isEqualTo("100%25%22%5C%09%7F");
    assertThat(BaggageBridge.encode("dev-alice_1.x~!#$&'()*+-./:<=>?@[]^`{|}"))
        .as("baggage-octets stay")
        .isEqualTo("dev-alice_1.x~!#$&'()*+-./:<=>?@[]^`{|}");
    assertThat(BaggageBridge.encode("日本")).isEqualTo("%E6%97%A5%E6%9C%AC");
  }

  /** The next agent's routing, which decodes the member, takes the request by the id again. */
  @Test
  void routingDecodesTheBridgedMemberToTheId() {
    String id = "a b,c;d=é%";
    Route byBaggage =
        route(
            "dev-x",
            new MatchRules(
                List.of(), List.of(new BaggageMatch("sidetrack-id", id)), null, null, false));
    List<String> fields = merged(List.of("a=1;p", "b=2"), id);
    RequestView request =
        new RequestView() {
          @Override
          public List<String> headerValues(String name) {
            return name.equals("baggage") ? fields : List.of();
          }

          @Override
          public String path() {
            return "/";
          }

          @Override
          public String method() {
            return "GET";
          }
        };
    assertThat(RouteTable.compile(List.of(byBaggage)).routeFor(request)).isPresent();
  }

  @Test
  void theListMayReachSixtyFourMembersAndNoMore() {
    assertThat(outcome(List.of(members(63)), "bob")).isEqualTo(Outcome.ADDED);
    assertThat(outcome(List.of(members(64)), "bob")).isEqualTo(Outcome.TOO_MANY_MEMBERS);
    assertThat(outcome(List.of(members(40), members(24)), "bob"))
        .as("members of every field count")
        .isEqualTo(Outcome.TOO_MANY_MEMBERS);
    assertThat(outcome(List.of(members(63) + ",,, ,"), "bob"))
        .as("empty elements are no members")
        .isEqualTo(Outcome.ADDED);
  }

  @Test
  void theListMayReach8192BytesAndNoMore() {
    String member = ",sidetrack-id=bob"; // 17 bytes
    String fits = "k=" + "v".repeat(BaggageBridge.MAX_BYTES - 17 - 2);
    assertThat(outcome(List.of(fits), "bob")).isEqualTo(Outcome.ADDED);
    assertThat(merged(List.of(fits), "bob").get(0)).hasSize(BaggageBridge.MAX_BYTES);
    assertThat(outcome(List.of(fits + "v"), "bob")).isEqualTo(Outcome.TOO_LARGE);
    assertThat(member).hasSize(17);
    // two fields join with one comma: that comma counts
    String half = "k=" + "v".repeat(4000);
    String rest = "j=" + "v".repeat(BaggageBridge.MAX_BYTES - 17 - 1 - half.length() - 2);
    assertThat(outcome(List.of(half, rest), "bob")).isEqualTo(Outcome.ADDED);
    assertThat(outcome(List.of(half, rest + "v"), "bob")).isEqualTo(Outcome.TOO_LARGE);
  }

  @Test
  void theMemberIsNotAddedWhenTheHeadWouldOutgrowTheAgentsLimit() {
    assertThat(BaggageBridge.merge(List.of("a=1"), "bob", 17).outcome()).isEqualTo(Outcome.ADDED);
    assertThat(BaggageBridge.merge(List.of("a=1"), "bob", 16).outcome())
        .isEqualTo(Outcome.HEAD_TOO_LARGE);
    // a new field costs its name and line end too: "baggage: " + 16 + CRLF
    assertThat(BaggageBridge.merge(List.of(), "bob", 27).outcome()).isEqualTo(Outcome.ADDED);
    assertThat(BaggageBridge.merge(List.of(), "bob", 26).outcome())
        .isEqualTo(Outcome.HEAD_TOO_LARGE);
  }

  @Test
  void aPresentMemberWinsOverTheLimits() {
    assertThat(outcome(List.of(members(70) + ",sidetrack-id=x"), "bob")).isEqualTo(Outcome.PRESENT);
  }

  // ---- the id -------------------------------------------------------------------------------

  @Test
  void theHeaderGivesTheIdWhetherOrNotTheRequestMatched() {
    Route other = route("dev-alice", MatchRules.header("x-user", "alice"));
    assertThat(BaggageBridge.idFor(List.of("bob"), null)).isEqualTo("bob");
    assertThat(BaggageBridge.idFor(List.of("bob"), other)).isEqualTo("bob");
    assertThat(BaggageBridge.idFor(List.of("", "carol", "dave"), null))
        .as("the first non-empty value")
        .isEqualTo("carol");
  }

  @Test
  void anUnservedRequestWithoutTheHeaderIsBridgedNothing() {
    assertThat(BaggageBridge.idFor(List.of(), null)).isNull();
    assertThat(BaggageBridge.idFor(List.of(""), null)).isNull();
  }

  @Test
  void aServedRequestWithoutTheHeaderTakesItsRoutesBaggageValueThenHeaderValueThenOwner() {
    MatchRules both =
        new MatchRules(
            List.of(HeaderMatch.exact("x-user", "u")),
            List.of(),
            null,
            null,
            false,
            List.of(
                new AnyOf(
                    List.of(
                        HeaderMatch.regex("x-sidetrack-id", "b.*"),
                        HeaderMatch.exact("x-sidetrack-id", "from-header")),
                    List.of(
                        new BaggageMatch("other", "o"), new BaggageMatch("sidetrack-id", "b")))));
    assertThat(BaggageBridge.idFor(List.of(), route("dev-bob", both))).isEqualTo("b");
    assertThat(BaggageBridge.idFor(List.of(), route("dev-bob", MatchRules.personal("bob"))))
        .isEqualTo("bob");
    MatchRules headerOnly =
        new MatchRules(
            List.of(HeaderMatch.exact("x-user", "u"), HeaderMatch.exact("x-sidetrack-id", "carol")),
            List.of(),
            null,
            null,
            false);
    assertThat(BaggageBridge.idFor(List.of(), route("dev-carol", headerOnly))).isEqualTo("carol");
    MatchRules required =
        new MatchRules(
            List.of(), List.of(new BaggageMatch("sidetrack-id", "req")), null, null, false);
    assertThat(BaggageBridge.idFor(List.of(), route("dev-x", required))).isEqualTo("req");
    assertThat(BaggageBridge.idFor(List.of(), route("dev-dave", MatchRules.header("x-user", "d"))))
        .isEqualTo("dev-dave");
    assertThat(BaggageBridge.idFor(List.of(), route("dev-erin", MatchRules.globalRules())))
        .isEqualTo("dev-erin");
  }

  @Test
  void aNonAsciiHeaderIsReadAsUtf8WhenItIsAndAsItsOctetsOtherwise() {
    String utf8 = new String("é".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    assertThat(BaggageBridge.idFor(List.of(utf8), null)).isEqualTo("é");
    assertThat(BaggageBridge.member(BaggageBridge.idFor(List.of(utf8), null)))
        .isEqualTo("sidetrack-id=%C3%A9");
    assertThat(BaggageBridge.headerText("\u00e9t\u00e9"))
        .as("not UTF-8")
        .isEqualTo("\u00e9t\u00e9");
    assertThat(BaggageBridge.member(BaggageBridge.headerText("\u00e9"))).endsWith("=%C3%A9");
  }

  @Test
  void notAddedMergesLeaveTheFieldsAsTheyAre() {
    List<String> fields = Collections.nCopies(3, "a=1");
    assertThat(new Merge(Outcome.TOO_LARGE, -1, null).applyTo(fields)).isEqualTo(fields);
  }
}
