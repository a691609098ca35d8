package io.sidetrack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidetrack.cli.keys.KeyFiles;
import io.sidetrack.embedded.SharedInfrastructure;
import io.sidetrack.stream.RegistryStreamApp;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * {@code sidetrack register --signing-key}: against a real registry-stream that trusts one router
 * key, on the real broker, a registration the CLI signs with that key is accepted, an unsigned one
 * or one signed with another key is rejected with the reason.
 */
@Timeout(180)
class RegisterSigningIT {
  static final String PREFIX = "rs" + UUID.randomUUID().toString().substring(0, 8) + ".";
  static RegistryStreamApp stream;

  @BeforeAll
  static void start() throws Exception {
    stream =
        TestRegistryStream.start(
            SharedInfrastructure.kafka(),
            SharedInfrastructure.schemaRegistry(),
            PREFIX,
            "register-signing-it",
            TestRouterKeys.TRUSTED);
  }

  @AfterAll
  static void stop() {
    if (stream != null) {
      stream.close();
    }
  }

  @Test
  void aRegistrationSignedWithATrustedKeyIsAccepted() {
    String[] r = register("signed", "--signing-key", TestRouterKeys.privateFile());
    assertThat(r[0]).as(r[1] + r[2]).isEqualTo("0");
    assertThat(r[1])
        .contains("signed with key " + TestRouterKeys.SIGNER.keyId())
        .contains("ACTIVE: signed takes matching requests to 127.0.0.1:9000");
  }

  @Test
  void anUnsignedRegistrationIsRejectedWithTheReason() {
    String[] r = register("unsigned");
    assertThat(r[0]).isEqualTo("1");
    assertThat(r[1])
        .contains("(unsigned)")
        .contains("REJECTED")
        .contains("not signed by a trusted router: no signature");
  }

  @Test
  void aRegistrationSignedWithAnotherKeyIsRejected() throws Exception {
    Path other = Files.createTempDirectory("other-keys");
    KeyFiles.generate(other);
    String[] r = register("stranger", "--signing-key", other.resolve(KeyFiles.PRIVATE).toString());
    assertThat(r[0]).isEqualTo("1");
    assertThat(r[1]).contains("REJECTED").contains("not signed by a trusted router");
  }

  @Test
  void anUnreadableKeyIsAOneLineErrorAndNothingIsPublished() {
    String[] r = register("nokey", "--signing-key", "/nonexistent/key.pem");
    assertThat(r[0]).isEqualTo("1");
    assertThat(r[2].strip())
        .startsWith(
            "sidetrack: error: cannot read --signing-key (SIDETRACK_SIGNING_KEY) /nonexistent")
        .doesNotContain("\n");
    assertThat(r[1]).doesNotContain("Published");
  }

  static String[] register(String id, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "register",
                "shop",
                "--id",
                id,
                "--owner",
                "ops",
                "--header",
                "x-sidetrack-id=" + id,
                "--bootstrap-servers",
                SharedInfrastructure.kafka(),
                "--schema-registry-url",
                SharedInfrastructure.schemaRegistry(),
                "--topic-prefix",
                PREFIX,
                "--api-url",
                stream.url()));
    args.addAll(List.of(more));
    CommandLine cli = Sidetrack.commandLine(name -> null);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args.toArray(String[]::new));
    return new String[] {String.valueOf(exit), out.toString(), err.toString()};
  }
}
