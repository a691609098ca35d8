package io.sidetrack.cli.up;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority made on this machine, and the certificates it issues: what {@code
 * sidetrack up --secure} gives the router's listeners and the edge agents, so the whole local stack
 * runs on TLS. EC P-256 keys; PEM files, the keys readable by their owner only.
 */
public final class LocalCertificates {
  /** How long what it issues stays valid. */
  public static final Duration VALIDITY = Duration.ofDays(30);

  /** A certificate and its key, written as PEM files. */
  public record Issued(Path cert, Path key) {
    public Issued {
      requireNonNull(cert, "cert");
      requireNonNull(key, "key");
    }
  }

  private static final SecureRandom RANDOM = new SecureRandom();

  private final X500Name caName;
  private final KeyPair caKeys;
  private final X509Certificate caCert;

  private LocalCertificates(X500Name caName, KeyPair caKeys, X509Certificate caCert) {
    this.caName = caName;
    this.caKeys = caKeys;
    this.caCert = caCert;
  }

  /** A new CA named {@code commonName}, in memory. */
  public static LocalCertificates newCa(String commonName) {
    requireNonNull(commonName, "commonName");
    try {
      X500Name name = new X500Name("CN=" + commonName);
      KeyPair keys = keyPair();
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b = builder(name, name, keys);
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
      return new LocalCertificates(name, keys, sign(b, keys));
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot make a CA: " + e.getMessage(), e);
    }
  }

  /** Writes the CA's certificate (what clients trust) to {@code file}. */
  public Path writeCa(Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, pem(caCert));
    return file;
  }

  /**
   * A server certificate for {@code hosts} (DNS names or IP literals), written as {@code
   * dir/name.crt} and {@code dir/name.key}.
   */
  public Issued issueServer(Path dir, String name, List<String> hosts) throws IOException {
    requireNonNull(hosts, "hosts");
    if (hosts.isEmpty()) {
      throw new IllegalArgumentException("a server certificate needs a host");
    }
    List<GeneralName> names = new ArrayList<>();
    for (String h : hosts) {
      names.add(
          new GeneralName(
              h.matches("[0-9.]+") || h.contains(":") ? GeneralName.iPAddress : GeneralName.dNSName,
              h));
    }
    return issue(
        dir,
        name,
        hosts.get(0),
        KeyPurposeId.id_kp_serverAuth,
        new GeneralNames(names.toArray(new GeneralName[0])));
  }

  /**
   * A client certificate for {@code commonName}, written as {@code dir/name.crt} and {@code .key}.
   */
  public Issued issueClient(Path dir, String name, String commonName) throws IOException {
    return issue(dir, name, commonName, KeyPurposeId.id_kp_clientAuth, null);
  }

  private Issued issue(
      Path dir, String name, String commonName, KeyPurposeId purpose, GeneralNames altNames)
      throws IOException {
    requireNonNull(dir, "dir");
    requireNonNull(name, "name");
    try {
      KeyPair keys = keyPair();
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b = builder(caName, new X500Name("CN=" + commonName), keys);
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
      b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
      b.addExtension(
          Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCert));
      if (altNames != null) {
        b.addExtension(Extension.subjectAlternativeName, false, altNames);
      }
      X509Certificate cert = sign(b, caKeys);
      Files.createDirectories(dir);
      Path certFile = dir.resolve(name + ".crt");
      Path keyFile = dir.resolve(name + ".key");
      Files.writeString(certFile, pem(cert));
      Files.deleteIfExists(keyFile);
      Files.createFile(
          keyFile,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(
          keyFile,
          pem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(keys.getPrivate(), null)));
      return new Issued(certFile, keyFile);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot issue a certificate: " + e.getMessage(), e);
    }
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(
        issuer,
        new BigInteger(64, RANDOM).abs().add(BigInteger.ONE),
        Date.from(now.minus(Duration.ofMinutes(5))),
        Date.from(now.plus(VALIDITY)),
        subject,
        keys.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair by)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(
              b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(by.getPrivate())));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e.getMessage(), e);
    }
  }

  private static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return g.generateKeyPair();
  }

  private static String pem(Object o) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(o);
    }
    return out.toString();
  }
}
