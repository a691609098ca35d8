package io.sidetrack.router.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokensFileTest {
  static final String ALICE = "alice-token-0123456789";
  static final String BOB = "bob-token-0123456789ab";

  static void write(Path file, String content, int secondsLater) throws Exception {
    Files.writeString(file, content);
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(secondsLater)));
  }

  @Test
  void aChangedFileIsReadAgainAndABadOneLeavesTheTokensBeforeIt(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("tokens");
    write(file, ALICE + " alice shop\n", 0);
    TokensFile tokens = TokensFile.read(file);
    assertThat(tokens.identify(ALICE).succeeded()).isTrue();
    assertThat(tokens.identify(BOB).failed()).isTrue();
    assertThat(tokens.reloadIfChanged()).isFalse();

    write(file, ALICE + " alice shop\n" + BOB + " bob *\n", 10);
    assertThat(tokens.reloadIfChanged()).isTrue();
    assertThat(tokens.identify(BOB).result().name()).isEqualTo("bob");

    write(file, BOB + " bob\n", 20); // two fields: does not parse
    assertThat(tokens.reloadIfChanged()).isFalse();
    assertThat(tokens.identify(ALICE).succeeded()).isTrue();
    assertThat(tokens.identify(BOB).succeeded()).isTrue();

    write(file, BOB + " bob *\n", 30); // fixed, and alice is gone
    assertThat(tokens.reloadIfChanged()).isTrue();
    assertThat(tokens.identify(ALICE).cause())
        .isInstanceOf(AuthenticationException.class)
        .hasMessage("unknown token: the router's tokens file does not list it");

    Files.delete(file); // gone: the tokens before stay
    assertThat(tokens.reloadIfChanged()).isFalse();
    assertThat(tokens.identify(BOB).succeeded()).isTrue();
  }
}
