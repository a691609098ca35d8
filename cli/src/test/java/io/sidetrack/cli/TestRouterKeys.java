package io.sidetrack.cli;

import io.sidetrack.cli.keys.KeyFiles;
import io.sidetrack.core.trust.Keys;
import io.sidetrack.core.trust.RouteSigner;
import io.sidetrack.core.trust.TrustedKeys;
import io.sidetrack.router.RouterConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;

/**
 * One real router key pair shared by the CLI's tests, in memory and as the two files of {@code
 * sidetrack keys generate} for the components started as processes.
 */
public final class TestRouterKeys {
  public static final Path DIR;
  public static final KeyPair PAIR;

  static {
    try {
      DIR = Files.createTempDirectory("router-keys");
      PAIR = KeyFiles.generate(DIR);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static final RouteSigner SIGNER = new RouteSigner(PAIR);
  public static final TrustedKeys TRUSTED = TrustedKeys.of(List.of(PAIR.getPublic()));
  public static final RouterConfig.Signing SIGNING = new RouterConfig.Signing(PAIR.getPrivate());

  private TestRouterKeys() {}

  /** The private key's file, for {@code --signing-key}. */
  public static String privateFile() {
    return DIR.resolve(KeyFiles.PRIVATE).toString();
  }

  /** The public key's file, for {@code --trusted-router-keys}. */
  public static String publicFile() {
    return DIR.resolve(KeyFiles.PUBLIC).toString();
  }

  static {
    // the files hold exactly the pair in memory
    if (!Keys.publicKeys(read(KeyFiles.PUBLIC)).get(0).equals(PAIR.getPublic())) {
      throw new IllegalStateException("key files differ from the pair");
    }
  }

  private static String read(String name) {
    try {
      return Files.readString(DIR.resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
