package io.sidetrack.cli.components;

import io.sidetrack.cli.options.EnvVar;
import io.sidetrack.core.trust.Keys;
import io.sidetrack.core.trust.TrustedKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The routers' public keys a component trusts: a flag with its environment variable. */
public final class TrustedRouterKeysOptions {
  /** The setting, as errors name it. */
  public static final String SETTING = "--trusted-router-keys (SIDETRACK_TRUSTED_ROUTER_KEYS)";

  @EnvVar("SIDETRACK_TRUSTED_ROUTER_KEYS")
  @Option(
      names = "--trusted-router-keys",
      split = ",",
      paramLabel = "FILE",
      description =
          "PEM files of the routers' Ed25519 public keys (the .pub.pem of 'sidetrack keys"
              + " generate'; a file may hold several, e.g. the old and the new key while rotating)."
              + " Only route entries and registrations signed by one of them are taken.")
  List<Path> files;

  /**
   * The keys in the files, each checked to be a valid Ed25519 point, or empty when none were given.
   *
   * @throws IllegalArgumentException naming the setting, the file and what is wrong
   */
  public Optional<TrustedKeys> trusted() {
    try {
      return read().map(TrustedKeys::checked);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid " + SETTING + ": " + e.getMessage());
    }
  }

  /**
   * The keys in the files, or empty when none were given, as {@link #trusted} but with each key's
   * point decoded when it first checks a signature: for the edge agent, which is ready before it
   * checks any (see {@link TrustedKeys#checked}).
   *
   * @throws IllegalArgumentException naming the setting, the file and what is wrong
   */
  public Optional<TrustedKeys> trustedCheckedOnUse() {
    return read();
  }

  private Optional<TrustedKeys> read() {
    if (files == null || files.isEmpty()) {
      return Optional.empty();
    }
    List<PublicKey> keys = new ArrayList<>();
    for (Path file : files) {
      String pem;
      try {
        pem = Files.readString(file, StandardCharsets.US_ASCII);
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException(
            "cannot read " + SETTING + " " + file + ": " + e.getMessage());
      }
      try {
        keys.addAll(Keys.publicKeys(pem));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "invalid " + SETTING + " " + file + ": " + e.getMessage());
      }
    }
    try {
      return Optional.of(TrustedKeys.of(keys));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid " + SETTING + ": " + e.getMessage());
    }
  }
}
