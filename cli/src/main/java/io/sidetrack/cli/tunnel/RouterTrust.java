package io.sidetrack.cli.tunnel;

import io.vertx.core.net.TrustOptions;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Which router certificates the CLI trusts: those the JDK's trust store vouches for, and those a
 * private CA given with {@code --ca} (or the context's {@code ca}) signed. Never all: a certificate
 * neither vouches for fails the connection, and {@link #untrusted} says so in one line.
 */
public final class RouterTrust {
  private final X509ExtendedTrustManager manager;
  private final Path ca;

  private RouterTrust(X509ExtendedTrustManager manager, Path ca) {
    this.manager = manager;
    this.ca = ca;
  }

  /** The JDK's trust store only. */
  public static RouterTrust jdk() {
    return of(null, "--ca");
  }

  /**
   * The JDK's trust store plus the CA certificates in {@code caFile} (PEM; {@code null}: none).
   *
   * @param setting how the file was given, for the error message
   * @throws IllegalArgumentException one line when the file cannot be read or holds no certificate
   */
  public static RouterTrust of(Path caFile, String setting) {
    List<X509ExtendedTrustManager> managers = new ArrayList<>();
    try {
      managers.add(managerOf(null));
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("the JDK's trust store cannot be read: " + e.getMessage(), e);
    }
    if (caFile != null) {
      managers.add(managerOf(caFile, setting));
    }
    return new RouterTrust(new AnyOf(managers), caFile);
  }

  /** The CA file given, if any. */
  public Optional<Path> ca() {
    return Optional.ofNullable(ca);
  }

  /** A JDK {@link SSLContext} (for {@code java.net.http}) that trusts as this does. */
  public SSLContext sslContext() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {manager}, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /** Vert.x trust options that trust as this does. */
  public TrustOptions vertxTrust() {
    return TrustOptions.wrap(manager);
  }

  /**
   * The one line to print when connecting to {@code url} failed because of its certificate, or
   * empty when {@code failure} is something else.
   */
  public static Optional<String> untrusted(String url, Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof Untrusted u) {
        return Optional.of("router " + url + ": " + u.getMessage());
      }
    }
    return Optional.empty();
  }

  private static X509ExtendedTrustManager managerOf(Path caFile, String setting) {
    try {
      return managerOf(caFile);
    } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "cannot read " + setting + " " + caFile + ": " + e.getMessage(), e);
    }
  }

  /** A PKIX trust manager of {@code caFile}'s certificates, or of the JDK's ({@code null}). */
  private static X509ExtendedTrustManager managerOf(Path caFile)
      throws IOException, GeneralSecurityException {
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    if (caFile == null) {
      factory.init((KeyStore) null);
    } else {
      Collection<? extends Certificate> certs;
      try (InputStream in = Files.newInputStream(caFile)) {
        certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
      } catch (java.nio.file.NoSuchFileException e) {
        throw new IOException("no such file", e);
      }
      if (certs.isEmpty()) {
        throw new IllegalArgumentException("no PEM certificate in it");
      }
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate c : certs) {
        store.setCertificateEntry("ca-" + i++, c);
      }
      factory.init(store);
    }
    for (TrustManager m : factory.getTrustManagers()) {
      if (m instanceof X509ExtendedTrustManager x) {
        return x;
      }
    }
    throw new GeneralSecurityException("no X.509 trust manager");
  }

  /** The certificate of a router the CLI does not trust; its message says why. */
  static final class Untrusted extends CertificateException {
    Untrusted(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Trusts a server one of its managers trusts (each checks chain and host name itself). */
  private static final class AnyOf extends X509ExtendedTrustManager {
    private final List<X509ExtendedTrustManager> managers;

    AnyOf(List<X509ExtendedTrustManager> managers) {
      this.managers = List.copyOf(managers);
    }

    private interface Check {
      void run(X509ExtendedTrustManager m) throws CertificateException;
    }

    private void anyOf(X509Certificate[] chain, Check check) throws CertificateException {
      CertificateException last = null;
      CertificateException notPath = null;
      for (X509ExtendedTrustManager m : managers) {
        try {
          check.run(m);
          return;
        } catch (CertificateException e) {
          last = e;
          if (!isUnknownIssuer(e)) {
            notPath = e;
          }
        }
      }
      if (notPath != null) {
        // a CA vouched for the chain, yet it is refused: expired, or not this host's
        throw new Untrusted("certificate not accepted (" + notPath.getMessage() + ")", notPath);
      }
      String issuer =
          chain == null || chain.length == 0
              ? "none"
              : chain[chain.length - 1].getIssuerX500Principal().getName();
      throw new Untrusted(
          "certificate not trusted (unknown issuer " + issuer + "): pass --ca FILE", last);
    }

    private static boolean isUnknownIssuer(Throwable e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof CertPathBuilderException) {
          return true;
        }
        if (t instanceof CertPathValidatorException v
            && v.getReason() != null
            && v.getReason().toString().equals("NO_TRUST_ANCHOR")) {
          return true;
        }
      }
      return false;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      anyOf(chain, m -> m.checkServerTrusted(chain, authType, socket));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      anyOf(chain, m -> m.checkServerTrusted(chain, authType, engine));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      anyOf(chain, m -> m.checkServerTrusted(chain, authType));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      throw new CertificateException("the CLI does not take client certificates");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      throw new CertificateException("the CLI does not take client certificates");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("the CLI does not take client certificates");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return managers.stream()
          .flatMap(m -> Stream.of(m.getAcceptedIssuers()))
          .toArray(X509Certificate[]::new);
    }
  }
}
