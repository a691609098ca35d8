package io.sidetrack.core.trust;

import static java.util.Objects.requireNonNull;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Router signing keys: Ed25519 pairs, and their PEM text (PKCS#8 {@code PRIVATE KEY}, X.509
 * SubjectPublicKeyInfo {@code PUBLIC KEY}). Takes and gives strings; reading files is the caller's.
 */
public final class Keys {
  /** The signature algorithm of every router key. */
  public static final String ALGORITHM = "Ed25519";

  private static final Pattern PEM =
      Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");

  private Keys() {}

  /** A new key pair. */
  public static KeyPair generate() {
    try {
      return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every Java 17 runtime has Ed25519", e);
    }
  }

  /** The public key of an Ed25519 private key. */
  public static PublicKey publicKeyOf(PrivateKey key) {
    requireNonNull(key, "key");
    if (!(key instanceof EdECPrivateKey ed) || ed.getBytes().isEmpty()) {
      throw new IllegalArgumentException("not an Ed25519 private key: " + key.getAlgorithm());
    }
    byte[] seed = ed.getBytes().get();
    try {
      // The JDK has no call that derives the public key, but its generator takes the private key
      // as 32 bytes from its random source: hand it the seed, and it computes the public key.
      KeyPairGenerator g = KeyPairGenerator.getInstance(ALGORITHM);
      g.initialize(NamedParameterSpec.ED25519, new FixedRandom(seed));
      return g.generateKeyPair().getPublic();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every Java 17 runtime has Ed25519", e);
    }
  }

  /** The PEM text of a private key (PKCS#8). */
  public static String privateKeyPem(PrivateKey key) {
    return pem("PRIVATE KEY", requireNonNull(key, "key").getEncoded());
  }

  /** The PEM text of a public key (SubjectPublicKeyInfo). */
  public static String publicKeyPem(PublicKey key) {
    return pem("PUBLIC KEY", requireNonNull(key, "key").getEncoded());
  }

  /**
   * The one Ed25519 private key in {@code pem}.
   *
   * @throws IllegalArgumentException naming what is wrong, when it holds none, several, or one that
   *     is not Ed25519
   */
  public static PrivateKey privateKey(String pem) {
    List<byte[]> blocks = blocks(pem, "PRIVATE KEY");
    if (blocks.size() != 1) {
      throw new IllegalArgumentException(
          "expected one '-----BEGIN PRIVATE KEY-----' block (PKCS#8 Ed25519), found "
              + blocks.size());
    }
    try {
      return KeyFactory.getInstance(ALGORITHM)
          .generatePrivate(new PKCS8EncodedKeySpec(blocks.get(0)));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not an Ed25519 private key (PKCS#8): " + e.getMessage());
    }
  }

  /**
   * Every Ed25519 public key in {@code pem}, in order.
   *
   * @throws IllegalArgumentException when it holds none, or one that is not Ed25519
   */
  public static List<PublicKey> publicKeys(String pem) {
    List<byte[]> blocks = blocks(pem, "PUBLIC KEY");
    if (blocks.isEmpty()) {
      throw new IllegalArgumentException(
          "no '-----BEGIN PUBLIC KEY-----' block (X.509 SubjectPublicKeyInfo, Ed25519) found");
    }
    List<PublicKey> keys = new ArrayList<>(blocks.size());
    try {
      KeyFactory f = KeyFactory.getInstance(ALGORITHM);
      for (byte[] b : blocks) {
        keys.add(f.generatePublic(new X509EncodedKeySpec(b)));
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not an Ed25519 public key: " + e.getMessage());
    }
    return List.copyOf(keys);
  }

  private static List<byte[]> blocks(String pem, String type) {
    requireNonNull(pem, "pem");
    List<byte[]> out = new ArrayList<>();
    Matcher m = PEM.matcher(pem);
    while (m.find()) {
      if (m.group(1).equals(type)) {
        try {
          out.add(Base64.getMimeDecoder().decode(m.group(2).replaceAll("\\s", "")));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "bad base64 in a " + type + " block: " + e.getMessage());
        }
      }
    }
    return out;
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  /** Hands out the given bytes: how {@link #publicKeyOf} feeds the seed to the generator. */
  private static final class FixedRandom extends SecureRandom {
    private static final long serialVersionUID = 1L;
    private final transient byte[] bytes;

    FixedRandom(byte[] bytes) {
      this.bytes = bytes.clone();
    }

    @Override
    public void nextBytes(byte[] into) {
      System.arraycopy(bytes, 0, into, 0, Math.min(bytes.length, into.length));
    }
  }
}
