package io.sidetrack.router.tls;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * The PEM files of one TLS listener, with the settings that name them (for error messages).
 *
 * @param clientCa {@code null}: no client certificate asked for
 * @param caSetting {@code null} without a client CA
 */
public record CertificateFiles(
    Path cert, String certSetting, Path key, String keySetting, Path clientCa, String caSetting) {
  public CertificateFiles {
    requireNonNull(cert, "cert");
    requireNonNull(certSetting, "certSetting");
    requireNonNull(key, "key");
    requireNonNull(keySetting, "keySetting");
  }
}
