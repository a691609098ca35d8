package io.sidetrack.cli.up;

import io.sidetrack.cli.keys.KeyFiles;
import io.sidetrack.core.trust.Keys;
import io.sidetrack.core.trust.TrustedKeys;
import io.sidetrack.router.RouterConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The embedded stack's router signing key pair, kept in the state directory (generated on first
 * use) so that its router signs and its registry-stream and agents trust the same key.
 *
 * @param signing the router's key
 * @param trusted the public key, trusted by registry-stream and the agents
 */
record LocalRouterKeys(RouterConfig.Signing signing, TrustedKeys trusted) {
  static LocalRouterKeys ensure(Path dir) throws IOException {
    KeyFiles.ensure(dir);
    return new LocalRouterKeys(
        RouterConfig.Signing.read(dir.resolve(KeyFiles.PRIVATE)),
        TrustedKeys.of(
            Keys.publicKeys(
                Files.readString(dir.resolve(KeyFiles.PUBLIC), StandardCharsets.US_ASCII))));
  }
}
