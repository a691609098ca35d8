package io.sidetrack.router.tls;

import static java.util.Objects.requireNonNull;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import javax.net.ssl.KeyManager;
import javax.net.ssl.X509KeyManager;

/**
 * One TLS listener's certificate, key and (for mutual TLS) client CA, as read from their PEM files
 * at one moment: the server options they make, and a digest of the files to tell a change.
 */
public final class ListenerCertificate {
  private final Buffer cert;
  private final Buffer key;
  private final Buffer clientCa;
  private final String digest;
  private final String subject;

  private ListenerCertificate(Buffer cert, Buffer key, Buffer clientCa, String subject) {
    this.cert = cert;
    this.key = key;
    this.clientCa = clientCa;
    this.subject = subject;
    this.digest = digest(cert, key, clientCa);
  }

  /**
   * Reads and checks the files (blocking: call it off the event loop): the certificate and key
   * parse and belong together, and the client CA, when given, parses.
   *
   * @param clientCa {@code null}: no client certificate asked for
   * @throws IllegalArgumentException one line naming the file and what is wrong with it
   */
  public static ListenerCertificate read(Vertx vertx, CertificateFiles files) {
    requireNonNull(vertx, "vertx");
    requireNonNull(files, "files");
    Buffer cert = readFile(files.cert(), files.certSetting());
    Buffer key = readFile(files.key(), files.keySetting());
    Buffer ca = files.clientCa() == null ? null : readFile(files.clientCa(), files.caSetting());
    String subject = checkPair(vertx, cert, key, files);
    if (ca != null) {
      try {
        new PemTrustOptions().addCertValue(ca).getTrustManagerFactory(vertx);
      } catch (Exception e) {
        throw new IllegalArgumentException(
            "invalid " + files.caSetting() + " " + files.clientCa() + ": " + message(e), e);
      }
    }
    return new ListenerCertificate(cert, key, ca, subject);
  }

  /** {@code options} serving this certificate (and asking for client certificates, with a CA). */
  public HttpServerOptions applyTo(HttpServerOptions options) {
    ServerSSLOptions ssl = sslOptions();
    options.setSsl(true).setKeyCertOptions(ssl.getKeyCertOptions());
    if (clientCa != null) {
      options.setTrustOptions(ssl.getTrustOptions()).setClientAuth(ClientAuth.REQUIRED);
    }
    return options;
  }

  /** The options {@link io.vertx.core.http.HttpServer#updateSSLOptions} swaps in. */
  ServerSSLOptions sslOptions() {
    ServerSSLOptions ssl =
        new ServerSSLOptions().setKeyCertOptions(keyCert()).setClientAuth(ClientAuth.NONE);
    if (clientCa != null) {
      ssl.setTrustOptions(new PemTrustOptions().addCertValue(clientCa))
          .setClientAuth(ClientAuth.REQUIRED);
    }
    return ssl;
  }

  /** A digest of the files' bytes: equal digests, same certificate. */
  String digest() {
    return digest;
  }

  /** The certificate's subject, for the log. */
  public String subject() {
    return subject;
  }

  private KeyCertOptions keyCert() {
    return new PemKeyCertOptions().setCertValue(cert).setKeyValue(key);
  }

  private static Buffer readFile(Path file, String setting) {
    try {
      return Buffer.buffer(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read " + setting + " " + file + ": " + e.getClass().getSimpleName(), e);
    }
  }

  /** The pair's subject, once a signature by the key verifies with the certificate. */
  private static String checkPair(Vertx vertx, Buffer cert, Buffer key, CertificateFiles files) {
    X509KeyManager manager;
    try {
      KeyManager[] managers =
          new PemKeyCertOptions()
              .setCertValue(cert)
              .setKeyValue(key)
              .getKeyManagerFactory(vertx)
              .getKeyManagers();
      manager = (X509KeyManager) managers[0];
    } catch (Exception e) {
      throw new IllegalArgumentException(
          "invalid "
              + files.certSetting()
              + " "
              + files.cert()
              + " or "
              + files.keySetting()
              + " "
              + files.key()
              + " (PEM certificate and private key): "
              + message(e),
          e);
    }
    String alias = null;
    for (String type : new String[] {"RSA", "EC", "EdDSA", "Ed25519"}) {
      String[] aliases = manager.getServerAliases(type, null);
      if (aliases != null && aliases.length > 0) {
        alias = aliases[0];
        break;
      }
    }
    if (alias == null) {
      throw new IllegalArgumentException(
          "invalid " + files.certSetting() + " " + files.cert() + ": no certificate in it");
    }
    PrivateKey privateKey = manager.getPrivateKey(alias);
    X509Certificate[] chain = manager.getCertificateChain(alias);
    try {
      String algorithm =
          switch (privateKey.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> privateKey.getAlgorithm();
          };
      byte[] probe = "sidetrack".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      Signature sign = Signature.getInstance(algorithm);
      sign.initSign(privateKey);
      sign.update(probe);
      byte[] signature = sign.sign();
      Signature verify = Signature.getInstance(algorithm);
      verify.initVerify(chain[0].getPublicKey());
      verify.update(probe);
      if (!verify.verify(signature)) {
        throw new IllegalArgumentException(
            files.keySetting()
                + " "
                + files.key()
                + " is not the key of "
                + files.certSetting()
                + " "
                + files.cert());
      }
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalArgumentException(
          files.keySetting()
              + " "
              + files.key()
              + " is not the key of "
              + files.certSetting()
              + " "
              + files.cert()
              + ": "
              + message(e),
          e);
    }
    return chain[0].getSubjectX500Principal().getName();
  }

  private static String message(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getMessage() == null) {
      t = t.getCause();
    }
    return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
  }

  private static String digest(Buffer... parts) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (Buffer b : parts) {
        sha.update(b == null ? new byte[0] : b.getBytes());
        sha.update((byte) 0);
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
