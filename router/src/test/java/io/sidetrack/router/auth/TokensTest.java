package io.sidetrack.router.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokensTest {
  @Test
  void mapsTokensToIdentitiesAndTheirWorkloads() {
    Tokens tokens =
        Tokens.parse(
            "tokens",
            List.of(
                "# comment",
                "",
                "aaaaaaaaaaaaaaaa1 alice orders,payments  # trailing comment",
                "bbbbbbbbbbbbbbbb2 bob *"));
    assertThat(tokens.size()).isEqualTo(2);
    Tokens.Identity alice = tokens.identify("aaaaaaaaaaaaaaaa1").orElseThrow();
    assertThat(alice.name()).isEqualTo("alice");
    assertThat(alice.mayIntercept("orders")).isTrue();
    assertThat(alice.mayIntercept("billing")).isFalse();
    assertThat(tokens.identify("bbbbbbbbbbbbbbbb2").orElseThrow().mayIntercept("anything"))
        .isTrue();
    assertThat(tokens.identify("aaaaaaaaaaaaaaaa")).isEmpty();
    assertThat(tokens.identify(null)).isEmpty();
    assertThat(tokens.identify("")).isEmpty();
  }

  @Test
  void badLinesNameFileAndLine() {
    assertThatThrownBy(() -> Tokens.parse("t", List.of("# ok", "short alice *")))
        .hasMessage("t:2: a token needs at least 16 characters");
    assertThatThrownBy(() -> Tokens.parse("t", List.of("aaaaaaaaaaaaaaaa1 alice")))
        .hasMessage("t:1: expected TOKEN IDENTITY WORKLOADS, got 2 fields");
    assertThatThrownBy(() -> Tokens.parse("t", List.of("aaaaaaaaaaaaaaaa1 al/ice *")))
        .hasMessageContaining("t:1: identity 'al/ice'");
    assertThatThrownBy(
            () ->
                Tokens.parse("t", List.of("aaaaaaaaaaaaaaaa1 alice *", "aaaaaaaaaaaaaaaa1 bob *")))
        .hasMessage("t:2: the same token appears twice");
    assertThatThrownBy(() -> Tokens.read(Path.of("/nonexistent/tokens")))
        .hasMessageContaining("/nonexistent/tokens does not exist");
  }
}
