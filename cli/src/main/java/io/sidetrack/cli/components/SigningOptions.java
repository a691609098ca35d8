package io.sidetrack.cli.components;

import io.sidetrack.cli.options.EnvVar;
import io.sidetrack.router.RouterConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The router's signing key: a flag with its environment variable. */
public final class SigningOptions {
  @EnvVar("SIDETRACK_SIGNING_KEY")
  @Option(
      names = "--signing-key",
      paramLabel = "FILE",
      description =
          "PEM Ed25519 private key (PKCS#8) the router signs every registration with; edge agents"
              + " and registry-stream trust its public key (--trusted-router-keys). Required: make"
              + " a pair with 'sidetrack keys generate --out DIR'.")
  Path signingKey;

  /** The signing key, or {@code null} when none was given (the router then refuses to start). */
  public RouterConfig.Signing signing() {
    return signingKey == null ? null : RouterConfig.Signing.read(signingKey);
  }
}
