package io.sidetrack.router.preview;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PreviewCodesTest {
  private final PreviewCodes codes = new PreviewCodes();

  @Test
  void aCodeIsALowerCaseBase32DnsLabelOfAtLeast128Bits() {
    String code = codes.newCode();
    assertThat(code).hasSize(26).matches("[a-z2-7]{26}");
    // 26 characters of 5 bits each
    assertThat(PreviewCodes.LENGTH * 5).isGreaterThanOrEqualTo(128);
    assertThat(PreviewCodes.isCode(code)).isTrue();
  }

  @Test
  void codesDoNotRepeat() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      assertThat(seen.add(codes.newCode())).isTrue();
    }
  }

  @Test
  void everyCharacterOfTheAlphabetTurnsUp() {
    Set<Character> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      for (char c : codes.newCode().toCharArray()) {
        seen.add(c);
      }
    }
    assertThat(seen).hasSize(32);
  }

  @Test
  void onlyTheShapeOfACodeIsACode() {
    assertThat(PreviewCodes.isCode("abcdefghijklmnopqrstuvwxy2")).isTrue();
    assertThat(PreviewCodes.isCode("abcdefghijklmnopqrstuvwxy")).isFalse();
    assertThat(PreviewCodes.isCode("ABCDEFGHIJKLMNOPQRSTUVWXY2")).isFalse();
    assertThat(PreviewCodes.isCode("abcdefghijklmnopqrstuvwxy1")).isFalse();
    assertThat(PreviewCodes.isCode(null)).isFalse();
  }

  @Test
  void sessionValuesCarry256BitsAndDoNotRepeat() {
    String a = codes.newSessionValue();
    assertThat(a).matches("[A-Za-z0-9_-]{43}");
    assertThat(codes.newSessionValue()).isNotEqualTo(a);
  }
}
