package io.sidetrack.core.baggage;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidetrack.core.baggage.BaggageBridge.Merge;
import io.sidetrack.core.baggage.BaggageBridge.Outcome;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Properties of the merge over generated baggage lists and ids. */
class BaggageBridgePropertiesTest {

  @Provide
  Arbitrary<List<String>> fields() {
    Arbitrary<String> key = Arbitraries.of("a", "user", "tenant", "sidetrack", "x-id", "k1");
    Arbitrary<String> value = Arbitraries.strings().withChars("abz09%=-_.:").ofMaxLength(8);
    Arbitrary<String> ows = Arbitraries.of("", " ", "\t", "  ");
    Arbitrary<String> property =
        Combinators.combine(ows, key, Arbitraries.of("", "=p", " = q"))
            .as((o, k, v) -> ";" + o + k + v);
    Arbitrary<String> member =
        Combinators.combine(ows, key, ows, value, property.list().ofMaxSize(2))
            .as((o1, k, o2, v, p) -> o1 + k + o2 + "=" + o2 + v + String.join("", p) + o1);
    return member
        .list()
        .ofMinSize(1)
        .ofMaxSize(5)
        .map(m -> String.join(",", m).strip())
        .list()
        .ofMaxSize(3);
  }

  @Provide
  Arbitrary<String> ids() {
    return Arbitraries.strings()
        .withCharRange(' ', '~')
        .withChars('é', '日', '\t')
        .ofMinLength(1)
        .ofMaxLength(12);
  }

  @Property
  void everyOtherMemberStaysByteForByteAndInOrder(
      @ForAll("fields") List<String> fields, @ForAll("ids") String id) {
    Merge m = BaggageBridge.merge(fields, id, Integer.MAX_VALUE);
    assertThat(m.outcome()).isEqualTo(Outcome.ADDED);
    List<String> after = m.applyTo(fields);
    String member = BaggageBridge.member(id);
    if (fields.isEmpty()) {
      assertThat(after).containsExactly(member);
      return;
    }
    assertThat(after).hasSameSizeAs(fields);
    for (int i = 0; i < fields.size() - 1; i++) {
      assertThat(after.get(i)).isEqualTo(fields.get(i));
    }
    String last = after.get(after.size() - 1);
    assertThat(last).startsWith(fields.get(fields.size() - 1)).endsWith(member);
    assertThat(last.length() - fields.get(fields.size() - 1).length())
        .isLessThanOrEqualTo(member.length() + 1);
  }

  @Property
  void theBridgedMemberIsOneElementWhoseValueDecodesToTheId(@ForAll("ids") String id) {
    String member = BaggageBridge.member(id);
    assertThat(member).doesNotContain(",", ";", " ", "\t", "\"", "\\").startsWith("sidetrack-id=");
    assertThat(member.chars().allMatch(c -> c > 0x20 && c < 0x7f)).isTrue();
    assertThat(decode(member.substring("sidetrack-id=".length()))).isEqualTo(id);
  }

  @Property
  void aMergedListIsLeftAloneTheNextTime(
      @ForAll("fields") List<String> fields, @ForAll("ids") String id) {
    List<String> once = BaggageBridge.merge(fields, id, Integer.MAX_VALUE).applyTo(fields);
    assertThat(BaggageBridge.merge(once, "other", Integer.MAX_VALUE).outcome())
        .isEqualTo(Outcome.PRESENT);
  }

  private static String decode(String value) {
    byte[] in = value.getBytes(StandardCharsets.US_ASCII);
    List<Byte> out = new ArrayList<>();
    for (int i = 0; i < in.length; i++) {
      if (in[i] == '%') {
        out.add((byte) Integer.parseInt(value.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        out.add(in[i]);
      }
    }
    byte[] bytes = new byte[out.size()];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = out.get(i);
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
